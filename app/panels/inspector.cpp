// The cell inspector: one cell (step t, layer) and one unit, its equations as the lectures write
// them with the engine's numbers substituted (formula | numbers | value), a small diagram of the
// cell with the values drawn on it, and the backward half: how each gate shapes the gradient
// passed to t − 1. Every number shown is core::inspect_cell's (the Trace's and GradTrace's own
// values); this file only arranges their texts.
//
// [SECTION] Snapshot -> SequenceRef   sequence_ref, inspect_view (declared in step_state.hpp)
// [SECTION] Rows                      the table's rows, composed from the equation lines
// [SECTION] Diagram                   the cell drawn with ImDrawList, values on it
// [SECTION] Panel
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "app/panels/panels.hpp"
#include "widgets/canvas.hpp"
#include "widgets/colormap.hpp"

namespace unrolled {

// -----------------------------------------------------------------------------------------------
// [SECTION] Snapshot -> SequenceRef
// -----------------------------------------------------------------------------------------------

namespace {
const Mat kNoValues;  // what a cell without c (or hn) points to
}  // namespace

SequenceRef sequence_ref(const ModelView& m, int l) {
  SequenceRef s;
  s.x = l == 0 ? &m.inputs : &m.h[l - 1];
  s.pre = &m.pre[l];
  s.gates = &m.gates[l];
  s.c = l < static_cast<int>(m.c.size()) ? &m.c[l] : &kNoValues;
  s.h = &m.h[l];
  s.hn = l < static_cast<int>(m.hn.size()) ? &m.hn[l] : &kNoValues;
  s.dh = &m.dh[l];
  s.dc = l < static_cast<int>(m.dc.size()) ? &m.dc[l] : nullptr;
  s.h0 = m.h0.col(l);
  s.c0 = m.c0.col(l);
  return s;
}

CellInspection inspect_view(const ModelView& m, int layer, int t, int unit) {
  return inspect_cell(m.spec, m.trace_params, layer, sequence_ref(m, layer), t, unit);
}

namespace {

// -----------------------------------------------------------------------------------------------
// [SECTION] Rows
// -----------------------------------------------------------------------------------------------

// One row of the table: symbol = formula | the numbers | the value.
struct Row {
  std::string lhs, formula, numbers, value;
  double v = 0;
  int color = 0;  // 0 none, 1 a gate in [0, 1], 2 a value in [-1, 1]
  std::string tip;
};

const EquationLine* find(const std::vector<EquationLine>& lines, std::string_view lhs) {
  for (const EquationLine& l : lines)
    if (l.lhs == lhs) return &l;
  return nullptr;
}

// Display only: a proper minus sign for the texts' ASCII '-' where it is a sign (not in "e-05").
std::string minus(std::string s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool sign = s[i] == '-' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '(');
    out += sign ? "\xE2\x88\x92" : std::string(1, s[i]);
  }
  return out;
}

// "a + b + c" from operand texts, "+ −x" written "− x".
std::string sum_text(const std::vector<const Operand*>& ops) {
  std::string s;
  for (size_t i = 0; i < ops.size(); ++i) {
    const std::string& t = ops[i]->text;
    const bool neg = !t.empty() && t[0] == '-';
    if (i == 0)
      s += minus(t);
    else
      s += neg ? " \xE2\x88\x92 " + t.substr(1) : " + " + t;
  }
  return s;
}

// The line's substituted text without its " = value" ending (the value has its own column).
std::string numbers_of(const EquationLine& l) {
  const std::string tail = " = " + l.text;
  std::string s = l.substituted;
  if (s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0)
    s.resize(s.size() - tail.size());
  return minus(s);
}

std::string operand_list(const EquationLine& l) {
  std::string s;
  for (const Operand& o : l.operands) s += "   " + o.symbol + " = " + minus(o.text) + "\n";
  return s;
}

// A gate: k_t = act(pre-activation), one row from the pre-activation line and the gate's line.
// concatenated: the lectures' LSTM form W_k·[h_{t−1}, x_t] + b_k (numbers in that order: W h, W x,
// b).
// A gate's squashing function as the diagram and the rows write it: σ, or "hσ" for the hard
// sigmoid (Keras 2 or 3) an imported model may use; the line's tooltip says which.
constexpr const char* kHardSigma = "h\xCF\x83";
const char* gate_fn(const EquationLine* a) {
  return a && a->kind == EquationKind::HardSigmoid ? kHardSigma : "\xCF\x83";
}

Row gate_row(const EquationLine& pre, const EquationLine& act, const std::string& k, const char* fn,
             bool concatenated) {
  Row r;
  r.lhs = act.lhs;
  const std::string kk = k == "g" ? "g" : k;
  r.formula = concatenated ? std::string(fn) + "(W_" + kk +
                                 "\xC2\xB7[h_{t\xE2\x88\x92\x31}, x_t] + b_" + kk + ")"
                           : std::string(fn) + "(" + pre.formula + ")";
  std::string inner;
  if (pre.kind == EquationKind::Sum && pre.operands.size() == 3)
    inner = concatenated ? sum_text({&pre.operands[1], &pre.operands[0], &pre.operands[2]})
                         : sum_text({&pre.operands[0], &pre.operands[1], &pre.operands[2]});
  else
    inner = numbers_of(pre);
  r.numbers = std::string(fn) + "(" + inner + ") = " + fn + "(" + minus(pre.text) + ")";
  r.value = minus(act.text);
  r.v = act.value;
  r.color = std::string_view(fn) == "\xCF\x83" || std::string_view(fn) == kHardSigma ? 1 : 2;
  r.tip = act.meaning + "\n\nThe pre-activation " + pre.lhs + " = " + pre.formula + ":\n" +
          operand_list(pre) + "   " + pre.lhs + " = " + minus(pre.text) + "\nthen " + act.lhs +
          " = " + fn + "(" + pre.lhs + ") = " + minus(act.text);
  if (concatenated)
    r.tip += "\n\nW_" + kk + "\xC2\xB7[h_{t\xE2\x88\x92\x31}, x_t] is W_h" + kk +
             " h_{t\xE2\x88\x92\x31} + W_x" + kk + " x_t: the two halves of W_" + kk + ".";
  return r;
}

