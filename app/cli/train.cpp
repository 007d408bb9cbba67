// unrolled train --config FILE.json [--preset NAME] [--model K] [--iterations N] [--seed S]
//                [--metrics M.csv] [--profile P.csv] [--profile-every K] [--save MODEL.json]
//                [--save-session S.unrolled]
// unrolled train --resume S.unrolled [--model K] [--iterations N] [--metrics M.csv] ...
// Trains headless: a progress bar on a terminal (plain lines otherwise), then a summary.
// Output files are written beside their destination and renamed into place only when complete;
// every one is checked for writability before training, and one that fails never keeps the
// others from being written. Exit codes: 0 done; 2 a bad file or argument; 3 diverged; 4 an
// output could not be written; 130 / 143 stopped by SIGINT / SIGTERM (within a time step of the
// iteration under way, which is dropped, with the outputs written for the completed iterations
// and no temporary file left).
// --save-session trains every model of the experiment (a compare lesson's too) in lockstep, with
// checkpoints recorded as the app records them, and writes them all (core/session_file.hpp) after
// the run: the app opens it and scrubs back through it. The CSVs and the summary are model K's.
// --resume continues such a file for N more iterations (by default up to the experiment's
// training.iterations), bit for bit as if the run had never stopped: its CSVs are the rows a
// longer run would have written after the saved iteration (each with its header), and its
// session (with --save-session) the one a longer run would have saved.
// The profile CSV holds T values a row: every K-th iteration's row (--profile-every K), by
// default the smallest K that keeps it under kProfileBytes (64 MiB) for the run's iterations.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/cli/args.hpp"
#include "app/cli/cli.hpp"
#include "core/checkpoints.hpp"
#include "core/interrupt.hpp"
#include "core/model_io.hpp"
#include "core/parallel.hpp"
#include "core/session_file.hpp"
#include "core/trainer.hpp"

namespace unrolled {
namespace {

// The signal that asked the run to stop (SIGINT, SIGTERM), 0 while none has. The handler only
// sets it and raises g_interrupt (a lock-free atomic store: async-signal-safe); the iteration
// under way stops before its next time step, and the run writes what is complete and removes its
// temporary files. SA_RESETHAND: a second signal stops at once.
volatile std::sig_atomic_t g_stop_signal = 0;
Interrupt g_interrupt;
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_stop_signal(int sig) {
  g_stop_signal = sig;
  g_interrupt.raise();
}

// The profile CSV's default size bound, and a row's size: up to 13 characters a value
// ("-1.23457e-05,") and the iteration.
constexpr double kProfileBytes = 64.0 * (1 << 20);

// Installs on_stop_signal for SIGINT and SIGTERM for its lifetime.
class StopSignals {
 public:
  StopSignals() {
    g_stop_signal = 0;
    g_interrupt.clear();
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_RESTART;  // writes are not cut short by the signal
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_int_ {
  }, old_term_{};
};

// Whether a file can be created at path, found by creating (and removing) its temporary file,
// the one write_file_atomic will write, so a bad --save fails before training, not after.
bool check_writable(const std::string& path, std::string* error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    if (error) *error = path + ": is a directory, expected a file name";
    return false;
  }
  const std::string tmp = path + ".tmp-unrolled";
  if (!std::ofstream(tmp, std::ios::trunc)) {
    if (error) *error = path + ": cannot be written (is the folder there and writable?)";
    return false;
  }
  std::remove(tmp.c_str());
  return true;
}

// A CSV written to PATH.tmp-unrolled and renamed to PATH by commit(). A write that fails (a full
// disk) is reported at once, the file is dropped and the run goes on without it.
class CsvOut {
 public:
  bool open(const std::string& path, std::string* error) {
    if (path.empty()) return true;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      if (error) *error = path + ": is a directory, expected a file name";
      return false;
    }
    path_ = path;
    tmp_ = path + ".tmp-unrolled";
    out_.open(tmp_, std::ios::trunc);
    if (!out_) {
      if (error) *error = path + ": cannot be written (is the folder there and writable?)";
      path_.clear();
      return false;
    }
    return true;
  }
  bool active() const { return !path_.empty() && !failed_; }
  bool header_written = false;  // the profile's header goes before its first row
  bool failed() const { return failed_; }
  std::ofstream& stream() { return out_; }
  // After each row: reports a failed write once, when it happens.
  void check(int64_t iteration) {
    if (!active() || out_) return;
    std::fprintf(stderr,
                 "unrolled train: %s: writing failed at iteration %lld (disk full?); training "
                 "goes on and the other outputs are still written\n",
                 path_.c_str(), static_cast<long long>(iteration));
    drop();
  }
  bool commit(std::string* error) {
    if (failed_) return false;  // reported when it happened
    if (path_.empty()) return true;
    out_.close();
    if (!out_ || std::rename(tmp_.c_str(), path_.c_str()) != 0) {
      if (error) *error = path_ + ": could not be completed (disk full?)";
      drop();
      return false;
    }
    path_.clear();
    return true;
  }
  ~CsvOut() {
    if (!path_.empty() && !failed_) drop();
  }

