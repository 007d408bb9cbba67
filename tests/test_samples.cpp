// Every lesson preset, on disk and embedded: it loads, it trains a few iterations without
// diverging, and the binary carries exactly the files in samples/.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "core/json_io.hpp"
#include "core/trainer.hpp"

namespace unrolled {
namespace {

namespace fs = std::filesystem;

// name (without .json) -> file text, for every samples/*.json on disk.
std::map<std::string, std::string> samples_on_disk() {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::directory_iterator(UNROLLED_SOURCE_DIR "/samples")) {
    if (entry.path().extension() != ".json") continue;
    std::string text, error;
    EXPECT_TRUE(read_text_file(entry.path().string(), kMaxExperimentFileBytes, text, &error))
        << error;
    out[entry.path().stem().string()] = text;
  }
  return out;
}

// Loads the experiment and trains every model in it for 3 iterations.
void trains(const std::string& name, const ExperimentConfig& c) {
  for (int m = 0; m < static_cast<int>(c.all_models().size()); ++m) {
    SCOPED_TRACE(name + ", model " + std::to_string(m));
    Trainer tr;
    std::string error;
    ASSERT_TRUE(tr.configure(c, m, &error)) << error;
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(tr.run_iteration()) << tr.divergence().where;
    EXPECT_EQ(tr.phase(), Phase::Ready);
    EXPECT_TRUE(std::isfinite(tr.last_loss()));
    EXPECT_TRUE(tr.network().params().all_finite());
  }
}

TEST(Sample, EveryFileOnDiskLoadsAndTrains) {
  const auto disk = samples_on_disk();
  ASSERT_GE(disk.size(), 11u);
  for (const auto& [name, text] : disk) {
    ExperimentConfig c;
    std::string error;
    ASSERT_TRUE(load_experiment(UNROLLED_SOURCE_DIR "/samples/" + name + ".json", c, &error))
        << error;
    EXPECT_FALSE(c.title.empty()) << name;
    EXPECT_FALSE(c.description.empty()) << name;
    trains(name, c);
  }
}

TEST(Sample, EveryEmbeddedPresetLoadsAndTrains) {
  const auto presets = embedded_presets();
  ASSERT_FALSE(presets.empty());
  for (const auto& [name, text] : presets) {
    ExperimentConfig c;
    std::string error;
    ASSERT_TRUE(parse_experiment_text(text, name + ".json", c, &error)) << error;
    trains(name, c);
  }
}

TEST(Sample, EmbeddedSetEqualsTheFilesOnDisk) {
  std::map<std::string, std::string> embedded;
  for (const auto& [name, text] : embedded_presets()) {
    EXPECT_EQ(embedded.count(name), 0u) << "embedded twice: " << name;
    embedded[name] = text;
  }
  const auto disk = samples_on_disk();
  for (const auto& [name, text] : disk) {
    ASSERT_EQ(embedded.count(name), 1u) << name << ".json is not embedded (rebuild?)";
    EXPECT_EQ(embedded[name], text) << name << ".json differs from its embedded copy";
  }
  for (const auto& [name, text] : embedded) EXPECT_EQ(disk.count(name), 1u) << name;
}

TEST(Sample, EveryTaskKindHasALesson) {
  std::map<TaskKind, int> kinds;
  for (const auto& [name, text] : embedded_presets()) {
    ExperimentConfig c;
    std::string error;
    ASSERT_TRUE(parse_experiment_text(text, name, c, &error)) << error;
    ++kinds[c.task.kind];
  }
  for (TaskKind k : {TaskKind::Adding, TaskKind::Copy, TaskKind::Recall, TaskKind::Sine,
                     TaskKind::CharLm, TaskKind::Sentiment})
    EXPECT_GT(kinds[k], 0) << to_string(k);
}

TEST(Sample, DefaultLessonIsAnLstmOnFirstSymbolRecall) {
  const ExperimentConfig c = default_experiment();
  EXPECT_EQ(c.model.cell, CellType::Lstm);
  EXPECT_EQ(c.task.kind, TaskKind::Recall);
  EXPECT_FALSE(c.title.empty());
}

// The exploding lesson diverges and its clipped twin, identical but for clipping, does not.
TEST(Sample, ExplodingDivergesAndItsClippedTwinTrains) {
  ExperimentConfig boom, clipped;
  std::string error;
  ASSERT_TRUE(load_experiment(UNROLLED_SOURCE_DIR "/samples/exploding.json", boom, &error))
      << error;
  ASSERT_TRUE(
      load_experiment(UNROLLED_SOURCE_DIR "/samples/exploding_clipped.json", clipped, &error))
      << error;
  EXPECT_EQ(boom.training.clip.mode, ClipMode::None);
  EXPECT_EQ(clipped.training.clip.mode, ClipMode::Norm);
  // Twins: the same apart from clipping, title, description and the course's tour.
  ExperimentConfig same = clipped;
  same.training.clip = boom.training.clip;
  same.title = boom.title;
  same.description = boom.description;
  same.course_order = boom.course_order;
  same.summary = boom.summary;
  same.tour = boom.tour;
  EXPECT_EQ(experiment_to_json(same), experiment_to_json(boom));

  Trainer a, b;
  ASSERT_TRUE(a.configure(boom, 0, &error)) << error;
  ASSERT_TRUE(b.configure(clipped, 0, &error)) << error;
  int64_t diverged_at = -1;
  for (int i = 0; i < 300; ++i) {
    if (diverged_at < 0 && !a.run_iteration()) diverged_at = a.iteration();
    ASSERT_TRUE(b.run_iteration()) << b.divergence().where;
  }
  std::printf(
      "[ measured ] exploding diverged at iteration %lld; clipped twin held-out %.4g "
      "(baseline %.4g) after 300\n",
      static_cast<long long>(diverged_at), b.evaluate(4), b.task().info().baseline);
  EXPECT_GE(diverged_at, 0);
  EXPECT_EQ(a.phase(), Phase::Diverged);
  EXPECT_LT(b.evaluate(4), b.task().info().baseline);
}

}  // namespace
}  // namespace unrolled
