#include "core/tour_check.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "core/parallel.hpp"

namespace unrolled {

bool TourRunner::configure(const ExperimentConfig& config, std::string* error) {
  trainers_.clear();
  sweep_.clear();
  config_ = config;
  const int n = static_cast<int>(config.all_models().size());
  for (int i = 0; i < n; ++i) {
    auto t = std::make_unique<Trainer>();
    if (!t->configure(config, i, error)) return false;
    trainers_.push_back(std::move(t));
  }
  stats_.assign(trainers_.size(), {});
  return true;
}

void TourRunner::begin_step() { stats_.assign(trainers_.size(), {}); }

bool TourRunner::train_one() {
  const int n = models();
  std::vector<char> ok(n, 0);
  parallel_for(n, [&](int i) { ok[i] = trainers_[i]->run_iteration(); });
  for (int i = 0; i < n; ++i)
    if (ok[i]) stats_[i].add(*trainers_[i]);
  return std::all_of(ok.begin(), ok.end(), [](char v) { return v != 0; });
}

void TourRunner::step_each(void (*f)(Trainer&)) {
  for (auto& t : trainers_) f(*t);
}

void TourRunner::perform(const TourAction& a) {
  using K = TourAction::Kind;
  switch (a.kind) {
    case K::Run: {
      std::vector<const Trainer*> all;
      for (const auto& t : trainers_) all.push_back(t.get());
      const int64_t start = trainers_.front()->iteration();
      while (!run_condition_met(a, all, start) && train_one()) {
      }
      break;
    }
    case K::Forward:
      for (int i = 0; i < a.count; ++i)
        step_each([](Trainer& t) {
          if (t.phase() == Phase::Update) t.apply_update();
          t.step_forward();
        });
      break;
    case K::Backward:
      for (int i = 0; i < a.count; ++i) step_each([](Trainer& t) { t.step_backward(); });
      break;
    case K::FinishForward:
      step_each([](Trainer& t) {
        if (t.phase() == Phase::Ready) t.step_forward();
        while (t.phase() == Phase::Forward) t.step_forward();
      });
      break;
    case K::FinishBackward:
      step_each([](Trainer& t) {
        while (t.phase() == Phase::Forward || t.phase() == Phase::Backward) t.step_backward();
      });
      break;
    case K::Update:
      for (size_t i = 0; i < trainers_.size(); ++i)
        if (trainers_[i]->apply_update()) stats_[i].add(*trainers_[i]);
      break;
    case K::Reset:
      step_each([](Trainer& t) { t.reset(); });
      begin_step();
      break;
    case K::Clip:
      for (auto& t : trainers_) t->set_clip(a.clip);
      break;
    case K::Truncation:
      for (auto& t : trainers_) t->set_truncation(a.k1, a.k2);
      break;
    case K::Sweep: {
      SweepSpec spec;
      spec.base = config_;
      spec.lags = a.lags;
      spec.seeds = a.seeds;
      spec.iterations = a.limit;
      Sweep sweep;
      std::string error;
      sweep_.clear();
      if (!sweep.start(spec, &error)) break;  // measures of the sweep are then NaN
      while (sweep.running()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      sweep_ = sweep.results();
      break;
    }
    default: break;  // play, pause, speed, temperature, select: what the class sees, not the run
  }
}

double TourRunner::measure(const TourExpect& e) const {
  using M = TourExpect::Measure;
  switch (e.measure) {
    case M::CliffLoss:
    case M::CliffGradMax:
    case M::CliffJump:  // the cliff's two paths: model 0 plain, 1 clipped
      return unrolled::measure(e, *trainers_.front(), stats_.front());
    case M::SweepLoss:
    case M::SweepLossMin:
    case M::SweepLossMax:
      for (const SweepSummary& s : summarize(sweep_))
        if (s.model == e.model && s.lag == e.distance)
          return e.measure == M::SweepLoss ? s.mean : e.measure == M::SweepLossMin ? s.min : s.max;
      return std::nan("");
    default: break;
  }
  if (e.model >= models()) return std::nan("");
  return unrolled::measure(e, *trainers_[e.model], stats_[e.model]);
}

namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

}  // namespace

TourCheck check_tour(const ExperimentConfig& config, std::vector<std::string>* log) {
  TourCheck out;
  TourRunner run;
  if (!run.configure(config, &out.error)) return out;
  out.ok = true;
  for (size_t s = 0; s < config.tour.size(); ++s) {
    const TourStep& step = config.tour[s];
    run.begin_step();
    for (const TourAction& a : step.actions) {
      run.perform(a);
      if (log) log->push_back("step " + std::to_string(s + 1) + ": " + describe(a) + " -> iteration " +
                              std::to_string(run.trainer(0).iteration()));
    }
    for (const TourExpect& e : step.expect) {
      TourCheckLine line;
      line.step = static_cast<int>(s);
      line.expectation = describe(e);
      line.measured = run.measure(e);
      line.pass = line.measured > e.above && line.measured < e.below;
      out.ok = out.ok && line.pass;
      out.lines.push_back(line);
      if (log) log->push_back("  " + line.expectation + ": " + number(line.measured));
    }
  }
  return out;
}

}  // namespace unrolled