 private:
  void drop() {
    failed_ = true;
    out_.close();
    std::remove(tmp_.c_str());
  }
  std::string path_, tmp_;
  std::ofstream out_;
  bool failed_ = false;
};

void progress(bool tty, int64_t done, int64_t total, double loss, double baseline, double secs) {
  const double frac = static_cast<double>(done) / total;
  const double rate = secs > 0 ? done / secs : 0;
  if (tty) {
    const int width = 30, filled = static_cast<int>(frac * width);
    std::fprintf(stderr, "\r[%s%s] %3d%%  %lld/%lld  loss %.4g (baseline %.4g)  %.0f it/s ",
                 std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
                 static_cast<int>(frac * 100), static_cast<long long>(done),
                 static_cast<long long>(total), loss, baseline, rate);
  } else {
    std::fprintf(stderr, "iteration %lld/%lld  loss %.4g (baseline %.4g)  %.0f it/s\n",
                 static_cast<long long>(done), static_cast<long long>(total), loss, baseline, rate);
  }
  std::fflush(stderr);
}

// One row of each CSV for the iteration just completed (of the profile, every profile_every-th).
void write_rows(const Trainer& trainer, const TaskInfo& info, double learning_rate, CsvOut& metrics,
                CsvOut& profile, int64_t profile_every) {
  const int64_t it = trainer.iteration() - 1;
  if (metrics.active()) {
    const auto& r = trainer.last_clip();
    metrics.stream() << it << ',' << trainer.last_loss() << ',' << info.baseline << ','
                     << trainer.last_accuracy() << ',' << r.global_norm_before << ','
                     << r.global_norm_after << ',' << (r.clipped ? 1 : 0) << ',' << learning_rate
                     << '\n';
    metrics.check(it);
  }
  if (profile.active() && it % profile_every == 0) {
    const Mat& p = trainer.grad_profile();  // (L, T), top layer reported
    if (!profile.header_written) {
      profile.header_written = true;
      profile.stream() << "iteration";
      for (Eigen::Index d = 0; d < p.cols(); ++d) profile.stream() << ",d" << d;
      profile.stream() << '\n';
    }
    profile.stream() << it;
    for (Eigen::Index d = 0; d < p.cols(); ++d) profile.stream() << ',' << p(p.rows() - 1, d);
    profile.stream() << '\n';
    profile.check(it);
  }
}

// What is trained: model K (the CSVs' and the summary's), and with --save-session every model
// of the experiment beside it, in lockstep, each with its checkpoints (within
// kDefaultCheckpointBudget together, as in the app's worker).
struct Run {
  std::vector<std::unique_ptr<Trainer>> trainers;
  std::vector<CheckpointStore> stores;  // empty without --save-session
  size_t primary = 0;                   // model K's trainer
  Trainer& main() { return *trainers[primary]; }
  const Trainer& main() const { return *trainers[primary]; }