Row line_row(const EquationLine& l, int color = 0) {
  Row r;
  r.lhs = l.lhs;
  r.formula = l.formula;
  if (l.kind == EquationKind::Sum) {
    std::vector<const Operand*> ops;
    for (const Operand& o : l.operands) ops.push_back(&o);
    r.numbers = sum_text(ops);
  } else {
    r.numbers = numbers_of(l);
  }
  r.value = minus(l.text);
  r.v = l.value;
  r.color = color;
  r.tip = l.meaning + "\n\n" + operand_list(l);
  return r;
}

std::vector<Row> forward_rows(const CellInspection& ins, Activation act) {
  std::vector<Row> rows;
  const auto& f = ins.forward;
  switch (ins.cell) {
    case CellType::Lstm:
      for (const char* k : {"f", "i", "g", "o"}) {
        const EquationLine* pre = find(f, std::string("a_") + k);
        const EquationLine* a = find(f, std::string(k) + "_t");
        if (pre && a)
          rows.push_back(
              gate_row(*pre, *a, k, std::string_view(k) == "g" ? "tanh" : gate_fn(a), true));
      }
      if (const auto* c = find(f, "c_t")) rows.push_back(line_row(*c));
      if (const auto* h = find(f, "h_t")) rows.push_back(line_row(*h, 2));
      break;
    case CellType::Gru:
      for (const char* k : {"r", "z", "n"}) {
        const EquationLine* pre = find(f, std::string("a_") + k);
        const EquationLine* a = find(f, std::string(k) + "_t");
        if (pre && a)
          rows.push_back(
              gate_row(*pre, *a, k, std::string_view(k) == "n" ? "tanh" : gate_fn(a), false));
      }
      if (!rows.empty() && rows.back().lhs == "n_t")
        rows.back().tip += "\n\nSome lectures call the candidate h tilde.";
      if (const auto* h = find(f, "h_t")) rows.push_back(line_row(*h, 2));
      break;
    case CellType::Rnn:
      if (const auto* a = find(f, "a_t")) rows.push_back(line_row(*a));
      if (const auto* h = find(f, "h_t"))
        rows.push_back(line_row(*h, act == Activation::Tanh ? 2 : 0));
      break;
  }
  return rows;
}

std::vector<Row> backward_rows(const CellInspection& ins) {
  std::vector<Row> rows;
  for (const EquationLine& l : ins.backward) rows.push_back(line_row(l));
  return rows;
}

ImFont* mono_font() {
  for (ImFont* f : ImGui::GetIO().Fonts->Fonts)
    if (std::string_view(f->GetDebugName()).starts_with("DejaVuSansMono")) return f;
  return nullptr;
}

ImU32 value_color(int kind, double v) {
  if (kind == 1) return widgets::colormap_color(widgets::Colormap::Sequential, v, 0, 1);
  return widgets::colormap_color(widgets::Colormap::Diverging, v, -1, 1);
}

// Black or white, whichever reads on c.
ImU32 ink_on(ImU32 c) {
  const float r = ((c >> IM_COL32_R_SHIFT) & 0xFF) / 255.f,
              g = ((c >> IM_COL32_G_SHIFT) & 0xFF) / 255.f,
              b = ((c >> IM_COL32_B_SHIFT) & 0xFF) / 255.f;
  return 0.2126f * r + 0.7152f * g + 0.0722f * b > 0.5f ? IM_COL32(10, 10, 10, 255)
                                                        : IM_COL32(250, 250, 250, 255);
}

// The value at the right of [x0, x1] on line y, on a swatch of its colour where it has one.
void draw_value(const Row& r, float x0, float x1, float y) {
  widgets::Canvas dl = ImGui::GetWindowDrawList();
  const float fs = ImGui::GetFontSize(), line = ImGui::GetTextLineHeight();
  const ImVec2 sz = ImGui::CalcTextSize(r.value.c_str());
  ImU32 ink = ImGui::GetColorU32(ImGuiCol_Text);
  if (r.color && std::isfinite(r.v)) {
    const ImU32 c = value_color(r.color, r.v);
    dl->AddRectFilled({x0, y - 1}, {x1, y + line + 1}, c, fs * 0.2f);
    ink = ink_on(c);
  }
  dl->AddText({x1 - sz.x - fs * 0.3f, y}, ink, r.value.c_str());
}

// Puts line breaks before " = ", " + " or " − " where the text would not fit in width (current
// font), so that no number is split.
std::string break_between_terms(const std::string& s, float width) {
  const char* seps[] = {" = ", " + ", " \xE2\x88\x92 "};
  auto next_sep = [&](size_t from) {
    size_t best = std::string::npos;
    for (const char* sep : seps) best = std::min(best, s.find(sep, from));
    return best == std::string::npos ? s.size() : best;
  };
  std::string out, line;
  size_t start = 0;
  while (start < s.size()) {
    const size_t next = next_sep(start + 1);
    const std::string piece = s.substr(start, next - start);
    if (!line.empty() && ImGui::CalcTextSize((line + piece).c_str()).x > width) {
      out += line + "\n";
      line = piece.substr(1);  // without the leading space
    } else {
      line += piece;
    }
    start = next;
  }
  return out + line;
}

