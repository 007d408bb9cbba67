// unrolled predict --model MODEL.json --batch BATCH.json [--indent N]
// Runs the model forward on the batch's "inputs" [B][T][I] (or "tokens" [B][T] for a model with
// an embedding) and prints, as JSON, the outputs with the readout's activation applied and
// every layer's h (and c) at every step (core/predict.hpp).
// Exit codes: 0 done; 2 a bad file or argument; 3 a result that is not finite (nothing printed).
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli/args.hpp"
#include "app/cli/cli.hpp"
#include "core/predict.hpp"

namespace unrolled {

int cli_predict(const std::vector<std::string>& args) {
  ArgParser ap("predict", args);
  std::string model_path, batch_path;
  int indent = 1;
  ap.string("--model", model_path, "MODEL.json");
  ap.string("--batch", batch_path, "BATCH.json");
  ap.integer("--indent", indent, -1, 8);
  if (!ap.parse()) return 2;
  if (model_path.empty() || batch_path.empty())
    return ap.fail("both --model MODEL.json and --batch BATCH.json are required");

  std::string error;
  Model model;
  if (!load_model(model_path, model, &error)) return ap.fail(error);
  Json jb;
  Batch batch;
  if (!read_json_file(batch_path, kMaxBatchFileBytes, jb, &error)) return ap.fail(error);
  if (!inputs_from_json(jb, model, batch, &error)) return ap.fail(batch_path + ": " + error);
  Prediction p;
  if (const std::string e = predict(model, batch, p); !e.empty())
    return ap.fail(batch_path + ": " + e);
  if (const std::string bad = first_non_finite(p); !bad.empty()) {
    ap.fail(bad +
            " is not finite: the numbers overflowed for this model and batch (try smaller "
            "weights or inputs); nothing was printed");
    return 3;
  }
  std::puts(prediction_to_json(model, p).dump(indent).c_str());
  return 0;
}

}  // namespace unrolled
