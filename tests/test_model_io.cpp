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
      {[](Json& j) { j["version"] = 2; }, "version: 2 is not supported"},
      {[](Json& j) { j["colour"] = "red"; }, "unknown key 'colour'"},
      {[](Json& j) { j["layers"][0].erase("b_hn"); }, "layers[0].b_hn: missing"},
      {[](Json& j) { j["output"]["b"][0] = "x"; }, "output.b[0]: expected a finite number"},
      {[](Json& j) { j["layers"] = Json::array(); }, "layers: expected an array of 1 to 4"},
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

}  // namespace
}  // namespace unrolled