// Wide panels: symbol = formula | numbers | value in three columns.
void draw_rows_table(const std::vector<Row>& rows, ImFont* mono, std::vector<ImRect>& rects) {
  const float fs = ImGui::GetFontSize(), line = ImGui::GetTextLineHeight();
  const float value_w = fs * 5.2f;
  const ImGuiTableFlags flags =
      ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp;
  if (ImGui::BeginTable("##rows", 3, flags)) {
    ImGui::TableSetupColumn("formula", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableSetupColumn("numbers", ImGuiTableColumnFlags_WidthStretch, 1.25f);
    ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthFixed, value_w);
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::PushID(static_cast<int>(i));
      ImGui::Selectable(
          "##row", false,
          ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap);
      const bool hovered = ImGui::IsItemHovered();
      rects.push_back({ImGui::GetItemRectMin(), ImGui::GetItemRectMax()});
      ImGui::SameLine(0, 0);
      ImGui::TextUnformatted(notation(r.lhs + " = " + r.formula).c_str());
      ImGui::TableSetColumnIndex(1);
      if (mono) ImGui::PushFont(mono);
      ImGui::TextUnformatted(
          break_between_terms(r.numbers, ImGui::GetContentRegionAvail().x).c_str());
      if (mono) ImGui::PopFont();
      ImGui::TableSetColumnIndex(2);
      const ImVec2 p = ImGui::GetCursorScreenPos();
      draw_value(r, p.x, p.x + ImGui::GetContentRegionAvail().x, p.y);
      ImGui::Dummy({ImGui::GetContentRegionAvail().x, line});
      ImGui::PopID();
      if (hovered) text_tooltip(notation(r.tip).c_str());
    }
    ImGui::EndTable();
  }
}

// Narrow panels: each row on two lines, the numbers (wrapped) under the formula and the value on
// the right.
void draw_rows_stacked(const std::vector<Row>& rows, ImFont* mono, std::vector<ImRect>& rects) {
  const float fs = ImGui::GetFontSize();
  const float value_w = fs * 5.2f;
  const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  widgets::Canvas dl = ImGui::GetWindowDrawList();
  const float w = ImGui::GetContentRegionAvail().x, indent = fs * 0.9f, pad = fs * 0.15f;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (mono) ImGui::PushFont(mono);
    const std::string numbers = break_between_terms("= " + r.numbers, w - indent);
    const float numbers_h = ImGui::CalcTextSize(numbers.c_str(), nullptr, false, w - indent).y;
    if (mono) ImGui::PopFont();
    const std::string formula = notation(r.lhs + " = " + r.formula);
    const float formula_w = w - value_w - fs * 0.5f;
    const float formula_h = ImGui::CalcTextSize(formula.c_str(), nullptr, false, formula_w).y;
    const float h = pad + formula_h + numbers_h + 2 * pad;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::PushID(static_cast<int>(i));
    ImGui::Selectable("##row", false, ImGuiSelectableFlags_AllowItemOverlap, {w, h});
    const bool hovered = ImGui::IsItemHovered();
    rects.push_back({ImGui::GetItemRectMin(), ImGui::GetItemRectMax()});
    ImGui::PopID();
    if (i % 2 == 1)
      dl->AddRectFilled(p, {p.x + w, p.y + h}, ImGui::GetColorU32(ImGuiCol_TableRowBgAlt));
    dl->AddText(ImGui::GetFont(), fs, {p.x, p.y + pad}, ImGui::GetColorU32(ImGuiCol_Text),
                formula.c_str(), nullptr, formula_w);
    draw_value(r, p.x + w - value_w, p.x + w, p.y + pad);
    const ImVec2 after = ImGui::GetCursorScreenPos();
    ImGui::SetCursorScreenPos({p.x + indent, p.y + pad + formula_h});
    if (mono) ImGui::PushFont(mono);
    ImGui::PushStyleColor(ImGuiCol_Text, dim);
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + w - indent);
    ImGui::TextUnformatted(numbers.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    if (mono) ImGui::PopFont();
    ImGui::SetCursorScreenPos(after);
    if (hovered) text_tooltip(notation(r.tip).c_str());
  }
}

