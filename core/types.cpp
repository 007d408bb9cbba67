// Legend: B batch, T steps, I input, H hidden, O output, G gate blocks, L layers.
#include "core/types.hpp"

#include "core/enum_names.hpp"

#include <array>
#include <utility>

namespace unrolled {
namespace {

using detail::allowed_in;
using detail::name_of;
using detail::NameTable;
using detail::parse_in;

constexpr NameTable<CellType, 3> kCell{
    {{CellType::Rnn, "rnn"}, {CellType::Lstm, "lstm"}, {CellType::Gru, "gru"}}};
constexpr NameTable<Activation, 4> kAct{{{Activation::Tanh, "tanh"},
                                         {Activation::Relu, "relu"},
                                         {Activation::Sigmoid, "sigmoid"},
                                         {Activation::Identity, "identity"}}};
constexpr NameTable<GruVariant, 2> kGru{
    {{GruVariant::ResetBefore, "reset_before"}, {GruVariant::ResetAfter, "reset_after"}}};
constexpr NameTable<Readout, 2> kReadout{{{Readout::Every, "every"}, {Readout::Last, "last"}}};
constexpr NameTable<LossKind, 2> kLoss{
    {{LossKind::Mse, "mse"}, {LossKind::CrossEntropy, "cross_entropy"}}};
constexpr NameTable<Precision, 2> kPrecision{
    {{Precision::Float32, "float32"}, {Precision::Float64, "float64"}}};
constexpr NameTable<GateActivation, 3> kGate{
    {{GateActivation::Sigmoid, "sigmoid"},
     {GateActivation::HardSigmoidKeras2, "hard_sigmoid_keras2"},
     {GateActivation::HardSigmoidKeras3, "hard_sigmoid_keras3"}}};

template <class P, class F>
void visit_tensors(P& p, F&& f) {
  for (size_t l = 0; l < p.layers.size(); ++l) {
    auto& lp = p.layers[l];
    const std::string pre = "layers." + std::to_string(l) + ".";
    f(pre + "W_x", lp.W_x);
    f(pre + "W_h", lp.W_h);
    f(pre + "b", lp.b);
    if (lp.b_hn.size() > 0) f(pre + "b_hn", lp.b_hn);
  }
  f("output.W", p.W_y);
  f("output.b", p.b_y);
}

}  // namespace

std::string_view to_string(CellType v) {
  return name_of(kCell, v);
}
std::string_view to_string(Activation v) {
  return name_of(kAct, v);
}
std::string_view to_string(GruVariant v) {
  return name_of(kGru, v);
}
std::string_view to_string(Readout v) {
  return name_of(kReadout, v);
}
std::string_view to_string(LossKind v) {
  return name_of(kLoss, v);
}
std::string_view to_string(Precision v) {
  return name_of(kPrecision, v);
}
std::string_view to_string(GateActivation v) {
  return name_of(kGate, v);
}
bool parse(std::string_view s, GateActivation& out) {
  return parse_in(kGate, s, out);
}
std::string allowed_names(GateActivation) {
  return allowed_in(kGate);
}
bool parse(std::string_view s, CellType& out) {
  return parse_in(kCell, s, out);
}
bool parse(std::string_view s, Activation& out) {
  return parse_in(kAct, s, out);
}
bool parse(std::string_view s, GruVariant& out) {
  return parse_in(kGru, s, out);
}
bool parse(std::string_view s, Readout& out) {
  return parse_in(kReadout, s, out);
}
bool parse(std::string_view s, LossKind& out) {
  return parse_in(kLoss, s, out);
}
bool parse(std::string_view s, Precision& out) {
  return parse_in(kPrecision, s, out);
}
std::string allowed_names(CellType) {
  return allowed_in(kCell);
}
std::string allowed_names(Activation) {
  return allowed_in(kAct);
}
std::string allowed_names(GruVariant) {
  return allowed_in(kGru);
}
std::string allowed_names(Readout) {
  return allowed_in(kReadout);
}
std::string allowed_names(LossKind) {
  return allowed_in(kLoss);
}
std::string allowed_names(Precision) {
  return allowed_in(kPrecision);
}

std::vector<std::string> gate_names(CellType c) {
  switch (c) {
    case CellType::Lstm:
      return {"i", "f", "g", "o"};
    case CellType::Gru:
      return {"r", "z", "n"};
    case CellType::Rnn:
      break;
  }
  return {"a"};
}

template <class S>
ParamsT<S> ParamsT<S>::zeros_like(const ParamsT& like) {
  ParamsT p = like;
  p.set_zero();
  return p;
}

template <class S>
std::vector<TensorRefT<S>> ParamsT<S>::tensors() {
  std::vector<TensorRefT<S>> out;
  visit_tensors(*this, [&](std::string name, auto& t) {
    out.push_back({std::move(name), t.data(), t.rows(), t.cols()});
  });
  return out;
}

template <class S>
std::vector<TensorRefT<S>> ParamsT<S>::tensors() const {
  return const_cast<ParamsT*>(this)->tensors();
}

template <class S>
Eigen::Index ParamsT<S>::num_values() const {
  Eigen::Index n = 0;
  for (const auto& t : tensors()) n += t.size();
  return n;
}

template <class S>
void ParamsT<S>::set_zero() {
  for (auto& t : tensors()) t.array().setZero();
}

template <class S>
double ParamsT<S>::squared_norm() const {
  double s = 0;
  for (const auto& t : tensors()) s += t.array().template cast<double>().square().sum();
  return s;
}

template <class S>
bool ParamsT<S>::all_finite() const {
  for (const auto& t : tensors())
    if (!t.array().isFinite().all()) return false;
  return true;
}

template struct ParamsT<float>;
template struct ParamsT<double>;

template <class To, class From>
void cast_params(ParamsT<To>& out, const ParamsT<From>& in) {
  out.layers.resize(in.layers.size());
  for (size_t l = 0; l < in.layers.size(); ++l) {
    out.layers[l].W_x = in.layers[l].W_x.template cast<To>();
    out.layers[l].W_h = in.layers[l].W_h.template cast<To>();
    out.layers[l].b = in.layers[l].b.template cast<To>();
    out.layers[l].b_hn = in.layers[l].b_hn.template cast<To>();
  }
  out.W_y = in.W_y.template cast<To>();
  out.b_y = in.b_y.template cast<To>();
}

template <class To, class From>
void cast_batch(BatchT<To>& out, const BatchT<From>& in) {
  cast_mats(out.inputs, in.inputs);
  cast_mats(out.targets, in.targets);
  out.mask = in.mask.template cast<To>();
}

template void cast_params(ParamsT<float>&, const ParamsT<double>&);
template void cast_params(ParamsT<double>&, const ParamsT<float>&);
template void cast_params(ParamsT<double>&, const ParamsT<double>&);
template void cast_batch(BatchT<float>&, const BatchT<double>&);

Params make_params(const NetworkSpec& spec) {
  const int G = spec.gates(), H = spec.hidden_size;
  Params p;
  p.layers.resize(spec.num_layers);
  for (int l = 0; l < spec.num_layers; ++l) {
    auto& lp = p.layers[l];
    lp.W_x = Mat::Zero(G * H, spec.layer_input_size(l));
    lp.W_h = Mat::Zero(G * H, H);
    lp.b = Vec::Zero(G * H);
    if (spec.cell == CellType::Gru && spec.gru_variant == GruVariant::ResetAfter)
      lp.b_hn = Vec::Zero(H);
  }
  p.W_y = Mat::Zero(spec.output_size, H);
  p.b_y = Vec::Zero(spec.output_size);
  return p;
}

}  // namespace unrolled
