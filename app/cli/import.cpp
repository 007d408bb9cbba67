// unrolled import FILE --out MODEL.json [--cell rnn|lstm|gru] [--activation tanh|relu]
//                 [--readout every|last] [--readout-activation none|sigmoid|softmax]
//                 [--config CONFIG.json]
// Reads a Keras or PyTorch model (or a safetensors file) and writes a model file (version 2).
// Prints what it read and every assumption, one line each, on standard error.
// Exit codes: 0 done; 2 a bad file or argument (nothing written).
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli/args.hpp"
#include "app/cli/cli.hpp"
#include "import/importer.hpp"

namespace unrolled {

int cli_import(const std::vector<std::string>& args) {
  ArgParser ap("import", args);
  import::ImportOptions opt;
  std::string out_path;
  std::vector<std::string> files;
  ap.string("--out", out_path, "MODEL.json");
  ap.custom("--cell", "rnn|lstm|gru", enum_flag("--cell", opt.cell));
  ap.custom("--activation", "tanh|relu", enum_flag("--activation", opt.activation));
  ap.custom("--readout", "every|last", enum_flag("--readout", opt.readout));
  ap.custom("--readout-activation", "none|sigmoid|softmax",
            enum_flag("--readout-activation", opt.readout_activation));
  ap.string("--config", opt.keras_config, "CONFIG.json");
  ap.positionals(files);
  if (!ap.parse()) return 2;
  if (files.size() != 1 || out_path.empty())
    return ap.fail("give one model file and --out MODEL.json");
  import::ImportResult r;
  std::string error;
  if (!import::import_model(files[0], opt, r, &error)) return ap.fail(error);
  if (!save_model(out_path, r.model, &error)) return ap.fail(error);
  const NetworkSpec& s = r.model.net.spec();
  std::fprintf(
      stderr,
      "unrolled import: %s: %s, %s x %d layer%s of %d, %d input%s%s, readout %s%s%s -> %s\n",
      files[0].c_str(), r.format.c_str(), std::string(to_string(s.cell)).c_str(), s.num_layers,
      s.num_layers > 1 ? "s" : "", s.hidden_size, s.input_size, s.input_size > 1 ? "s" : "",
      r.model.has_embedding()
          ? (" (embedding of " + std::to_string(r.model.vocab_size()) + " tokens)").c_str()
          : "",
      std::string(to_string(s.readout)).c_str(),
      r.model.readout_activation == ReadoutActivation::None ? "" : " + ",
      r.model.readout_activation == ReadoutActivation::None
          ? ""
          : std::string(to_string(r.model.readout_activation)).c_str(),
      out_path.c_str());
  for (const std::string& n : r.notes) std::fprintf(stderr, "  note: %s\n", n.c_str());
  return 0;
}

}  // namespace unrolled