// The rows as a table when there is room for three columns, else stacked. `first` numbers the
// rows for a tour's highlight (the equation lines count forward rows first, then backward ones).
void draw_rows(const char* id, const std::vector<Row>& rows, ImFont* mono, AppState& app,
               int first) {
  ImGui::PushID(id);
  std::vector<ImRect> rects;
  if (ImGui::GetContentRegionAvail().x > ImGui::GetFontSize() * 48)
    draw_rows_table(rows, mono, rects);
  else
    draw_rows_stacked(rows, mono, rects);
  ImGui::PopID();
  const TourHighlight* h = tour_highlight(app, PanelId::Inspector);
  const int i = h ? h->equation - first : -1;
  if (i >= 0 && i < static_cast<int>(rects.size()))
    draw_outline(app, "equation " + std::to_string(h->equation), rects[i].Min, rects[i].Max);
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Diagram
// -----------------------------------------------------------------------------------------------

// Drawing in a box: fractions of its width and height to pixels.
struct Canvas {
  widgets::Canvas dl;
  ImVec2 o;
  float w, h, fs;
  ImU32 ink, dim, grad;
  ImVec2 at(float x, float y) const { return {o.x + x * w, o.y + y * h}; }

  void line(ImVec2 a, ImVec2 b, ImU32 c, float t = 0) const {
    dl->AddLine(a, b, c, t > 0 ? t : fs * 0.1f);
  }
  void arrow(ImVec2 a, ImVec2 b, ImU32 c, float t = 0) const {
    t = t > 0 ? t : fs * 0.1f;
    const float dx = b.x - a.x, dy = b.y - a.y, len = std::sqrt(dx * dx + dy * dy);
    if (len < 1) return;
    const float ux = dx / len, uy = dy / len, hd = fs * 0.42f, hw = fs * 0.24f;
    const ImVec2 base{b.x - ux * hd, b.y - uy * hd};
    dl->AddLine(a, base, c, t);
    dl->AddTriangleFilled(b, {base.x - uy * hw, base.y + ux * hw},
                          {base.x + uy * hw, base.y - ux * hw}, c);
  }
  void text(ImVec2 p, ImU32 c, const std::string& tex, float ax = 0.5f, float ay = 0.5f) const {
    const std::string s = notation(tex);
    const ImVec2 sz = ImGui::CalcTextSize(s.c_str());
    dl->AddText({p.x - sz.x * ax, p.y - sz.y * ay}, c, s.c_str());
  }
  // Text on a patch of the background, readable over lines.
  void label(ImVec2 p, ImU32 c, const std::string& tex, float ax = 0.5f, float ay = 0.5f) const {
    const std::string s = notation(tex);
    const ImVec2 sz = ImGui::CalcTextSize(s.c_str());
    const ImVec2 a{p.x - sz.x * ax, p.y - sz.y * ay};
    dl->AddRectFilled({a.x - 2, a.y}, {a.x + sz.x + 2, a.y + sz.y},
                      ImGui::GetColorU32(ImGuiCol_ChildBg), 3);
    dl->AddText(a, c, s.c_str());
  }
  // A ⊙, + or 1− node.
  void node(ImVec2 p, const char* sym, float wide = 1) const {
    const float r = fs * 0.55f;
    const ImVec2 a{p.x - r * wide, p.y - r}, b{p.x + r * wide, p.y + r};
    dl->AddRectFilled(a, b, ImGui::GetColorU32(ImGuiCol_ChildBg), r);
    dl->AddRect(a, b, ink, r, 0, fs * 0.08f);
    text(p, ink, sym);
  }
  // A gate box: name and activation, and its value on its colour; text shrinks to fit.
  float gate_half_w() const { return std::min(fs * 2.0f, w * 0.082f); }
  void fit_text(ImVec2 c, ImU32 col, const std::string& tex, float room) const {
    const std::string s = notation(tex);
    const ImVec2 sz = ImGui::CalcTextSize(s.c_str());
    const float scale = std::min(1.0f, room / std::max(sz.x, 1.0f));
    dl->AddText(ImGui::GetFont(), fs * scale,
                {c.x - sz.x * scale * 0.5f, c.y - sz.y * scale * 0.5f}, col, s.c_str());
  }
  void gate(ImVec2 c, const std::string& name, const char* fn, double v, const std::string& value,
            int kind) const {
    const float hw = gate_half_w(), hh = gate_half_h();
    const ImVec2 a{c.x - hw, c.y - hh}, b{c.x + hw, c.y + hh};
    const ImU32 fill = std::isfinite(v) ? value_color(kind, v) : widgets::kNanColor;
    dl->AddRectFilled(a, b, fill, fs * 0.25f);
    dl->AddRect(a, b, ink, fs * 0.25f, 0, fs * 0.06f);
    const ImU32 on = ink_on(fill);
    fit_text({c.x, c.y - hh * 0.45f}, on, name + " " + fn, 2 * hw - 4);
    fit_text({c.x, c.y + hh * 0.47f}, on, value, 2 * hw - 4);
  }
  float gate_half_h() const { return fs * 1.25f; }
};

std::string val(const EquationLine* l) {
  return l ? minus(l->text) : "?";
}
double num(const EquationLine* l) {
  return l ? l->value : std::nan("");
}
std::string op_text(const EquationLine* l, std::string_view symbol) {
  if (l)
    for (const Operand& o : l->operands)
      if (o.symbol == symbol) return minus(o.text);
  return "?";
}

void diagram_lstm(const Canvas& k, const CellInspection& ins, const std::string& h_prev) {
  const auto& f = ins.forward;
  const auto* c_line = find(f, "c_t");
  const auto* h_line = find(f, "h_t");
  const float yc = 0.16f, yn = 0.39f, yg = 0.63f, yb = 0.86f, r = k.fs * 0.55f;
  // the highway: c_{t−1} -> ⊙ f -> + -> c_t
  const ImVec2 mul_f = k.at(0.13f, yc), plus = k.at(0.42f, yc);
  k.arrow(k.at(0.0f, yc), {mul_f.x - r, mul_f.y}, k.ink, k.fs * 0.16f);
  k.arrow({mul_f.x + r, mul_f.y}, {plus.x - r, plus.y}, k.ink, k.fs * 0.16f);
  k.arrow({plus.x + r, plus.y}, k.at(1.0f, yc), k.ink, k.fs * 0.16f);
  k.text({k.at(0.0f, 0).x, k.at(0, yc).y - r - 2}, k.dim,
         "c_{t\xE2\x88\x92\x31} = " + op_text(c_line, "c_{t\xE2\x88\x92\x31}"), 0, 1);
  k.text({k.at(1.0f, 0).x, k.at(0, yc).y - r - 2}, k.ink, "c_t = " + val(c_line), 1, 1);
  // the gates
  const ImVec2 gf = k.at(0.13f, yg), gi = k.at(0.33f, yg), gg = k.at(0.51f, yg),
               go = k.at(0.69f, yg);
  const char* names[4] = {"f", "i", "g", "o"};
  const ImVec2 pos[4] = {gf, gi, gg, go};
  const float top = k.gate_half_h();
  // the input bus [h_{t−1}, x_t] feeding every gate
  const float ybus = k.at(0, yb).y;
  k.line(k.at(0.0f, yb), {go.x, ybus}, k.ink, k.fs * 0.12f);
  for (const ImVec2& g : pos) k.arrow({g.x, ybus}, {g.x, g.y + top}, k.ink);
  // Under the bus, h_{t−1} (with its value when there is room) on the left, h_t on the right.
  const std::string h_out_text = "h_t = " + val(h_line);
  std::string bus = "h_{t\xE2\x88\x92\x31} = " + h_prev + ", x_t";
  if (ImGui::CalcTextSize(bus.c_str()).x + ImGui::CalcTextSize(h_out_text.c_str()).x + k.fs > k.w)
    bus = "[h_{t\xE2\x88\x92\x31}, x_t]";
  k.text({k.at(0.0f, 0).x, ybus + k.fs * 0.15f}, k.dim, bus, 0, 0);
  // f -> ⊙ on the highway; i, g -> ⊙ -> +
  k.arrow({gf.x, gf.y - top}, {mul_f.x, mul_f.y + r}, k.ink);
  const ImVec2 mul_ig = {plus.x, k.at(0, yn).y};
  k.line({gi.x, gi.y - top}, {gi.x, mul_ig.y}, k.ink);
  k.arrow({gi.x, mul_ig.y}, {mul_ig.x - r, mul_ig.y}, k.ink);
  k.line({gg.x, gg.y - top}, {gg.x, mul_ig.y}, k.ink);
  k.arrow({gg.x, mul_ig.y}, {mul_ig.x + r, mul_ig.y}, k.ink);
  k.arrow({mul_ig.x, mul_ig.y - r}, {plus.x, plus.y + r}, k.ink);
  // c_t -> tanh -> ⊙ o -> h_t
  const ImVec2 th = k.at(0.87f, yn), mul_o = k.at(0.87f, yg), h_out = k.at(1.0f, yb);
  k.arrow({th.x, k.at(0, yc).y}, {th.x, th.y - k.fs * 0.6f}, k.ink);
  k.arrow({th.x, th.y + k.fs * 0.6f}, {mul_o.x, mul_o.y - r}, k.ink);
  k.arrow({go.x + k.gate_half_w(), go.y}, {mul_o.x - r, mul_o.y}, k.ink);
  k.line({mul_o.x, mul_o.y + r}, {mul_o.x, h_out.y}, k.ink, k.fs * 0.16f);
  k.arrow({mul_o.x, h_out.y}, h_out, k.ink, k.fs * 0.16f);
  for (int j = 0; j < 4; ++j) {
    const auto* a = find(f, std::string(names[j]) + "_t");
    k.gate(pos[j], names[j], j == 2 ? "tanh" : gate_fn(a), num(a), val(a), j == 2 ? 2 : 1);
  }
  k.node(mul_f, "\xE2\x8A\x99");
  k.node(plus, "+");
  k.node(mul_ig, "\xE2\x8A\x99");
  k.dl->AddRectFilled({th.x - k.fs * 1.3f, th.y - k.fs * 0.6f},
                      {th.x + k.fs * 1.3f, th.y + k.fs * 0.6f},
                      ImGui::GetColorU32(ImGuiCol_ChildBg), k.fs * 0.5f);
  k.dl->AddRect({th.x - k.fs * 1.3f, th.y - k.fs * 0.6f}, {th.x + k.fs * 1.3f, th.y + k.fs * 0.6f},
                k.ink, k.fs * 0.5f);
  k.text(th, k.ink, "tanh");
  k.node(mul_o, "\xE2\x8A\x99");
  k.text({h_out.x, h_out.y + k.fs * 0.15f}, k.ink, h_out_text, 1, 0);
}

void diagram_gru(const Canvas& k, const CellInspection& ins) {
  const auto& f = ins.forward;
  const auto* h_line = find(f, "h_t");
  const float yh = 0.16f, yn = 0.39f, yg = 0.63f, yb = 0.86f, r = k.fs * 0.55f;
  const ImVec2 gz = k.at(0.14f, yg), gr = k.at(0.38f, yg), mul_r = k.at(0.555f, yg),
               gn = k.at(0.73f, yg);
  const ImVec2 mul_z = k.at(0.14f, yh), plus = k.at(0.73f, yh), one_minus = k.at(0.38f, yn),
               mul_n = k.at(0.73f, yn);
  const float top = k.gate_half_h(), ybus = k.at(0, yb).y;
  // the state's own path: h_{t−1} -> ⊙ z -> + -> h_t
  k.arrow(k.at(0.0f, yh), {mul_z.x - r, mul_z.y}, k.ink, k.fs * 0.16f);
  k.arrow({mul_z.x + r, mul_z.y}, {plus.x - r, plus.y}, k.ink, k.fs * 0.16f);
  k.arrow({plus.x + r, plus.y}, k.at(1.0f, yh), k.ink, k.fs * 0.16f);
  k.text({k.at(0.0f, 0).x, k.at(0, yh).y - r - 2}, k.dim,
         "h_{t\xE2\x88\x92\x31} = " + op_text(h_line, "h_{t\xE2\x88\x92\x31}"), 0, 1);
  k.text({k.at(1.0f, 0).x, k.at(0, yh).y - r - 2}, k.ink, "h_t = " + val(h_line), 1, 1);
  // the bus: [h_{t−1}, x_t] into z and r, h_{t−1} into r ⊙ h_{t−1}, x_t into n
  k.line(k.at(0.0f, yb), {gn.x, ybus}, k.ink, k.fs * 0.12f);
  k.arrow({gz.x, ybus}, {gz.x, gz.y + top}, k.ink);
  k.arrow({gr.x, ybus}, {gr.x, gr.y + top}, k.ink);
  k.arrow({mul_r.x, ybus}, {mul_r.x, mul_r.y + r}, k.ink);
  k.arrow({gn.x, ybus}, {gn.x, gn.y + top}, k.ink);
  k.text({k.at(0.0f, 0).x, ybus + k.fs * 0.15f}, k.dim, "[h_{t\xE2\x88\x92\x31}, x_t]", 0, 0);
  k.text({mul_r.x, ybus + k.fs * 0.15f}, k.dim, "h_{t\xE2\x88\x92\x31}", 0.5f, 0);
  k.text({gn.x, ybus + k.fs * 0.15f}, k.dim, "x_t", 0.5f, 0);
  // z: keeps z ⊙ h_{t−1}; 1 − z weighs the candidate
  k.arrow({gz.x, gz.y - top}, {mul_z.x, mul_z.y + r}, k.ink);
  k.arrow({gz.x, one_minus.y}, {one_minus.x - r * 1.5f, one_minus.y}, k.ink);
  k.arrow({one_minus.x + r * 1.5f, one_minus.y}, {mul_n.x - r, mul_n.y}, k.ink);
  // r ⊙ h_{t−1} into the candidate n; (1 − z) ⊙ n into the sum
  k.arrow({gr.x + k.gate_half_w(), gr.y}, {mul_r.x - r, mul_r.y}, k.ink);
  k.arrow({mul_r.x + r, mul_r.y}, {gn.x - k.gate_half_w(), gn.y}, k.ink);
  k.arrow({gn.x, gn.y - top}, {mul_n.x, mul_n.y + r}, k.ink);
  k.arrow({mul_n.x, mul_n.y - r}, {plus.x, plus.y + r}, k.ink);
  const char* names[3] = {"z", "r", "n"};
  const ImVec2 pos[3] = {gz, gr, gn};
  for (int j = 0; j < 3; ++j) {
    const auto* a = find(f, std::string(names[j]) + "_t");
    k.gate(pos[j], names[j], j == 2 ? "tanh" : gate_fn(a), num(a), val(a), j == 2 ? 2 : 1);
  }
  k.node(mul_z, "\xE2\x8A\x99");
  k.node(plus, "+");
  k.node(one_minus, "1\xE2\x88\x92", 1.5f);
  k.node(mul_n, "\xE2\x8A\x99");
  k.node(mul_r, "\xE2\x8A\x99");
}

void diagram_rnn(const Canvas& k, const CellInspection& ins, const std::string& h_prev,
                 Activation act) {
  const auto& f = ins.forward;
  const auto* a_line = find(f, "a_t");
  const auto* h_line = find(f, "h_t");
  const float y = 0.40f;
  const ImVec2 fn = k.at(0.74f, y);
  const float x0 = k.at(0.10f, 0).x, x1 = k.at(0.56f, 0).x, bh = k.fs * 1.4f, yy = k.at(0, y).y;
  const float xm = (x0 + x1) * 0.5f;
  k.arrow(k.at(0.0f, y), {x0, yy}, k.ink, k.fs * 0.16f);
  k.text({k.at(0.0f, 0).x, yy - bh - 2}, k.dim, "h_{t\xE2\x88\x92\x31} = " + h_prev, 0, 1);
  k.arrow({xm, k.at(0, 0.95f).y}, {xm, yy + bh}, k.ink);
  k.text({xm + k.fs * 0.4f, k.at(0, 0.92f).y}, k.dim, "x_t", 0, 0.5f);
  k.dl->AddRect({x0, yy - bh}, {x1, yy + bh}, k.ink, k.fs * 0.25f, 0, k.fs * 0.08f);
  k.fit_text({xm, yy - bh * 0.45f}, k.ink, "W_hh h_{t\xE2\x88\x92\x31} + W_xh x_t + b",
             x1 - x0 - 8);
  k.fit_text({xm, yy + bh * 0.45f}, k.ink, "a_t = " + val(a_line), x1 - x0 - 8);
  k.arrow({x1, yy}, {fn.x - k.gate_half_w(), fn.y}, k.ink, k.fs * 0.16f);
  const double hv = num(h_line);
  const std::string fname = act == Activation::Tanh ? "tanh" : std::string(to_string(act));
  k.gate(fn, "h", fname.c_str(), hv, val(h_line), 2);
  k.arrow({fn.x + k.gate_half_w(), fn.y}, k.at(1.0f, y), k.ink, k.fs * 0.16f);
  k.text({k.at(1.0f, 0).x, yy - 2}, k.ink, "h_t", 1, 1);
  k.arrow({fn.x, fn.y - k.gate_half_h()}, k.at(0.74f, 0.04f), k.dim);
  k.text({fn.x - k.fs * 0.4f, k.at(0, 0.06f).y}, k.dim, "to y_t and t + 1", 1, 0.5f);
}

// The backward half drawn on the diagram: the gradient values where they flow, pointing left.
void diagram_gradients(const Canvas& k, const CellInspection& ins) {
  if (ins.backward.empty()) return;
  const auto& b = ins.backward;
  const float t = k.fs * 0.14f;
  if (ins.cell == CellType::Rnn) {
    const auto* dh = find(b, "\xE2\x88\x82L/\xE2\x88\x82h_t");
    const auto* da = find(b, "\xE2\x88\x82L/\xE2\x88\x82\x61_t");
    const float yy = 0.40f + k.gate_half_h() / k.h + 0.07f, hw = k.gate_half_w() / k.w;
    k.arrow(k.at(1.0f, yy), k.at(0.74f + hw, yy), k.grad, t);
    k.label(k.at(1.0f, yy + 0.02f), k.grad, "\xE2\x88\x82L/\xE2\x88\x82h_t = " + val(dh), 1, 0);
    k.arrow(k.at(0.74f - hw, yy), k.at(0.56f, yy), k.grad, t);
    k.label(k.at(0.56f, yy + 0.14f), k.grad, "\xE2\x88\x82L/\xE2\x88\x82\x61_t = " + val(da), 0, 0);
    return;
  }
  const bool lstm = ins.cell == CellType::Lstm;
  const auto* d =
      find(b, lstm ? "\xE2\x88\x82L/\xE2\x88\x82\x63_t" : "\xE2\x88\x82L/\xE2\x88\x82h_t");
  const auto* dp = find(b, lstm ? "\xE2\x88\x82L/\xE2\x88\x82\x63_{t\xE2\x88\x92\x31} (highway)"
                                : "\xE2\x88\x82L/\xE2\x88\x82h_{t\xE2\x88\x92\x31} (direct)");
  const float yy = 0.23f;
  k.arrow(k.at(1.0f, yy), k.at(0.0f, yy), k.grad, t);
  k.label(k.at(1.0f, yy + 0.02f), k.grad,
          std::string(lstm ? "\xE2\x88\x82L/\xE2\x88\x82\x63_t" : "\xE2\x88\x82L/\xE2\x88\x82h_t") +
              " = " + val(d),
          1, 0);
  k.label(k.at(0.0f, yy + 0.02f), k.grad,
          std::string(lstm ? "\xC3\x97 f_t \xE2\x86\x92 " : "\xC3\x97 z_t \xE2\x86\x92 ") + val(dp),
          0, 0);
}

void draw_diagram(const CellInspection& ins, const std::string& h_prev, Activation act) {
  const float fs = ImGui::GetFontSize();
  const float w = ImGui::GetContentRegionAvail().x;
  const float h = std::clamp(w * 0.5f, fs * 10.0f, fs * 12.5f);
  const ImVec2 o = ImGui::GetCursorScreenPos();
  widgets::Canvas dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(o, {o.x + w, o.y + h}, ImGui::GetColorU32(ImGuiCol_ChildBg), fs * 0.3f);
  const float pad = fs * 0.5f;
  const Canvas k{dl,
                 {o.x + pad, o.y + pad},
                 w - 2 * pad,
                 h - 2 * pad,
                 fs,
                 ImGui::GetColorU32(ImGuiCol_Text),
                 ImGui::GetColorU32(ImGuiCol_TextDisabled),
                 IM_COL32(86, 180, 233, 255)};
  switch (ins.cell) {
    case CellType::Lstm:
      diagram_lstm(k, ins, h_prev);
      break;
    case CellType::Gru:
      diagram_gru(k, ins);
      break;
    case CellType::Rnn:
      diagram_rnn(k, ins, h_prev, act);
      break;
  }
  diagram_gradients(k, ins);
  ImGui::Dummy({w, h});
}

// Why this cell keeps (or loses) the gradient, with its own numbers.
std::string gradient_story(const CellInspection& ins) {
  const auto& f = ins.forward;
  switch (ins.cell) {
    case CellType::Lstm: {
      const auto* ft = find(f, "f_t");
      return "Along the highway the gradient to c_{t\xE2\x88\x92\x31} is multiplied by f_t = " +
             val(ft) +
             " and by nothing else: no weight matrix, no squashing derivative. A forget gate near "
             "1 passes it "
             "on almost whole, step after step; near 0 it cuts it.";
    }
    case CellType::Gru: {
      const auto* zt = find(f, "z_t");
      return "The direct path to h_{t\xE2\x88\x92\x31} multiplies the gradient by z_t = " +
             val(zt) +
             " and nothing else, like the LSTM's forget gate: z near 1 keeps it alive over many "
             "steps. The other "
             "paths go through the gates and W_h.";
    }
    case CellType::Rnn:
      return "Every step back, the gradient is multiplied by the activation's slope "
             "(tanh\xE2\x80\xB2 = 1 \xE2\x88\x92 "
             "h_t\xC2\xB2, at most 1) and by W_hh\xE2\x8A\xA4 (the transposed recurrent weights). "
             "Over many steps the product of these factors "
             "shrinks (vanishing) or grows (exploding) geometrically.";
  }
  return "";
}

void draw_forward(const CellInspection& ins, const ModelView& m, ImFont* mono, AppState& app) {
  draw_rows("##forward", forward_rows(ins, m.spec.activation), mono, app, 0);
}

void draw_backward(const CellInspection& ins, const ModelView& m, int t, ImFont* mono,
                   AppState& app) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("The gradient at this cell, and what it passes back to t \xE2\x88\x92 1:");
  ImGui::PopStyleColor();
  ImGui::PushTextWrapPos(0);
  if (app.mode == Mode::Inspect)
    ImGui::TextDisabled("Inspect: L is the output chosen in the Input panel (y before its "
                        "readout's activation).");
  if (ins.backward.empty()) {
    const bool later = m.phase == Phase::Backward && !m.profile_sweep;
    ImGui::Text(
        later
            ? "The backward pass has not reached t = %d yet: \xE2\x86\x90 takes it one step "
              "further."
            : "No gradient yet: B runs the backward pass, which starts at t = T and reaches t = %d "
              "after the later steps.",
        t + 1);
  } else {
    const int first = static_cast<int>(forward_rows(ins, m.spec.activation).size());
    draw_rows("##backward", backward_rows(ins), mono, app, first);
    ImGui::Spacing();
    ImGui::TextUnformatted(notation(gradient_story(ins)).c_str());
  }
  ImGui::PopTextWrapPos();
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Panel
// -----------------------------------------------------------------------------------------------

// Which cell and unit: t, unit, layer (L > 1), and the diagram's switch.
void draw_cell_selectors(const ModelView& m, AppState& app) {
  StepState& s = app.step;
  const int T = m.steps, L = m.spec.num_layers, H = m.spec.hidden_size;
  const float fs = ImGui::GetFontSize();
  int t1 = s.t + 1;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("t");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(fs * 6);
  if (ImGui::SliderInt("##t", &t1, 1, T)) s.t = t1 - 1, s.follow = false;
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("The inspected time step (also: click a cell in the unrolled network)");
  ImGui::SameLine();
  ImGui::TextUnformatted("unit");
  ImGui::SameLine();
  int unit = app.unit;
  ImGui::SetNextItemWidth(fs * 5.5f);
  if (ImGui::InputInt("##unit", &unit)) app.unit = std::clamp(unit, 0, H - 1);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "Which of the %d hidden units (0 to %d) to follow; clicking a row of a heatmap chooses it "
        "too.\n"
        "Each unit has its own gates: one row of each weight matrix.",
        H, H - 1);
  if (L > 1) {
    ImGui::SameLine();
    ImGui::TextUnformatted("layer");
    ImGui::SameLine();
    int layer = app.layer + 1;
    ImGui::SetNextItemWidth(fs * 5);
    if (ImGui::InputInt("##layer", &layer)) app.layer = std::clamp(layer, 1, L) - 1;
  }
  fit_on_line(fs * 5.5f);
  ImGui::Checkbox("diagram", &s.inspector.show_diagram);
}

