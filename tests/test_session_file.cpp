// Session files: a saved session loads back bit for bit (states, histories, checkpoints, view),
// is written atomically with the old file's permissions, and every kind of damage is refused
// with one message naming the file and the problem: truncated, wrong magic, wrong version, a
// checksum mismatch, shapes that do not match the experiment.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "core/session_file.hpp"
#include "core/trainer.hpp"
#include "small_lesson.hpp"

namespace unrolled {
namespace {

using testing_support::small_lesson;

bool same_bits(const Params& a, const Params& b) {
  const auto ta = a.tensors(), tb = b.tensors();
  if (ta.size() != tb.size()) return false;
  for (size_t k = 0; k < ta.size(); ++k)
    if (ta[k].rows != tb[k].rows || ta[k].cols != tb[k].cols ||
        std::memcmp(ta[k].data, tb[k].data, sizeof(double) * ta[k].size()) != 0)
      return false;
  return true;
}

// A compare lesson (LSTM + GRU) trained 5 iterations, with checkpoints at 0, 2 and 4.
Session trained_session() {
  ExperimentConfig c = small_lesson(CellType::Lstm, TaskKind::Adding, 1);
  ModelConfig gru = c.model;
  gru.cell = CellType::Gru;
  gru.name = "GRU";
  c.compare = {gru};
  Session s;
  s.config = c;
  for (int m = 0; m < 2; ++m) {
    Trainer t;
    std::string e;
    EXPECT_TRUE(t.configure(c, m, &e)) << e;
    std::vector<Checkpoint> cps;
    for (int i = 0; i < 5; ++i) {
      if (i % 2 == 0) cps.push_back({t.capture(false), i == 2});
      EXPECT_TRUE(t.run_iteration());
    }
    s.models.push_back(t.capture(true));
    s.checkpoints.push_back(std::move(cps));
  }
  s.view = {{"mode", "compare"}, {"focused", "gates"}, {"tour_step", 3}};
  return s;
}

std::string tmp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("unrolled_session_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

TEST(SessionFile, RoundTripIsBitExact) {
  const Session s = trained_session();
  const std::string bytes = session_to_bytes(s);
  Session r;
  std::string e;
  ASSERT_TRUE(session_from_bytes(bytes, "s.unrolled", r, &e)) << e;
  ASSERT_EQ(r.models.size(), 2u);
  EXPECT_EQ(r.view, s.view);
  EXPECT_EQ(experiment_to_json(r.config), experiment_to_json(s.config));
  for (size_t m = 0; m < 2; ++m) {
    const TrainerState &a = s.models[m], &b = r.models[m];
    EXPECT_EQ(b.model_index, a.model_index);
    EXPECT_EQ(b.iteration, 5);
    EXPECT_TRUE(same_bits(a.params, b.params));
    EXPECT_TRUE(same_bits(a.optimizer_state1, b.optimizer_state1));
    EXPECT_TRUE(same_bits(a.optimizer_state2, b.optimizer_state2));
    EXPECT_EQ(a.optimizer_steps, b.optimizer_steps);
    EXPECT_TRUE(a.data_rng == b.data_rng);
    EXPECT_EQ(std::memcmp(&a.last_loss, &b.last_loss, 8), 0);
    EXPECT_EQ(a.last_clip.tensor_norm_after, b.last_clip.tensor_norm_after);
    ASSERT_TRUE(b.history.has_value());
    EXPECT_EQ(0, std::memcmp(a.history->ring.data(), b.history->ring.data(), 8 * a.history->ring.size()));
    EXPECT_EQ(0, std::memcmp(a.history->pover.data(), b.history->pover.data(), 8 * a.history->pover.size()));
    EXPECT_EQ(a.history->pover_n, b.history->pover_n);
    ASSERT_EQ(r.checkpoints[m].size(), 3u);
    EXPECT_EQ(r.checkpoints[m][1].state.iteration, 2);
    EXPECT_TRUE(r.checkpoints[m][1].pinned);
    EXPECT_FALSE(r.checkpoints[m][2].pinned);
    EXPECT_TRUE(same_bits(s.checkpoints[m][2].state.params, r.checkpoints[m][2].state.params));
  }
  // Saved again, the same bytes.
  EXPECT_EQ(session_to_bytes(r), bytes);
}

TEST(SessionFile, SavedAtomicallyKeepingPermissionsAndSymlinks) {
  const Session s = trained_session();
  const std::string path = tmp_path("perm.unrolled"), link = tmp_path("link.unrolled");
  std::filesystem::remove(path);
  std::filesystem::remove(link);
  { std::ofstream(path) << "old"; }
  ASSERT_EQ(::chmod(path.c_str(), 0604), 0);
  std::filesystem::create_symlink(path, link);
  std::string e;
  ASSERT_TRUE(save_session(link, s, &e)) << e;
  EXPECT_TRUE(std::filesystem::is_symlink(link)) << "the link stays a link";
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0604u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp-unrolled"));
  Session r;
  ASSERT_TRUE(load_session(link, r, &e)) << e;
  EXPECT_EQ(r.models.size(), 2u);
  EXPECT_FALSE(save_session(tmp_path("no/such/dir/x.unrolled"), s, &e));
  EXPECT_NE(e.find("cannot be written"), std::string::npos) << e;
  std::filesystem::remove(link);
  std::filesystem::remove(path);
}

// Loads damaged bytes; expects a refusal whose message contains `want`.
void expect_refused(const std::string& bytes, const std::string& want) {
  Session r;
  std::string e;
  EXPECT_FALSE(session_from_bytes(bytes, "bad.unrolled", r, &e)) << want;
  EXPECT_EQ(e.rfind("bad.unrolled: ", 0), 0u) << e;
  EXPECT_NE(e.find(want), std::string::npos) << e;
}

uint64_t header_bytes(const std::string& b) {
  uint64_t n = 0;
  std::memcpy(&n, b.data() + 16, 8);
  return n;
}

// The header rewritten (with a fresh checksum): a file damaged consistently, as by a bad writer.
std::string with_header(const std::string& b, const Json& h) {
  const std::string text = h.dump();
  std::string out = b.substr(0, 16);
  const uint64_t n = text.size(), f = fnv1a64(text.data(), text.size());
  out.append(reinterpret_cast<const char*>(&n), 8);
  out.append(reinterpret_cast<const char*>(&f), 8);
  return out + text + b.substr(kSessionPrefixBytes + header_bytes(b));
}

Json header_of(const std::string& b) {
  return Json::parse(b.substr(kSessionPrefixBytes, header_bytes(b)));
}

TEST(SessionFile, DamageIsRefusedWithOneMessageEach) {
  const std::string good = session_to_bytes(trained_session());
  expect_refused("", "truncated: 0 bytes");
  expect_refused(good.substr(0, 20), "truncated: 20 bytes");
  expect_refused(good.substr(0, good.size() - 1), "truncated: the blobs need");
  expect_refused(good.substr(0, kSessionPrefixBytes + 10), "truncated: the header needs");
  expect_refused(good + "x", "1 bytes after the last blob");
  std::string b = good;
  b[0] = 'X';
  expect_refused(b, "not an Unrolled session");
  expect_refused("{\"format\": \"unrolled-experiment\", \"version\": 1, \"model\": {}}",
                 "not an Unrolled session");
  b = good;
  b[8] = 2;
  expect_refused(b, "version 2 is not supported; this Unrolled reads version 1");
  b = good;
  b[kSessionPrefixBytes + 5] ^= 1;
  expect_refused(b, "header checksum mismatch");
  b = good;
  b[good.size() - 3] ^= 0x40;  // inside the last blob
  expect_refused(b, "checksum mismatch (fnv1a64");
  uint64_t huge = uint64_t{1} << 40;
  b = good;
  std::memcpy(b.data() + 16, &huge, 8);
  expect_refused(b, "header of 1099511627776 bytes: at most");
}

TEST(SessionFile, ShapesThatDoNotMatchTheExperimentAreRefused) {
  const std::string good = session_to_bytes(trained_session());
  // The experiment now says H = 7: every blob of the H = 6 model is the wrong size, found from
  // the manifest before anything is read.
  Json h = header_of(good);
  h["experiment"]["model"]["hidden_size"] = 7;
  expect_refused(with_header(good, h), "blob \"models.0.params\" holds");
  // A blob's count changed to match no shape.
  h = header_of(good);
  h["blobs"][0]["count"] = h["blobs"][0]["count"].get<uint64_t>() + 1;
  expect_refused(with_header(good, h), "bytes after the header, the file has");
  h = header_of(good);
  h["models"][0]["state"]["history"]["capacity"] = 16;
  expect_refused(with_header(good, h), "models[0].state.history.capacity: 16 is out of range");
  h = header_of(good);
  h["models"][1]["state"]["model_index"] = 0;
  expect_refused(with_header(good, h), "model 0 appears twice");
  h = header_of(good);
  h["models"][0]["state"]["model_index"] = 5;
  expect_refused(with_header(good, h), "models[0].state.model_index: 5: expected an integer in [0, 1]");
  h = header_of(good);
  h["models"][0]["checkpoints"][1]["iteration"] = 0;
  expect_refused(with_header(good, h), "checkpoints must be in increasing order");
  h = header_of(good);
  h["models"][0]["state"]["training"]["learning_rate"] = -3;
  expect_refused(with_header(good, h), "learning_rate");
  h = header_of(good);
  h["blobs"][1]["type"] = "f32";
  expect_refused(with_header(good, h), "type \"f32\" is not allowed");
  h = header_of(good);
  h["surprise"] = 1;
  expect_refused(with_header(good, h), "unknown keys");
}

TEST(SessionFile, NonFiniteWeightsAreRefused) {
  Session s = trained_session();
  s.models[1].params.layers[0].b(3) = std::numeric_limits<double>::infinity();
  expect_refused(session_to_bytes(s), "models[1].state: params.layers.0.b[3] is infinite");
}

TEST(SessionFile, MissingFileIsReported) {
  Session r;
  std::string e;
  EXPECT_FALSE(load_session(tmp_path("absent.unrolled"), r, &e));
  EXPECT_NE(e.find("cannot be opened"), std::string::npos) << e;
}

// Issue 13: killing the app during an autosave must leave the previous autosave intact. A child
// saves two different sessions over one path as fast as it can; it is killed (SIGKILL) at 25
// moments spread over its work; each time the file reads back whole and is one of the two.
TEST(SessionFile, AKillDuringASaveLeavesTheLastCompleteFile) {
  const std::string path = tmp_path("killed.session");
  Session a = trained_session(), b = a;
  b.view["tour_step"] = 4;
  std::string error;
  ASSERT_TRUE(save_session(path, a, &error)) << error;
  const std::string bytes_a = session_to_bytes(a), bytes_b = session_to_bytes(b);
  for (int trial = 0; trial < 25; ++trial) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (int k = 0;; ++k) save_session(path, k % 2 ? b : a, nullptr);
    }
    ::usleep(static_cast<useconds_t>(1000 + 797 * trial % 9000));  // 1..10 ms into its saves
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    std::ifstream in(path, std::ios::binary);
    const std::string now((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_TRUE(now == bytes_a || now == bytes_b) << "trial " << trial << ": " << now.size()
                                                  << " bytes, neither complete session";
    Session back;
    EXPECT_TRUE(load_session(path, back, &error)) << error;
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".tmp-unrolled");
}

}  // namespace
}  // namespace unrolled
