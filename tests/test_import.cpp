// Model import (issue 15): every format and cell against the frameworks' own outputs, the
// hostile and malformed files refused cleanly, and export read back.
// The fixtures (tests/fixtures/import/) and their references come from
// tests/fixtures/make_import_fixtures.py: PyTorch's outputs for its state_dicts; for the
// Keras-layout files (written with h5py, not by Keras) numpy code following Keras' equations.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/predict.hpp"
#include "import/export.hpp"
#include "import/importer.hpp"
#include "import/pickle.hpp"
#include "import/safetensors.hpp"
#include "import/torch_file.hpp"
#include "tests/test_support.hpp"

namespace unrolled {
namespace {

namespace fs = std::filesystem;
using import::ImportOptions;
using import::ImportResult;
using testing_support::ExeResult;
using testing_support::run_exe;

const std::string kDir = std::string(UNROLLED_SOURCE_DIR) + "/tests/fixtures/import/";

Json references() {
  Json j;
  std::string error;
  EXPECT_TRUE(read_json_file(kDir + "references.json", 1 << 24, j, &error)) << error;
  return j;
}

// The flags the fixture script recorded ("--readout last --readout-activation softmax").
ImportOptions options_from(const std::string& flags) {
  ImportOptions o;
  std::istringstream in(flags);
  std::string flag, value;
  while (in >> flag >> value) {
    if (flag == "--readout") o.readout = value == "every" ? Readout::Every : Readout::Last;
    if (flag == "--activation") {
      Activation a;
      EXPECT_TRUE(parse(value, a));
      o.activation = a;
    }
    if (flag == "--readout-activation") {
      ReadoutActivation a;
      EXPECT_TRUE(parse(value, a));
      o.readout_activation = a;
    }
    if (flag == "--config") o.keras_config = kDir + value;
  }
  return o;
}

// Largest |a - b| / max(|b|, 1e-3) over two nested arrays of numbers of the same shape.
double worst_relative(const Json& a, const Json& b) {
  if (a.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    return std::abs(x - y) / std::max(std::abs(y), 1e-3);
  }
  EXPECT_EQ(a.size(), b.size());
  double w = 0;
  for (size_t k = 0; k < std::min(a.size(), b.size()); ++k)
    w = std::max(w, worst_relative(a[k], b[k]));
  return w;
}

TEST(Import, EveryFormatAndCellMatchesTheFrameworksOutputs) {
  const Json refs = references();
  ASSERT_GE(refs.size(), 9u);
  for (const auto& [file, ref] : refs.items()) {
    SCOPED_TRACE(file);
    ImportResult r;
    std::string error;
    ASSERT_TRUE(import::import_model(kDir + file, options_from(ref["flags"]), r, &error)) << error;
    Batch b;
    ASSERT_TRUE(inputs_from_json(ref["batch"], r.model, b, &error)) << error;
    Prediction p;
    ASSERT_EQ(predict(r.model, b, p), "");
    const Json got = prediction_to_json(r.model, p);
    const double w_out = worst_relative(got["outputs"], ref["outputs"]);
    const double w_h = worst_relative(got["layers"].back()["h"], ref["top_h"]);
    std::printf("  %-36s %-28s outputs %.1e, top h %.1e (relative)\n", file.c_str(),
                r.format.c_str(), w_out, w_h);
    EXPECT_LE(w_out, 1e-5);
    EXPECT_LE(w_h, 1e-5);
  }
}

TEST(Import, WhatTheFilesSayIsKept) {
  ImportResult r;
  std::string error;
  ASSERT_TRUE(import::import_model(kDir + "keras3_gru_embedding.keras", {}, r, &error)) << error;
  const NetworkSpec& s = r.model.net.spec();
  EXPECT_EQ(s.cell, CellType::Gru);
  EXPECT_EQ(s.gru_variant, GruVariant::ResetAfter);
  EXPECT_EQ(s.gate_activation, GateActivation::HardSigmoidKeras3);
  EXPECT_EQ(s.readout, Readout::Last);
  EXPECT_EQ(r.model.readout_activation, ReadoutActivation::Softmax);
  EXPECT_EQ(r.model.vocab_size(), 8);
  ASSERT_TRUE(import::import_model(kDir + "keras2_lstm_hard_sigmoid.h5", {}, r, &error)) << error;
  EXPECT_EQ(r.model.net.spec().gate_activation, GateActivation::HardSigmoidKeras2);
  EXPECT_EQ(r.model.net.spec().num_layers, 2);
  bool dropout_said = false;
  for (const auto& n : r.notes)
    dropout_said = dropout_said || n.find("Dropout") != std::string::npos;
  EXPECT_TRUE(dropout_said);
  ASSERT_TRUE(import::import_model(kDir + "keras2_gru_reset_before.h5", {}, r, &error)) << error;
  EXPECT_EQ(r.model.net.spec().gru_variant, GruVariant::ResetBefore);
}

TEST(Import, AStateDictAsksForWhatItDoesNotStore) {
  ImportResult r;
  std::string error;
  EXPECT_FALSE(import::import_model(kDir + "torch_gru.pt", {}, r, &error));
  EXPECT_NE(error.find("give --readout every|last"), std::string::npos) << error;
  ImportOptions o;
  o.readout = Readout::Every;
  EXPECT_FALSE(import::import_model(kDir + "torch_rnn_relu.pt", o, r, &error));
  EXPECT_NE(error.find("give --activation tanh|relu"), std::string::npos) << error;
  o.cell = CellType::Lstm;
  EXPECT_FALSE(import::import_model(kDir + "torch_gru.pt", o, r, &error));
  EXPECT_NE(
      error.find("--cell lstm does not fit 'rnn.weight_hh_l0' of shape (12, 4), which is a gru"),
      std::string::npos)
      << error;
}

TEST(Import, APickleCallingOsSystemIsRefusedAndNothingRuns) {
  const std::string marker = "/tmp/unrolled_import_pwned_marker";
  fs::remove(marker);
  ImportResult r;
  std::string error;
  ImportOptions o;
  o.readout = Readout::Every;
  EXPECT_FALSE(import::import_model(kDir + "evil_os_system.pt", o, r, &error));
  EXPECT_NE(error.find("global 'posix system' is not allowed"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(marker));
  // The same through the command line.
  testing_support::TempDir dir("import_evil");
  const ExeResult e = run_exe(
      "import " + kDir + "evil_os_system.pt --readout every --out " + (dir / "m.json"), true);
  EXPECT_EQ(e.code, 2);
  EXPECT_NE(e.out.find("evil_os_system.pt: data.pkl byte"), std::string::npos) << e.out;
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_FALSE(fs::exists(dir / "m.json"));
}

TEST(Import, HostileAndMalformedFilesAreRefusedByName) {
  struct Bad {
    std::string file, expect;
  };
  const std::vector<Bad> cases = {
      {"zip_bomb.pt", "member 'archive/data.pkl': declares 4026531840 bytes uncompressed"},
      {"truncated.pt", "truncated.pt: not a readable zip archive"},
      {"wrong_shape.h5", "has shape (4, 11); expected (4, 12)"},
      {"past_end.safetensors",
       "tensor 'linear.bias': data_offsets [1000000, 1000004] point past the end of the data"},
      {"whole_module.pt", "global 'torch.nn.modules.rnn GRU' is not allowed"},
      {"references.json", "not a model file Unrolled imports"},
      {"missing.pt", "missing.pt: cannot open the file"},
      {"keras3_rnn.weights.h5", "a weights file holds no architecture: give --config"},
  };
  for (const Bad& c : cases) {
    ImportResult r;
    std::string error;
    ImportOptions o;
    o.readout = Readout::Every;
    EXPECT_FALSE(import::import_model(kDir + c.file, o, r, &error)) << c.file;
    EXPECT_NE(error.find(c.expect), std::string::npos) << c.file << ": " << error;
  }
}

// Every cut of a Keras file (HDF5 through libhdf5, a .keras zip) is refused with a message.
TEST(Import, CutKerasFilesAreRefused) {
  testing_support::TempDir dir("import_cut");
  for (const std::string file : {"keras2_gru_reset_before.h5", "keras3_gru_embedding.keras"}) {
    std::string bytes;
    std::string error;
    ASSERT_TRUE(import::read_file_bytes(kDir + file, bytes, &error)) << error;
    const std::string ext = file.substr(file.rfind('.'));
    for (size_t n : {size_t{0}, size_t{7}, size_t{512}, bytes.size() / 3, bytes.size() / 2,
                     bytes.size() - 100, bytes.size() - 1}) {
      std::ofstream(dir / ("cut" + ext), std::ios::binary) << bytes.substr(0, n);
      ImportResult r;
      EXPECT_FALSE(import::import_model(dir / ("cut" + ext), {}, r, &error)) << file << " " << n;
      EXPECT_NE(error.find("cut" + ext + ": "), std::string::npos) << error;
    }
  }
}

TEST(Import, RestrictedPickleRefusesEveryOtherOpcode) {
  std::vector<import::PickledTensor> out;
  std::string error;
  // Protocol 0's INST ('i') and protocol 2's EXT1 (0x82) are not among the allowed opcodes.
  EXPECT_FALSE(
      import::read_state_dict_pickle(std::string("\x80\x02(ios\nsystem\n.", 14), "f", out, &error));
  EXPECT_NE(error.find("opcode 0x69 ('i') is not allowed"), std::string::npos) << error;
  EXPECT_FALSE(
      import::read_state_dict_pickle(std::string("\x80\x02\x82\x01.", 5), "f", out, &error));
  EXPECT_NE(error.find("opcode 0x82 is not allowed"), std::string::npos) << error;
  // STACK_GLOBAL names a global from strings: refused the same way.
  EXPECT_FALSE(import::read_state_dict_pickle(
      std::string("\x80\x04\x8c\x02os\x8c\x06system\x93.", 16), "f", out, &error));
  EXPECT_NE(error.find("global 'os system' is not allowed"), std::string::npos) << error;
  // A dict of something else than tensors, and a pickle without STOP.
  EXPECT_FALSE(
      import::read_state_dict_pickle(std::string("}X\x01\0\0\0aK\x01s.", 11), "f", out, &error));
  EXPECT_NE(error.find("the state_dict maps str 'a' to a int"), std::string::npos) << error;
  EXPECT_FALSE(import::read_state_dict_pickle("}", "f", out, &error));
  EXPECT_NE(error.find("ends without STOP"), std::string::npos) << error;
  // A pickle of a million empty tuples stops at the reader's bound on values.
  EXPECT_FALSE(
      import::read_state_dict_pickle(std::string((1 << 20) + 1, ')') + ".", "f", out, &error));
  EXPECT_NE(error.find("f: data.pkl byte 1048576: more than 1048576 values"), std::string::npos)
      << error;
}

TEST(Import, SafetensorsRoundTripAndBounds) {
  import::TensorList t(2);
  t[0].name = "a";
  t[0].shape = {2, 3};
  t[0].values = {1, 2, 3, 4, 5, 6.5};
  t[1].name = "b";
  t[1].shape = {1};
  t[1].values = {-0.25};
  for (bool f64 : {false, true}) {
    const std::string bytes = import::write_safetensors(t, f64);
    import::TensorList back;
    std::string error;
    ASSERT_TRUE(import::read_safetensors(bytes, "x", back, &error)) << error;
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(back[0].values, t[0].values);
    EXPECT_EQ(back[1].shape, t[1].shape);
    // Every cut of the file is refused with a message, never read past its end.
    for (size_t n = 0; n < bytes.size(); n += 3)
      EXPECT_FALSE(import::read_safetensors(bytes.substr(0, n), "x", back, &error)) << n;
  }
  std::string huge(8, '\0');
  huge[7] = 0x7f;  // a header of 2^63 bytes
  import::TensorList back;
  std::string error;
  EXPECT_FALSE(import::read_safetensors(huge, "h.safetensors", back, &error));
  EXPECT_NE(error.find("h.safetensors: the header length (bytes 0-7) says"), std::string::npos)
      << error;
}

// A state_dict written in the test: a 1-layer GRU (I 2, H 3) and a readout, plus `extra`.
std::string gru_state_dict(const import::TensorList& extra, bool readout = true) {
  auto t = [](const std::string& name, std::vector<int64_t> shape) {
    import::Tensor x;
    x.name = name;
    x.shape = shape;
    x.values.assign(import::checked_numel(shape, 1 << 20), 0.25);
    return x;
  };
  import::TensorList l = {t("rnn.weight_ih_l0", {9, 2}), t("rnn.weight_hh_l0", {9, 3}),
                          t("rnn.bias_ih_l0", {9}), t("rnn.bias_hh_l0", {9})};
  if (readout) {
    l.push_back(t("fc.weight", {1, 3}));
    l.push_back(t("fc.bias", {1}));
  }
  l.insert(l.end(), extra.begin(), extra.end());
  return import::write_safetensors(l, false);
}

TEST(Import, UnsupportedStateDictsAreRefusedNamingTheTensor) {
  auto t = [](const std::string& name, std::vector<int64_t> shape) {
    import::Tensor x;
    x.name = name;
    x.shape = shape;
    x.values.assign(import::checked_numel(shape, 1 << 20), 0.25);
    return x;
  };
  struct Bad {
    std::string bytes, expect;
  };
  const std::vector<Bad> cases = {
      {gru_state_dict({t("rnn.weight_ih_l0_reverse", {9, 2})}),
       "'rnn.weight_ih_l0_reverse': a bidirectional recurrent layer is not supported"},
      {gru_state_dict({t("rnn.weight_hr_l0", {2, 3})}), "an LSTM with proj_size is not supported"},
      {gru_state_dict({t("norm.weight", {3})}),
       "tensors that are not part of a supported model: 'norm.weight (3)'"},
      {gru_state_dict({t("head2.weight", {4, 3}), t("head2.bias", {4})}),
       "more than one possible readout ('fc.weight', 'head2.weight')"},
      {gru_state_dict({}, false), "no readout: no 2-D weight with 3 columns and a bias"},
      {gru_state_dict({t("enc.weight_ih_l0", {9, 2}), t("enc.weight_hh_l0", {9, 3})}),
       "two recurrent modules ('enc.weight_ih_l0', 'rnn.weight_ih_l0')"},
  };
  testing_support::TempDir dir("import_bad_sd");
  for (const Bad& c : cases) {
    std::ofstream(dir / "m.safetensors", std::ios::binary) << c.bytes;
    ImportOptions o;
    o.readout = Readout::Every;
    ImportResult r;
    std::string error;
    EXPECT_FALSE(import::import_model(dir / "m.safetensors", o, r, &error)) << c.expect;
    EXPECT_NE(error.find(c.expect), std::string::npos) << error;
  }
  // The good one imports: a PyTorch GRU is the reset-after variant.
  std::ofstream(dir / "m.safetensors", std::ios::binary) << gru_state_dict({});
  ImportOptions o;
  o.readout = Readout::Last;
  ImportResult r;
  std::string error;
  ASSERT_TRUE(import::import_model(dir / "m.safetensors", o, r, &error)) << error;
  EXPECT_EQ(r.model.net.spec().gru_variant, GruVariant::ResetAfter);
  EXPECT_EQ(r.model.net.params().layers[0].b(0), 0.5);   // b_ih_r + b_hh_r
  EXPECT_EQ(r.model.net.params().layers[0].b(8), 0.25);  // b_ih_n alone
}

TEST(Import, UnsupportedKerasLayersAreRefusedNamingTheLayer) {
  testing_support::TempDir dir("import_bad_keras");
  Json config;
  std::string error;
  ASSERT_TRUE(read_json_file(kDir + "keras3_rnn.config.json", 1 << 20, config, &error));
  Json& layers = config["config"]["layers"];
  struct Bad {
    std::function<void(Json&)> edit;
    std::string expect;
  };
  const std::vector<Bad> cases = {
      {[](Json& l) { l[1]["class_name"] = "Bidirectional"; },
       "layer 'simple_rnn' (Bidirectional) is not supported; supported: InputLayer, Embedding"},
      {[](Json& l) {
         const Json conv = {{"class_name", "Conv1D"}, {"config", {{"name", "c"}}}};
         l.insert(l.begin() + 2, conv);
       },
       "layer 'c' (Conv1D) is not supported"},
      {[](Json& l) { l[1]["config"]["return_sequences"] = false; },
       "has return_sequences false: it passes only its last step on"},
      {[](Json& l) { l[1]["config"]["go_backwards"] = true; }, "go_backwards"},
      {[](Json& l) { l[3]["config"]["activation"] = "tanh"; },
       "layer 'dense' (Dense): activation 'tanh' is not supported"},
      {[](Json& l) { l.erase(l.begin() + 3); }, "no Dense readout after the recurrent layers"},
  };
  for (const Bad& c : cases) {
    Json j = config;
    c.edit(j["config"]["layers"]);
    std::ofstream(dir / "c.json") << j.dump();
    ImportOptions o;
    o.keras_config = dir / "c.json";
    ImportResult r;
    EXPECT_FALSE(import::import_model(kDir + "keras3_rnn.weights.h5", o, r, &error)) << c.expect;
    EXPECT_NE(error.find(c.expect), std::string::npos) << error;
  }
  EXPECT_EQ(layers.size(), 4u);  // InputLayer, two SimpleRNN, Dense
}

class ImportCli : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return dir_ / name; }
  testing_support::TempDir dir_{"cli_import"};
};

TEST_F(ImportCli, ImportPredictExportAndBackGiveTheSameOutputs) {
  const Json refs = references();
  const Json& ref = refs["torch_lstm_embedding.pt"];
  ExeResult r = run_exe("import " + kDir + "torch_lstm_embedding.pt --out " + path("m.json") + " " +
                            ref["flags"].get<std::string>(),
                        true);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("pytorch state_dict, lstm x 2 layers of 5"), std::string::npos) << r.out;
  std::ofstream(path("b.json")) << ref["batch"].dump();
  r = run_exe("predict --model " + path("m.json") + " --batch " + path("b.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_LE(worst_relative(Json::parse(r.out)["outputs"], ref["outputs"]), 1e-5);
  // Export under both names, and import each back: the same outputs (float32 in the file).
  for (const std::string names : {"pytorch", "keras"}) {
    r = run_exe("export " + path("m.json") + " --names " + names + " --to " +
                path("e.safetensors"));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find(names == "keras" ? "keras.layers.LSTM(5" : "torch.nn.LSTM(3, 5"),
              std::string::npos)
        << r.out;
    r = run_exe("import " + path("e.safetensors") + " --out " + path("back.json") + " " +
                    ref["flags"].get<std::string>(),
                true);
    ASSERT_EQ(r.code, 0) << names << ": " << r.out;
    r = run_exe("predict --model " + path("back.json") + " --batch " + path("b.json"));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_LE(worst_relative(Json::parse(r.out)["outputs"], ref["outputs"]), 1e-5) << names;
  }
}

TEST(Export, KerasNamesKeepEveryVariantAndPyTorchRefusesWhatItCannotCompute) {
  for (const char* file : {"keras2_gru_reset_before.h5", "keras3_gru_embedding.keras",
                           "keras2_lstm_hard_sigmoid.h5"}) {
    SCOPED_TRACE(file);
    ImportResult r;
    std::string error;
    ASSERT_TRUE(import::import_model(kDir + file, {}, r, &error)) << error;
    import::TensorList t;
    EXPECT_FALSE(import::export_tensors(r.model, import::ExportNames::PyTorch, t, &error));
    ASSERT_TRUE(import::export_tensors(r.model, import::ExportNames::Keras, t, &error)) << error;
    // Read back under Keras' names: the same parameters (the gate is a flag the names lack).
    ImportOptions o;
    o.readout = r.model.net.spec().readout;
    o.readout_activation = r.model.readout_activation;
    ImportResult back;
    ASSERT_TRUE(import::model_from_keras_names(t, o, "x", back, &error)) << error;
    EXPECT_EQ(back.model.net.spec().gru_variant, r.model.net.spec().gru_variant);
    EXPECT_EQ(back.model.embedding, r.model.embedding);
    const auto a = back.model.net.params().tensors(), b = r.model.net.params().tensors();
    ASSERT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k)
      EXPECT_EQ(a[k].array().matrix(), b[k].array().matrix()) << a[k].name;
  }
}

}  // namespace
}  // namespace unrolled