// "LSTM cell at t = 3, unit 0, sequence 1" and what the rows below mean.
void draw_cell_heading(const ModelView& m, const AppState& app) {
  const char* cell = m.spec.cell == CellType::Lstm  ? "LSTM"
                     : m.spec.cell == CellType::Gru ? "GRU"
                                                    : "RNN";
  char head[160];
  std::snprintf(head, sizeof head, "%s cell at t = %d%s, unit %d, sequence %d", cell,
                app.step.t + 1,
                m.spec.num_layers > 1 ? (", layer " + std::to_string(app.layer + 1)).c_str() : "",
                app.unit, m.sample + 1);
  ImGui::Separator();
  ImGui::TextWrapped("%s", head);
  help_marker(
      "The chosen unit's arithmetic at this step, with the engine's own numbers: each row is a "
      "line of the "
      "cell's equations as the lectures write them, then the same line with the numbers put in, "
      "then its "
      "value. Hover a row for what it means and every operand. Nothing here is recomputed for "
      "display.");
}

// The forward and the backward half: stacked when the panel is wide, else as two tabs with the
// current pass's in front (brought there once each time the pass changes).
void draw_halves(const CellInspection& ins, const ModelView& m, AppState& app, ImFont* mono) {
  StepState& s = app.step;
  const int phase = m.phase == Phase::Backward || m.phase == Phase::Update ? 1 : 0;
  const bool bring = phase != s.inspector.tab_phase;
  s.inspector.tab_phase = phase;
  if (ImGui::GetContentRegionAvail().x > ImGui::GetFontSize() * 48) {
    ImGui::TextDisabled("Forward");
    draw_forward(ins, m, mono, app);
    ImGui::Spacing();
    ImGui::TextDisabled("Backward");
    draw_backward(ins, m, s.t, mono, app);
    return;
  }
  if (!ImGui::BeginTabBar("##halves")) return;
  if (ImGui::BeginTabItem("Forward", nullptr,
                          bring && phase == 0 ? ImGuiTabItemFlags_SetSelected : 0)) {
    draw_forward(ins, m, mono, app);
    ImGui::EndTabItem();
  }
  if (ImGui::BeginTabItem("Backward", nullptr,
                          bring && phase == 1 ? ImGuiTabItemFlags_SetSelected : 0)) {
    draw_backward(ins, m, s.t, mono, app);
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
}

}  // namespace

