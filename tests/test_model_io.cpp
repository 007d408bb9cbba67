#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/init.hpp"
#include "core/model_io.hpp"

namespace unrolled {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
  const fs::path d =
      fs::temp_directory_path() /
      ("unrolled_io_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

Network make_net(CellType cell, GruVariant v = GruVariant::ResetBefore) {
  NetworkSpec s;
  s.cell = cell;
  s.gru_variant = v;
  s.input_size = 3;
  s.hidden_size = 4;
  s.output_size = 2;
  s.num_layers = 2;
  s.readout = Readout::Last;
  s.loss = LossKind::CrossEntropy;
  Network net(s);
  Rng rng(17);
  initialize(net.params(), s, {InitKind::Glorot, 0.9, 1.0}, rng);
  for (auto& t : net.params().tensors())
    for (Eigen::Index i = 0; i < t.size(); ++i) t.data[i] += 1e-3 * rng.normal();  // no zeros
  return net;
}

TEST(ModelIo, SaveLoadForwardIsBitIdentical) {
  const fs::path dir = temp_dir();
  for (auto [cell, v] : {std::pair{CellType::Rnn, GruVariant::ResetBefore},
                         std::pair{CellType::Lstm, GruVariant::ResetBefore},
                         std::pair{CellType::Gru, GruVariant::ResetBefore},
                         std::pair{CellType::Gru, GruVariant::ResetAfter}}) {
    const Network net = make_net(cell, v);
    const std::string path = (dir / "m.json").string();
    std::string error;
    ASSERT_TRUE(save_model(path, net, &error)) << error;
    Network back;
    ASSERT_TRUE(load_model(path, back, &error)) << error;
    EXPECT_EQ(back.spec().cell, cell);
    EXPECT_EQ(back.spec().gru_variant, v);
    EXPECT_EQ(back.spec().num_layers, 2);
    Batch batch;
    Rng rng(2);
    for (int t = 0; t < 7; ++t)
      batch.inputs.push_back(Mat::NullaryExpr(3, 2, [&] { return rng.normal(); }));
    batch.targets.push_back((Mat(2, 2) << 1, 0, 0, 1).finished());
    Trace a, b;
    net.forward(a, batch);
    back.forward(b, batch);
    EXPECT_EQ(a.loss, b.loss);
    EXPECT_EQ(a.steps[1][6].h, b.steps[1][6].h);
  }
}

TEST(ModelIo, WrongShapeNamesTheTensorAndBothShapes) {
  Json j = model_to_json(make_net(CellType::Lstm));
  j["layers"][1]["W_h"].erase(j["layers"][1]["W_h"].begin());  // 15 rows instead of 16
  Network out;
  std::string error;
  EXPECT_FALSE(model_from_json(j, out, &error));
  EXPECT_NE(error.find("layers[1].W_h"), std::string::npos) << error;
  EXPECT_NE(error.find("(4H, H) = (16, 4)"), std::string::npos) << error;
  EXPECT_NE(error.find("found (15, 4)"), std::string::npos) << error;
}

TEST(ModelIo, BadFieldsAreRefusedWithWhatIsAllowed) {
  const Json good = model_to_json(make_net(CellType::Gru, GruVariant::ResetAfter));
  struct Bad {
    std::function<void(Json&)> edit;
    std::string expect;
  };
  const std::vector<Bad> cases = {
      {[](Json& j) { j["cell"] = "transformer"; }, "allowed: rnn|lstm|gru"},
      {[](Json& j) { j["hidden_size"] = 10000000; }, "hidden_size: 10000000 is not allowed"},
      {[](Json& j) { j["hidden_size"] = 0; }, "expected an integer in [1, 1024]"},
      {[](Json& j) { j["version"] = 3; }, "version: 3 is not supported"},
      {[](Json& j) { j["colour"] = "red"; }, "unknown key 'colour'"},
      {[](Json& j) { j["layers"][0].erase("b_hn"); }, "layers[0].b_hn: missing"},
      {[](Json& j) { j["output"]["b"][0] = "x"; }, "output.b[0]: expected a finite number"},
      {[](Json& j) { j["layers"] = Json::array(); }, "layers: expected an array of 1 to 4"},
      // Issue 14: as strict as the format says, at every level.
      {[](Json& j) { j["version"] = 1.0; }, "version: 1.0 is not supported"},
      {[](Json& j) { j["layers"][1]["W_hh"] = Json::array(); },
       "layers[1]: unknown key 'W_hh'; allowed: W_x, W_h, b, b_hn"},
      {[](Json& j) { j["output"]["bias"] = 0; }, "output: unknown key 'bias'; allowed: W, b"},
      {[](Json& j) { j["output"]["W"][0][0] = 1e308 * 10; },
       "output.W[0][0]: null is out of range"},
      {[](Json& j) { j["output"]["W"][1][2] = "1"; },
       "output.W[1][2]: expected a number, found a string"},
  };
  for (const auto& c : cases) {
    Json j = good;
    c.edit(j);
    Network out;
    std::string error;
    EXPECT_FALSE(model_from_json(j, out, &error));
    EXPECT_NE(error.find(c.expect), std::string::npos) << "got: " << error;
  }
}

TEST(ModelIo, BHnBelongsOnlyToTheResetAfterGru) {
  Json j = model_to_json(make_net(CellType::Lstm));
  j["layers"][0]["b_hn"] = Json::array({0, 0, 0, 0});
  Network out;
  std::string error;
  EXPECT_FALSE(model_from_json(j, out, &error));
  EXPECT_NE(error.find("layers[0].b_hn: only the reset_after GRU has b_hn; this model's cell is "
                       "lstm"),
            std::string::npos)
      << error;
}

TEST(ModelIo, OverflowingNumbersAndRepeatedKeysAreRefusedNotThrown) {
  const fs::path dir = temp_dir();
  const std::string text = model_to_json(make_net(CellType::Rnn)).dump();
  Network out;
  std::string error;
  write(dir / "tiny.json", "1e309");
  EXPECT_FALSE(load_model((dir / "tiny.json").string(), out, &error));
  EXPECT_NE(error.find("tiny.json: number out of range at byte 5: 1e309"), std::string::npos)
      << error;
  std::string big = text;
  big.replace(big.find("\"b\":[") + 5, 0, "1e400,");
  write(dir / "big.json", big);
  EXPECT_FALSE(load_model((dir / "big.json").string(), out, &error));
  EXPECT_NE(error.find("1e400 is beyond the largest double"), std::string::npos) << error;
  write(dir / "twice.json", "{\"cell\": \"gru\"," + text.substr(1));
  EXPECT_FALSE(load_model((dir / "twice.json").string(), out, &error));
  EXPECT_NE(error.find("key 'cell' appears twice"), std::string::npos) << error;
}

TEST(ModelIo, MalformedFilesGetOneClearMessage) {
  const fs::path dir = temp_dir();
  Network out;
  std::string error;
  EXPECT_FALSE(load_model((dir / "absent.json").string(), out, &error));
  EXPECT_NE(error.find("no such file"), std::string::npos) << error;
  write(dir / "empty.json", "  \n");
  EXPECT_FALSE(load_model((dir / "empty.json").string(), out, &error));
  EXPECT_NE(error.find("empty"), std::string::npos) << error;
  write(dir / "cut.json", "{\"format\": \"unrolled-model\", \"layers\": [[1, 2");
  EXPECT_FALSE(load_model((dir / "cut.json").string(), out, &error));
  EXPECT_NE(error.find("not valid JSON"), std::string::npos) << error;
  write(dir / "deep.json", std::string(100000, '[') + std::string(100000, ']'));
  EXPECT_FALSE(load_model((dir / "deep.json").string(), out, &error));
  EXPECT_NE(error.find("nested deeper than 64"), std::string::npos) << error;
  write(dir / "list.json", "[1, 2, 3]");
  EXPECT_FALSE(load_model((dir / "list.json").string(), out, &error));
  EXPECT_NE(error.find("expected a JSON object"), std::string::npos) << error;
}

TEST(ModelIo, SavingNeverLeavesAHalfWrittenFile) {
  const fs::path dir = temp_dir();
  std::string error;
  EXPECT_FALSE(
      save_model((dir / "no_such_dir" / "m.json").string(), make_net(CellType::Rnn), &error));
  EXPECT_NE(error.find("cannot be written"), std::string::npos) << error;
  const std::string path = (dir / "m.json").string();
  write(path, "old");
  ASSERT_TRUE(save_model(path, make_net(CellType::Rnn), &error));
  EXPECT_FALSE(fs::exists(path + ".tmp-unrolled"));
  Network back;
  EXPECT_TRUE(load_model(path, back, &error)) << error;
}

TEST(ModelIo, BatchFilesRoundTripInBothReadouts) {
  for (Readout r : {Readout::Every, Readout::Last}) {
    NetworkSpec s;
    s.input_size = 2;
    s.output_size = 3;
    s.readout = r;
    Batch b;
    Rng rng(1);
    for (int t = 0; t < 4; ++t)
      b.inputs.push_back(Mat::NullaryExpr(2, 3, [&] { return rng.normal(); }));
    for (int t = 0; t < (r == Readout::Every ? 4 : 1); ++t)
      b.targets.push_back(Mat::NullaryExpr(3, 3, [&] { return rng.normal(); }));
    b.mask = Mat::Ones(r == Readout::Every ? 4 : 1, 3);
    b.mask(0, 1) = 0;
    Batch back;
    std::string error;
    ASSERT_TRUE(batch_from_json(batch_to_json(b, r), s, back, &error)) << error;
    EXPECT_EQ(back.inputs[3], b.inputs[3]);
    EXPECT_EQ(back.targets.back(), b.targets.back());
    EXPECT_EQ(back.mask, b.mask);
  }
}

// The batch error for j (which must be refused) on a spec with I = 2, O = 1, readout every.
std::string batch_refused(const Json& j, Readout readout = Readout::Every) {
  NetworkSpec s;
  s.input_size = 2;
  s.output_size = 1;
  s.readout = readout;
  Batch out;
  std::string error;
  EXPECT_FALSE(batch_from_json(j, s, out, &error)) << j.dump().substr(0, 200);
  return error;
}

TEST(ModelIo, BatchShapesAreCheckedBeforeAnythingIsSized) {
  // The audit's case: the first sequence is long and many more follow, each empty. Sized from
  // inputs and inputs[0] alone this asked for 20000 x 20000 x 2 doubles (6.4 GB); now the total is
  // refused before any buffer exists.
  Json seq = Json::array();
  for (int t = 0; t < 20000; ++t) seq.push_back(Json::array({0, 0}));
  Json inputs = Json::array({seq});
  for (int s = 1; s < 20000; ++s) inputs.push_back(Json::array());
  std::string e = batch_refused({{"inputs", inputs}, {"targets", Json::array()}});
  EXPECT_NE(e.find("inputs: 20000 sequences of 20000 steps hold about"), std::string::npos) << e;
  EXPECT_NE(e.find("at most 33554432 are allowed"), std::string::npos) << e;
  // Within the total, every sequence is checked before any is read.
  inputs = Json::array({Json::array({{0, 0}, {0, 0}}), Json::array({{0, 0}})});
  Json targets = Json::array({Json::array({{1}, {1}}), Json::array({{1}, {1}})});
  e = batch_refused({{"inputs", inputs}, {"targets", targets}});
  EXPECT_NE(e.find("inputs[1]: expected shape (T, I) = (2, 2), found (1, 2)"), std::string::npos)
      << e;
  inputs[1] = Json::array({{0, 0}, {0, 0, 0}});
  e = batch_refused({{"inputs", inputs}, {"targets", targets}});
  EXPECT_NE(e.find("inputs[1]: expected shape (T, I) = (2, 2), found row 1 with 3 values"),
            std::string::npos)
      << e;
  inputs[1] = Json::array({{0, 0}, {0, 0}});
  targets[1] = Json::array({{1}});
  e = batch_refused({{"inputs", inputs}, {"targets", targets}});
  EXPECT_NE(e.find("targets[1]: expected shape (T, O) = (2, 1)"), std::string::npos) << e;
  targets[1] = Json::array({{1}, {1}});
  e = batch_refused({{"inputs", inputs}, {"targets", targets}, {"mask", {{1, 1}, {1}}}});
  EXPECT_NE(e.find("mask: expected shape (B, T) = (2, 2), found row 1 with 1 values"),
            std::string::npos)
      << e;
  e = batch_refused({{"inputs", inputs}, {"targets", {{1}, {1}}}, {"mask", {1, 1, 1}}},
                    Readout::Last);
  EXPECT_NE(e.find("mask: expected shape (B) = (2), found (3)"), std::string::npos) << e;
  e = batch_refused({{"inputs", inputs}, {"targets", targets}, {"weights", 1}});
  EXPECT_NE(e.find("batch: unknown key 'weights'; allowed: inputs, targets, mask"),
            std::string::npos)
      << e;
}

TEST(ModelIo, BatchValuesAndMaskWeightsHaveDocumentedRanges) {
  const Json inputs = Json::array({Json::array({{0, 0.5}, {1, 2}})});
  const Json targets = Json::array({Json::array({{1}, {1}})});
  std::string e = batch_refused({{"inputs", inputs}, {"targets", {{{1}, {1e308}}}}});
  EXPECT_NE(e.find("targets[0][1][0]: 1e+308 is out of range; expected a finite number in "
                   "[-1e+06, 1e+06]"),
            std::string::npos)
      << e;
  e = batch_refused({{"inputs", {{{0, 0}, {-2e6, 0}}}}, {"targets", targets}});
  EXPECT_NE(e.find("inputs[0][1][0]: -2000000.0 is out of range"), std::string::npos) << e;
  e = batch_refused({{"inputs", inputs}, {"targets", targets}, {"mask", {{1, 1e308}}}});
  EXPECT_NE(e.find("mask[0][1]: 1e+308 is out of range; each weight is in [0, 1e+06]"),
            std::string::npos)
      << e;
  e = batch_refused({{"inputs", inputs}, {"targets", targets}, {"mask", {{-1, 1}}}});
  EXPECT_NE(e.find("mask[0][0]: -1 is out of range"), std::string::npos) << e;
  e = batch_refused({{"inputs", inputs}, {"targets", {{1}}}, {"mask", {1e7}}}, Readout::Last);
  EXPECT_NE(e.find("mask[0]: 1e+07 is out of range"), std::string::npos) << e;
  // The edges are accepted.
  NetworkSpec s;
  s.input_size = 2;
  s.output_size = 1;
  Batch b;
  std::string error;
  EXPECT_TRUE(batch_from_json(
      {{"inputs", {{{-1e6, 1e6}, {0, 0}}}}, {"targets", targets}, {"mask", {{0, 1e6}}}}, s, b,
      &error))
      << error;
}

TEST(ModelIo, GradMemoryFollowsTheDocumentedEstimate) {
  NetworkSpec s;
  s.cell = CellType::Lstm;  // G = 4
  s.input_size = 3;
  s.hidden_size = 128;
  s.output_size = 2;
  s.num_layers = 2;
  s.readout = Readout::Every;
  // At least the doubles of the trace and the batch: 8 x ((3G + 6)·H·B·T·L + 2·O·B·T) and
  // 8 x (I·T + (O + 1)·T)·B; the overheads around them add less than a tenth here.
  const double T = 1000, B = 5;
  const double doubles = 8 * (18 * 128 * B * T * 2 + 2 * 2 * B * T + (3 * T + 3 * T) * B);
  EXPECT_GT(grad_memory_bytes(s, 1000, 5), doubles);
  EXPECT_LT(grad_memory_bytes(s, 1000, 5), 1.1 * doubles + 32 * (1 << 20));
  // Each size counts.
  EXPECT_GT(grad_memory_bytes(s, 1001, 5), grad_memory_bytes(s, 1000, 5));
  EXPECT_GT(grad_memory_bytes(s, 1000, 6), grad_memory_bytes(s, 1000, 5));
  s.readout = Readout::Last;
  EXPECT_EQ(check_grad_memory(s, 1000, 5), "");
  // The audit's case: an LSTM with H 512 and one sequence of 100000 steps (7 GB).
  s.hidden_size = 512;
  s.num_layers = 1;
  const std::string e = check_grad_memory(s, 100000, 1);
  EXPECT_NE(e.find("hidden_size 512 x layers 1 x steps 100000 x batch 1 needs about 7288 MiB"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("at most 1024 MiB are allowed"), std::string::npos) << e;
}

}  // namespace
}  // namespace unrolled