  // Model `index` of config; with_all: every model, each with a checkpoint store.
  bool configure(const ExperimentConfig& config, int index, bool with_all, std::string* error) {
    const int n = static_cast<int>(config.all_models().size());
    for (int i = 0; i < n; ++i) {
      if (!with_all && i != index) continue;
      if (i == index) primary = trainers.size();
      trainers.push_back(std::make_unique<Trainer>());
      if (!trainers.back()->configure(config, i, error)) return false;
    }
    if (with_all)
      for (const auto& t : trainers)
        stores.emplace_back(CheckpointStore::checkpoint_bytes_for(*t),
                            kDefaultCheckpointBudget / trainers.size());
    return true;
  }
  // One iteration of every model (the rest of one a signal interrupted); false when one
  // diverged or a signal stopped it.
  bool iterate() {
    for (size_t i = 0; i < stores.size(); ++i)
      if (trainers[i]->phase() == Phase::Ready) stores[i].record(*trainers[i]);
    std::vector<char> ok(trainers.size(), 1);
    parallel_for(static_cast<int>(trainers.size()),
                 [&](int i) { ok[i] = trainers[i]->run_iteration(&g_interrupt); });
    for (size_t i = 0; i < trainers.size(); ++i)
      if (!ok[i] || trainers[i]->phase() != Phase::Ready) return false;
    return true;
  }
  // The first model that diverged, or nullptr.
  const Trainer* diverged() const {
    for (const auto& t : trainers)
      if (t->phase() == Phase::Diverged) return t.get();
    return nullptr;
  }
  Session session(const Json& view) const {
    Session s;
    s.config = main().config();
    for (size_t i = 0; i < trainers.size(); ++i) {
      s.models.push_back(trainers[i]->capture(true));
      std::vector<Checkpoint> list;
      if (i < stores.size())
        for (const Checkpoint* c : stores[i].all()) list.push_back(*c);
      s.checkpoints.push_back(std::move(list));
    }
    s.view = view;
    return s;
  }
};

// Completes every output, each whatever happened to the others; prints each failure. Returns
// false if any failed.
bool finish_outputs(CsvOut& metrics, CsvOut& profile, const std::string& save_path,
                    const std::string& session_path, const Json& view, const Run& run) {
  bool ok = true;
  std::string error;
  for (CsvOut* csv : {&metrics, &profile}) {
    const bool was_failed = csv->failed();
    if (!csv->commit(&error)) {
      ok = false;
      if (!was_failed) std::fprintf(stderr, "unrolled train: %s\n", error.c_str());
    }
  }
  if (!save_path.empty() && !save_model(save_path, run.main().network(), &error)) {
    ok = false;
    std::fprintf(stderr, "unrolled train: %s\n", error.c_str());
  }
  if (!session_path.empty() && !save_session(session_path, run.session(view), &error)) {
    ok = false;
    std::fprintf(stderr, "unrolled train: %s\n", error.c_str());
  }
  return ok;
}

// --resume: the session's experiment and model K's state (or its first model's) restored; with
// with_all every model it holds, with its checkpoints. False with one message.
bool resume(const std::string& path, int model_index, bool model_given, bool with_all,
            ExperimentConfig& config, Run& run, Json& view, std::string* error) {
  Session s;
  if (!load_session(path, s, error)) return false;
  size_t k = 0;
  if (model_given) {
    while (k < s.models.size() && s.models[k].model_index != model_index) ++k;
    if (k == s.models.size()) {
      std::string have;
      for (const auto& m : s.models) have += (have.empty() ? "" : ", ") + std::to_string(m.model_index);
      *error = "--model " + std::to_string(model_index) + ": " + path + " holds model(s) " + have;
      return false;
    }
  }
  config = s.config;
  view = s.view;
  if (!run.configure(config, s.models[k].model_index, with_all, error)) return false;
  for (size_t j = 0; j < s.models.size(); ++j) {
    const int m = s.models[j].model_index;
    if (!with_all && j != k) continue;
    if (with_all && (m < 0 || m >= static_cast<int>(run.trainers.size()))) {
      *error = path + ": model " + std::to_string(m) + ": the experiment has " +
               std::to_string(run.trainers.size()) + " model(s), numbered from 0";
      return false;
    }
    // configure built every model of the experiment in order (or model K alone).
    Trainer& t = with_all ? *run.trainers[m] : run.main();
    if (!t.restore(s.models[j], error)) {
      *error = path + ": model " + std::to_string(m) + ": " + *error;
      return false;
    }
    if (with_all && j < s.checkpoints.size())
      for (const Checkpoint& c : s.checkpoints[j])
        if (!run.stores[m].insert(c)) {
          *error = path + ": model " + std::to_string(m) + ": checkpoints out of order";
          return false;
        }
  }
  return true;
}

// The summary on standard output. held_out: also evaluate on 8 held-out batches (a few
// iterations' time, which a stopped run does not want).
void print_summary(const Trainer& trainer, const TaskInfo& info, double secs, bool held_out) {
  double accuracy = 0;
  const double held_out_loss = held_out ? trainer.evaluate(8, &accuracy) : std::nan("");
  std::printf("%s on %s: %lld iterations in %.2f s (%.0f it/s)\n", trainer.model().name.c_str(),
              info.name.c_str(), static_cast<long long>(trainer.iteration()), secs,
              secs > 0 ? trainer.iteration() / secs : 0.0);
  std::printf("final training loss %.4g, held-out loss %.4g, baseline %.4g (%s)\n",
              trainer.last_loss(), held_out_loss, info.baseline, info.baseline_note.c_str());
  if (info.has_accuracy && held_out) std::printf("held-out accuracy %.1f%%\n", 100 * accuracy);
}

// Trains to `total` iterations (or a signal, or divergence), writing each iteration's rows and
// the progress; returns the seconds it took.
double train_loop(Run& run, int64_t total, bool tty, double learning_rate, CsvOut& metrics,
                  CsvOut& profile, int64_t profile_every) {
  const Trainer& trainer = run.main();
  const TaskInfo& info = trainer.task().info();
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  int64_t next_report = 0;
  const int64_t report_every =
      tty ? std::max<int64_t>(1, total / 200) : std::max<int64_t>(1, total / 10);
  while (trainer.iteration() < total && g_stop_signal == 0) {
    if (!run.iterate()) break;
    write_rows(trainer, info, learning_rate, metrics, profile, profile_every);
    if (trainer.iteration() >= next_report || trainer.iteration() == total) {
      progress(tty, trainer.iteration(), total, trainer.last_loss(), info.baseline, seconds());
      next_report = trainer.iteration() + report_every;
    }
  }
  if (tty) std::fputc('\n', stderr);
  return seconds();
}

}  // namespace

