// unrolled grad --model M.json --batch B.json [--k1 N [--k2 M]] [--indent N]
// Prints the loss, every parameter gradient in the model file's structure, the per-step norms
// of dL/dh_t and the decay profile, as JSON on standard output.
// Exit codes: 0 done; 2 a bad file or argument (including a batch whose trace would exceed
// kMaxGradBytes); 3 a result that is not finite (nothing printed).
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli/args.hpp"
#include "app/cli/cli.hpp"
#include "core/model_io.hpp"

namespace unrolled {
namespace {

// The first result, in the order they are printed, that holds a NaN or an infinity ("" if none).
std::string first_non_finite(const Trace& trace, const Params& grads, const GradTrace& gt) {
  if (!std::isfinite(trace.loss)) return "loss";
  if (!trace.step_loss.allFinite()) return "step_loss";
  for (size_t l = 0; l < grads.layers.size(); ++l) {  // named as in the printed JSON
    const LayerParams& g = grads.layers[l];
    const std::string at = "grads.layers[" + std::to_string(l) + "].";
    if (!g.W_x.allFinite()) return at + "W_x";
    if (!g.W_h.allFinite()) return at + "W_h";
    if (!g.b.allFinite()) return at + "b";
    if (!g.b_hn.allFinite()) return at + "b_hn";
  }
  if (!grads.W_y.allFinite()) return "grads.output.W";
  if (!grads.b_y.allFinite()) return "grads.output.b";
  if (!gt.dh_norm.allFinite()) return "dh_norm";
  if (!gt.dc_norm.allFinite()) return "dc_norm";
  if (!gt.profile.allFinite()) return "decay_profile";
  return "";
}

}  // namespace

int cli_grad(const std::vector<std::string>& args) {
  ArgParser ap("grad", args);
  std::string model_path, batch_path;
  int k1 = 0, k2 = 0, indent = 1;
  ap.string("--model", model_path, "M.json");
  ap.string("--batch", batch_path, "B.json");
  ap.integer("--k1", k1, 0, 100000);
  ap.integer("--k2", k2, 0, 100000);
  ap.integer("--indent", indent, -1, 8);
  if (!ap.parse()) return 2;
  if (model_path.empty() || batch_path.empty())
    return ap.fail("both --model M.json and --batch B.json are required");
  if (k2 > 0 && k2 < k1)
    return ap.fail("--k2 " + std::to_string(k2) + " is below --k1 " + std::to_string(k1) +
                   "; need k2 >= k1");

  std::string error;
  Network net;
  if (!load_model(model_path, net, &error)) return ap.fail(error);
  Json jb;
  Batch batch;
  if (!read_json_file(batch_path, kMaxBatchFileBytes, jb, &error))
    return ap.fail(error);  // names the file itself
  if (!batch_from_json(jb, net.spec(), batch, &error)) return ap.fail(batch_path + ": " + error);
  if (const std::string e = net.validate(batch); !e.empty()) return ap.fail(batch_path + ": " + e);
  if (const std::string e = check_grad_memory(net.spec(), batch.steps(), batch.batch_size());
      !e.empty())
    return ap.fail(batch_path + ": " + e);

  Trace trace;
  net.forward(trace, batch);
  Params grads;
  GradTrace gt;
  net.backward(grads, gt, trace, batch, {k1, k2, true});

  if (const std::string bad = first_non_finite(trace, grads, gt); !bad.empty()) {
    ap.fail(bad +
            " is not finite: the numbers overflowed for this model and batch (try smaller "
            "weights or inputs); nothing was printed");
    return 3;
  }

  Json out;
  out["loss"] = trace.loss;
  out["step_loss"] = vector_to_json(trace.step_loss);
  out["grads"] = params_to_json(grads);
  out["dh_norm"] = matrix_to_json(gt.dh_norm);
  if (net.spec().cell == CellType::Lstm) out["dc_norm"] = matrix_to_json(gt.dc_norm);
  out["decay_profile"] = matrix_to_json(gt.profile);
  out["notes"] = {
      {"dh_norm", "[layer][t]: Frobenius norm over the batch of dL/dh_t"},
      {"decay_profile", "[layer][d]: ||dL_T/dh_{T-1-d}|| for the last step's loss alone"}};
  std::puts(out.dump(indent).c_str());
  return 0;
}

}  // namespace unrolled
