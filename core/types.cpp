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

Params Params::zeros_like(const Params& like) {
  Params p = like;
  p.set_zero();
  return p;
}

std::vector<TensorRef> Params::tensors() {
  std::vector<TensorRef> out;
  visit_tensors(*this, [&](std::string name, auto& t) {
    out.push_back({std::move(name), t.data(), t.rows(), t.cols()});
  });
  return out;
}

std::vector<TensorRef> Params::tensors() const {
  return const_cast<Params*>(this)->tensors();
}

Eigen::Index Params::num_values() const {
  Eigen::Index n = 0;
  for (const auto& t : tensors()) n += t.size();
  return n;
}

void Params::set_zero() {
  for (auto& t : tensors()) t.array().setZero();
}

double Params::squared_norm() const {
  double s = 0;
  for (const auto& t : tensors()) s += t.array().square().sum();
  return s;
}

bool Params::all_finite() const {
  for (const auto& t : tensors())
    if (!t.array().isFinite().all()) return false;
  return true;
}

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