int64_t default_profile_every(int steps, int64_t iterations) {
  // ceil(iterations / K) rows of `row` bytes fit: K = ceil(iterations / rows that fit).
  const double row = 13.0 * steps + 12;
  const int64_t fit = std::max<int64_t>(1, static_cast<int64_t>(kProfileBytes / row));
  return std::max<int64_t>(1, (iterations + fit - 1) / fit);
}

int cli_train(const std::vector<std::string>& args) {
  ArgParser ap("train", args);
  std::string config_path, preset, metrics_path, profile_path, save_path, session_path, resume_path;
  int iterations = 0, model_index = -1, profile_every = 0;
  std::optional<uint64_t> seed;
  ap.string("--config", config_path, "FILE.json");
  ap.string("--preset", preset, "NAME");
  ap.integer("--model", model_index, 0, kMaxCompareModels - 1);
  ap.integer("--iterations", iterations, 1, 1'000'000'000);
  ap.custom("--seed", "S", [&seed](const std::string& v, std::string* e) {
    char* end = nullptr;
    const unsigned long long s = std::strtoull(v.c_str(), &end, 10);
    if (!v.empty() && v[0] != '-' && *end == '\0' && s <= (1ULL << 53)) return seed = s, true;
    *e = "--seed '" + v + "': expected an integer in [0, 2^53]";
    return false;
  });
  ap.string("--metrics", metrics_path, "M.csv");
  ap.string("--profile", profile_path, "P.csv");
  ap.integer("--profile-every", profile_every, 1, 1'000'000'000);
  ap.string("--save", save_path, "MODEL.json");
  ap.string("--save-session", session_path, "S.unrolled");
  ap.string("--resume", resume_path, "S.unrolled");
  if (!ap.parse()) return 2;

  ExperimentConfig config;
  std::string error;
  Run run;
  Json view = Json::object();
  const bool model_given = model_index >= 0;
  model_index = std::max(model_index, 0);
  int64_t total = 0;
  const bool with_all = !session_path.empty();  // a session holds every model
  if (!resume_path.empty()) {
    if (!config_path.empty() || !preset.empty())
      return ap.fail("--resume continues the session's own experiment: leave out --config and "
                     "--preset");
    if (seed) return ap.fail("--seed: a resumed run keeps the session's seed");
    if (!resume(resume_path, model_index, model_given, with_all, config, run, view, &error))
      return ap.fail(error);
    const Trainer& trainer = run.main();
    total = iterations > 0 ? trainer.iteration() + iterations : config.training.iterations;
    if (total <= trainer.iteration())
      return ap.fail(resume_path + " is at iteration " + std::to_string(trainer.iteration()) +
                     ", the experiment's training.iterations is " +
                     std::to_string(config.training.iterations) + ": give --iterations N for N more");
    if (trainer.phase() == Phase::Diverged)
      return ap.fail(resume_path + ": the saved run diverged at iteration " +
                     std::to_string(trainer.divergence().iteration) + "; nothing to resume");
  } else {
    if (!read_lesson(config_path, preset, config, &error)) return ap.fail(error);
    if (seed) config.training.seed = *seed;
    if (iterations > 0) config.training.iterations = iterations;
    if (model_index > static_cast<int>(config.compare.size()))
      return ap.fail("--model " + std::to_string(model_index) + ": the experiment has " +
                     std::to_string(config.compare.size() + 1) + " model(s), numbered from 0");
    if (!run.configure(config, model_index, with_all, &error)) return ap.fail(error);
    total = config.training.iterations;
  }
  if (const std::string slow = slow_iteration_warning(config); !slow.empty())
    std::fprintf(stderr, "unrolled train: warning: %s\n", slow.c_str());
  // Every output is checked before training starts, so none fails only after a long run.
  StopSignals stop_signals;
  CsvOut metrics, profile;
  if (!metrics.open(metrics_path, &error) || !profile.open(profile_path, &error) ||
      (!save_path.empty() && !check_writable(save_path, &error)) ||
      (!session_path.empty() && !check_writable(session_path, &error)))
    return ap.fail(error);
  if (metrics.active())
    metrics.stream() << "iteration,loss,baseline,accuracy,grad_norm_before,grad_norm_after,clipped,"
                        "learning_rate\n";

  Trainer& trainer = run.main();
  const TaskInfo& info = trainer.task().info();
  const int64_t start = trainer.iteration();
  const bool tty = isatty(STDERR_FILENO);
  std::fprintf(stderr, "training %s (%s, %d layer(s), H = %d) on %s, T = %d, batch %d, seed %llu\n",
               trainer.model().name.c_str(), std::string(to_string(trainer.model().cell)).c_str(),
               trainer.model().layers, trainer.model().hidden_size, info.name.c_str(), info.steps,
               config.training.batch_size, static_cast<unsigned long long>(config.training.seed));
  if (run.trainers.size() > 1)
    std::fprintf(stderr, "unrolled train: the session holds all %zu models, trained in lockstep\n",
                 run.trainers.size());
  const int64_t every =
      profile_every > 0 ? profile_every : default_profile_every(info.steps, total - start);
  if (profile.active() && every > 1)
    std::fprintf(stderr, "unrolled train: the profile keeps every %lld-th iteration's row%s\n",
                 static_cast<long long>(every),
                 profile_every > 0 ? "" : " (under 64 MiB; --profile-every K to choose)");
  const double secs = train_loop(run, total, tty, trainer.config().training.optimizer.learning_rate,
                                 metrics, profile, every);
  const int stopped_by = g_stop_signal;
  int code = 0;
  if (const Trainer* gone = run.diverged()) {
    const Divergence& d = gone->divergence();
    const std::string who = run.trainers.size() > 1 ? "model '" + gone->model().name + "': " : "";
    std::fprintf(stderr, "unrolled train: %straining diverged at iteration %lld: %s. %s\n",
                 who.c_str(), static_cast<long long>(d.iteration), d.where.c_str(), d.cause.c_str());
    code = 3;
  }
  if (stopped_by != 0) {
    std::fprintf(stderr,
                 "unrolled train: stopped by %s after %lld of %lld iterations; the outputs hold "
                 "the completed iterations\n",
                 stopped_by == SIGINT ? "SIGINT" : "SIGTERM",
                 static_cast<long long>(trainer.iteration()), static_cast<long long>(total));
  }
  if (!finish_outputs(metrics, profile, save_path, session_path, view, run)) code = 4;
  if (stopped_by != 0) code = 128 + stopped_by;  // the shell's convention for a signal
  print_summary(trainer, info, secs, /*held_out=*/stopped_by == 0);
  return code;
}

}  // namespace unrolled