void draw_inspector_panel(const Snapshot& snap, AppState& app) {
  if (snap.models.empty()) return;
  const ModelView& m = inspected_model(snap, app);
  StepState& s = app.step;
  const int T = m.steps;
  app.layer = std::clamp(app.layer, 0, m.spec.num_layers - 1);
  app.unit = std::clamp(app.unit, 0, m.spec.hidden_size - 1);
  if (s.follow) s.t = follow_target(m, s.t);
  if (T == 0 || m.h.empty()) {
    ImGui::TextWrapped(
        "Nothing computed yet. Press \xE2\x86\x92 to draw a batch and compute the first time step; "
        "this panel then shows that cell's arithmetic.");
    return;
  }
  s.t = std::clamp(s.t, 0, T - 1);
  draw_cell_selectors(m, app);
  if (s.t >= m.forward_t) {
    ImGui::Spacing();
    ImGui::TextWrapped(
        "t = %d is not computed yet in this forward pass (t = 1 to %d are). Press \xE2\x86\x92 to "
        "compute "
        "it, or inspect an earlier step.",
        s.t + 1, m.forward_t);
    return;
  }
  const CellInspection ins = inspect_view(m, app.layer, s.t, app.unit);
  draw_cell_heading(m, app);
  const double h_prev_v = s.t == 0 ? m.h0(app.unit, app.layer) : m.h[app.layer](app.unit, s.t - 1);
  const std::string h_prev = minus(format_number(h_prev_v));
  if (s.inspector.show_diagram) draw_diagram(ins, h_prev, m.spec.activation);
  draw_halves(ins, m, app, mono_font());
}

}  // namespace unrolled
