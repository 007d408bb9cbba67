// Legend: B batch, T steps, I input, H hidden, O output, L layers; n = T (every) or 1 (last).
#include "core/predict.hpp"

namespace unrolled {

Mat apply_readout_activation(ReadoutActivation act, const Mat& y) {
  switch (act) {
    case ReadoutActivation::Sigmoid:
      return (1.0 + (-y.array()).exp()).inverse().matrix();
    case ReadoutActivation::Softmax: {
      Mat p;
      softmax_columns(y, p);
      return p;
    }
    case ReadoutActivation::None:
      break;
  }
  return y;
}

std::string predict(const Model& m, const Batch& inputs, Prediction& out) {
  const NetworkSpec& s = m.net.spec();
  Batch b;
  b.inputs = inputs.inputs;  // T x (I, B)
  const int T = b.steps(), B = b.batch_size();
  // The loss the forward pass computes on the way is not reported: zero targets keep it finite.
  b.targets.assign(s.readout == Readout::Every ? T : 1, Mat::Zero(s.output_size, B));  // n x (O, B)
  if (const std::string e = m.net.validate(b); !e.empty()) return e;
  if (const std::string e = check_grad_memory(s, T, B); !e.empty()) return e;
  Prediction p;
  m.net.forward(p.trace, b);
  for (const Mat& y : p.trace.y)
    p.outputs.push_back(apply_readout_activation(m.readout_activation, y));
  out = std::move(p);
  return "";
}

std::string first_non_finite(const Prediction& p) {
  for (const Mat& y : p.outputs)
    if (!y.allFinite()) return "outputs";
  for (size_t l = 0; l < p.trace.steps.size(); ++l) {
    const std::string at = "layers[" + std::to_string(l) + "].";
    for (const StepTrace& st : p.trace.steps[l])
      if (!st.h.allFinite()) return at + "h";
    for (const StepTrace& st : p.trace.steps[l])
      if (!st.c.allFinite()) return at + "c";
  }
  return "";
}

namespace {

// [B][T][rows] from T matrices of (rows, B).
Json per_sequence(const std::vector<const Mat*>& steps) {
  Json all = Json::array();
  const Eigen::Index B = steps.empty() ? 0 : steps[0]->cols();
  for (Eigen::Index s = 0; s < B; ++s) {
    Json seq = Json::array();
    for (const Mat* m : steps) seq.push_back(vector_to_json(m->col(s)));
    all.push_back(std::move(seq));
  }
  return all;
}

}  // namespace

Json prediction_to_json(const Model& m, const Prediction& p) {
  Json out;
  if (m.net.spec().readout == Readout::Every) {
    std::vector<const Mat*> ys;
    for (const Mat& y : p.outputs) ys.push_back(&y);
    out["outputs"] = per_sequence(ys);
  } else {
    out["outputs"] = matrix_to_json(p.outputs.at(0).transpose());  // (B, O)
  }
  Json layers = Json::array();
  for (const auto& steps : p.trace.steps) {
    std::vector<const Mat*> h, c;
    for (const StepTrace& st : steps) {
      h.push_back(&st.h);
      c.push_back(&st.c);
    }
    Json jl = {{"h", per_sequence(h)}};
    if (m.net.spec().cell == CellType::Lstm) jl["c"] = per_sequence(c);
    layers.push_back(std::move(jl));
  }
  out["layers"] = std::move(layers);
  return out;
}

}  // namespace unrolled
