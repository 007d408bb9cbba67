// unrolled export MODEL.json --to FILE.safetensors [--names pytorch|keras] [--float64]
// Writes the model's tensors under PyTorch's (default) or Keras' names (import/export.hpp) and
// prints a short Python snippet that loads them into nn.LSTM / keras.layers.LSTM.
// Exit codes: 0 done; 2 a bad file or argument, or a model the framework cannot compute.
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli/args.hpp"
#include "app/cli/cli.hpp"
#include "import/export.hpp"
#include "import/safetensors.hpp"

namespace unrolled {

int cli_export(const std::vector<std::string>& args) {
  ArgParser ap("export", args);
  std::string to, names = "pytorch";
  bool float64 = false;
  std::vector<std::string> files;
  ap.string("--to", to, "FILE.safetensors");
  ap.custom("--names", "pytorch|keras", [&](const std::string& v, std::string* e) {
    if (v != "pytorch" && v != "keras") {
      *e = "--names '" + v + "' is not allowed; allowed: pytorch|keras";
      return false;
    }
    names = v;
    return true;
  });
  ap.flag("--float64", float64);
  ap.positionals(files);
  if (!ap.parse()) return 2;
  if (files.size() != 1 || to.empty())
    return ap.fail("give one model file and --to FILE.safetensors");
  if (to.size() < 12 || to.compare(to.size() - 12, 12, ".safetensors") != 0)
    return ap.fail("--to '" + to + "': the file name must end in .safetensors");
  std::string error;
  Model m;
  if (!load_model(files[0], m, &error)) return ap.fail(error);
  const auto kind = names == "keras" ? import::ExportNames::Keras : import::ExportNames::PyTorch;
  import::TensorList tensors;
  if (!import::export_tensors(m, kind, tensors, &error)) return ap.fail(files[0] + ": " + error);
  const std::string bytes = import::write_safetensors(
      tensors, float64, {{"format", names == "keras" ? "np" : "pt"}, {"source", "unrolled"}});
  if (!write_file_atomic(to, bytes, &error)) return ap.fail(error);
  std::printf("%s", import::load_snippet(m, kind, to).c_str());
  return 0;
}

}  // namespace unrolled
