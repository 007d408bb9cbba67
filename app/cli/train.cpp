// unrolled train --config FILE.json [--preset NAME] [--model K] [--iterations N] [--seed S]
//                [--metrics M.csv] [--profile P.csv] [--save MODEL.json]
// Trains headless: a progress bar on a terminal (plain lines otherwise), then a summary.
// Output files are written beside their destination and renamed into place only when complete.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "app/cli/cli.hpp"
#include "app/cli/args.hpp"
#include "core/model_io.hpp"
#include "core/trainer.hpp"

namespace unrolled {
namespace {

// A CSV written to PATH.tmp-unrolled and renamed to PATH by commit().
class CsvOut {
 public:
  bool open(const std::string& path, std::string* error) {
    if (path.empty()) return true;
    path_ = path;
    tmp_ = path + ".tmp-unrolled";
    out_.open(tmp_, std::ios::trunc);
    if (!out_) {
      if (error) *error = path + ": cannot be written (is the folder there and writable?)";
      return false;
    }
    return true;
  }
  bool active() const { return !path_.empty(); }
  std::ofstream& stream() { return out_; }
  bool commit(std::string* error) {
    if (!active()) return true;
    out_.close();
    if (!out_ || std::rename(tmp_.c_str(), path_.c_str()) != 0) {
      if (error) *error = path_ + ": could not be completed";
      std::remove(tmp_.c_str());
      return false;
    }
    return true;
  }
  ~CsvOut() {
    if (active() && out_.is_open()) {
      out_.close();
      std::remove(tmp_.c_str());
    }
  }

 private:
  std::string path_, tmp_;
  std::ofstream out_;
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

}  // namespace

int cli_train(const std::vector<std::string>& args) {
  ArgParser ap("train", args);
  std::string config_path, preset, metrics_path, profile_path, save_path;
  int iterations = 0, model_index = 0;
  std::string seed_text;
  ap.string("--config", config_path, "FILE.json");
  ap.string("--preset", preset, "NAME");
  ap.integer("--model", model_index, 0, kMaxCompareModels - 1);
  ap.integer("--iterations", iterations, 1, 1'000'000'000);
  ap.string("--seed", seed_text, "S");
  ap.string("--metrics", metrics_path, "M.csv");
  ap.string("--profile", profile_path, "P.csv");
  ap.string("--save", save_path, "MODEL.json");
  if (!ap.parse()) return 2;

  ExperimentConfig config;
  std::string error;
  if (config_path.empty() == preset.empty()) {
    std::string names;
    for (const auto& [name, text] : embedded_presets()) names += " " + name;
    return ap.fail("give either --config FILE.json or --preset NAME (built in:" + names + ")");
  }
  if (!config_path.empty()) {
    if (!load_experiment(config_path, config, &error)) return ap.fail(error);
  } else {
    bool found = false;
    std::string names;
    for (const auto& [name, text] : embedded_presets()) {
      names += " " + name;
      if (name == preset) {
        found = true;
        if (!parse_experiment_text(text, name + ".json", config, &error)) return ap.fail(error);
      }
    }
    if (!found) return ap.fail("--preset '" + preset + "' is not built in; built in:" + names);
  }
  if (!seed_text.empty()) {
    try {
      size_t used = 0;
      const long long s = std::stoll(seed_text, &used);
      if (used != seed_text.size() || s < 0 || s > (1LL << 53)) throw 0;
      config.training.seed = static_cast<uint64_t>(s);
    } catch (...) {
      return ap.fail("--seed '" + seed_text + "': expected an integer in [0, 2^53]");
    }
  }
  if (iterations > 0) config.training.iterations = iterations;
  if (model_index > static_cast<int>(config.compare.size()))
    return ap.fail("--model " + std::to_string(model_index) + ": the experiment has " +
                   std::to_string(config.compare.size() + 1) + " model(s), numbered from 0");

  Trainer trainer;
  if (!trainer.configure(config, model_index, &error)) return ap.fail(error);
  CsvOut metrics, profile;
  if (!metrics.open(metrics_path, &error) || !profile.open(profile_path, &error))
    return ap.fail(error);
  if (metrics.active())
    metrics.stream() << "iteration,loss,baseline,accuracy,grad_norm_before,grad_norm_after,clipped,"
                        "learning_rate\n";

  const TaskInfo& info = trainer.task().info();
  const int64_t total = config.training.iterations;
  const bool tty = isatty(STDERR_FILENO);
  std::fprintf(stderr, "training %s (%s, %d layer(s), H = %d) on %s, T = %d, batch %d, seed %llu\n",
               trainer.model().name.c_str(), std::string(to_string(trainer.model().cell)).c_str(),
               trainer.model().layers, trainer.model().hidden_size, info.name.c_str(), info.steps,
               config.training.batch_size, static_cast<unsigned long long>(config.training.seed));
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  int64_t next_report = 0;
  const int64_t report_every =
      tty ? std::max<int64_t>(1, total / 200) : std::max<int64_t>(1, total / 10);
  while (trainer.iteration() < total) {
    if (!trainer.run_iteration()) break;
    const auto& r = trainer.last_clip();
    if (metrics.active()) {
      metrics.stream() << trainer.iteration() - 1 << ',' << trainer.last_loss() << ','
                       << info.baseline << ',' << trainer.last_accuracy() << ','
                       << r.global_norm_before << ',' << r.global_norm_after << ','
                       << (r.clipped ? 1 : 0) << ',' << config.training.optimizer.learning_rate
                       << '\n';
    }
    if (profile.active()) {
      const Mat& p = trainer.grad_profile();  // (L, T), top layer reported
      if (trainer.iteration() == 1) {
        profile.stream() << "iteration";
        for (Eigen::Index d = 0; d < p.cols(); ++d) profile.stream() << ",d" << d;
        profile.stream() << '\n';
      }
      profile.stream() << trainer.iteration() - 1;
      for (Eigen::Index d = 0; d < p.cols(); ++d) profile.stream() << ',' << p(p.rows() - 1, d);
      profile.stream() << '\n';
    }
    if (trainer.iteration() >= next_report || trainer.iteration() == total) {
      progress(tty, trainer.iteration(), total, trainer.last_loss(), info.baseline, seconds());
      next_report = trainer.iteration() + report_every;
    }
  }
  if (tty) std::fputc('\n', stderr);
  const double secs = seconds();
  int code = 0;
  if (trainer.phase() == Phase::Diverged) {
    const Divergence& d = trainer.divergence();
    std::fprintf(stderr, "unrolled train: training diverged at iteration %lld: %s. %s\n",
                 static_cast<long long>(d.iteration), d.where.c_str(), d.cause.c_str());
    code = 3;
  }
  if (!metrics.commit(&error) || !profile.commit(&error)) return ap.fail(error);
  if (!save_path.empty() && !save_model(save_path, trainer.network(), &error))
    return ap.fail(error);
  double accuracy = 0;
  const double held_out = trainer.evaluate(8, &accuracy);
  std::printf("%s on %s: %lld iterations in %.2f s (%.0f it/s)\n", trainer.model().name.c_str(),
              info.name.c_str(), static_cast<long long>(trainer.iteration()), secs,
              secs > 0 ? trainer.iteration() / secs : 0.0);
  std::printf("final training loss %.4g, held-out loss %.4g, baseline %.4g (%s)\n",
              trainer.last_loss(), held_out, info.baseline, info.baseline_note.c_str());
  if (info.has_accuracy) std::printf("held-out accuracy %.1f%%\n", 100 * accuracy);
  return code;
}

}  // namespace unrolled
