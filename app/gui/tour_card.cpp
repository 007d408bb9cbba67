// The tour card: a band under the panels (so it never covers what it points at) with the step's
// title and text, its question, "3 / 9", Back and Next. A lesson without a tour shows its title
// and description there instead.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "app/gui/gui.hpp"
#include "app/panels/panels.hpp"

namespace unrolled {
namespace {

constexpr float kReadableChars = 95;  // the text wraps at about this many characters

struct CardText {
  std::string title, text, question, reveal;
  std::vector<std::string> choices;
};

// The card's texts broken at spaces to fit wrap pixels (never inside a number).
CardText card_text(const AppState& app, float wrap);

CardText card_text_raw(const AppState& app) {
  const TourState& t = app.tour;
  CardText c;
  if (t.steps.empty()) {
    c.title = notation(t.title);
    c.text = notation(t.description);
    return c;
  }
  const TourStep& s = t.steps[t.step];
  c.title = notation(s.title);
  c.text = notation(s.text);
  if (s.predict) {
    c.question = notation(s.predict->question);
    for (const std::string& choice : s.predict->choices) c.choices.push_back(notation(choice));
    c.reveal = notation(s.predict->reveal);
  }
  return c;
}

CardText card_text(const AppState& app, float wrap) {
  CardText c = card_text_raw(app);
  c.text = wrap_at_spaces(c.text, wrap);
  c.question = wrap_at_spaces(c.question, wrap);
  c.reveal = wrap_at_spaces(c.reveal, wrap);
  return c;
}

float buttons_width() {
  const ImGuiStyle& st = ImGui::GetStyle();
  return ImGui::CalcTextSize("\xE2\x97\x80 Back").x + ImGui::CalcTextSize("Next \xE2\x96\xB6").x +
         ImGui::CalcTextSize(" 12 / 12 ").x + st.FramePadding.x * 4 + st.ItemSpacing.x * 3;
}

float wrap_width(float width, bool buttons = true) {
  const ImGuiStyle& st = ImGui::GetStyle();
  const float room =
      width - (buttons ? buttons_width() : 0) - st.WindowPadding.x * 2 - st.ItemSpacing.x * 2;
  if (!buttons) return std::max(room, ImGui::GetFontSize() * 10);  // a lesson's description
  return std::max(ImGui::GetFontSize() * 10, std::min(room, ImGui::GetFontSize() * kReadableChars * 0.5f));
}

bool revealed(const Snapshot& snap, const AppState& app) {
  const TourState& t = app.tour;
  return !t.steps.empty() && t.steps[t.step].predict && t.step == t.reached && !t.asking &&
         !tour_busy(snap, app);
}

void draw_question(const Snapshot& snap, const CardText& c, AppState& app) {
  TourState& t = app.tour;
  const TourPredict& p = *t.steps[t.step].predict;
  ImGui::TextUnformatted(c.question.c_str());
  const bool open = t.asking && t.step == t.reached;
  for (size_t i = 0; i < c.choices.size(); ++i) {
    if (i > 0) ImGui::SameLine();
    const bool picked = t.answer == static_cast<int>(i);
    const bool shown_right = !open && static_cast<int>(i) == p.answer && revealed(snap, app);
    if (picked || shown_right)
      ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    ImGui::BeginDisabled(!open);
    if (ImGui::Button(c.choices[i].c_str())) tour_answer(app, static_cast<int>(i));
    ImGui::EndDisabled();
    if (picked || shown_right) ImGui::PopStyleColor();
  }
  if (open) return;
  if (!revealed(snap, app)) {
    ImGui::TextDisabled("Running\xE2\x80\xA6 iteration %lld",
                        snap.models.empty() ? 0LL : static_cast<long long>(snap.models[0].iteration));
    return;
  }
  const bool right = t.answer == p.answer;
  if (t.answer >= 0) {
    ImGui::PushStyleColor(ImGuiCol_Text, attention_color(!right));
    ImGui::TextUnformatted(right ? "Right." : "Not quite.");
    ImGui::PopStyleColor();
    ImGui::SameLine();
  }
  ImGui::TextWrapped("%s", c.reveal.c_str());
}

void draw_buttons(const Snapshot& snap, AppState& app, float width) {
  TourState& t = app.tour;
  const ImGuiStyle& st = ImGui::GetStyle();
  ImGui::SetCursorPos({width - buttons_width() - st.WindowPadding.x, st.WindowPadding.y});
  char count[32];
  std::snprintf(count, sizeof count, "%d / %zu", t.step + 1, t.steps.size());
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(count);
  report_value(app, "tour.step", count);
  ImGui::SameLine();
  ImGui::BeginDisabled(t.step == 0);
  if (ImGui::Button("\xE2\x97\x80 Back")) tour_back(app);
  ImGui::EndDisabled();
  ImGui::SameLine();
  const bool last = t.step + 1 == static_cast<int>(t.steps.size()) && !t.asking;
  ImGui::BeginDisabled(last);
  if (ImGui::Button("Next \xE2\x96\xB6")) tour_next(app);
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    text_tooltip(last ? "The last step" : "Next step (PageDown, or \xE2\x86\x92 / Space here)");
  if (tour_busy(snap, app)) {
    ImGui::SetCursorPosX(width - buttons_width() - st.WindowPadding.x);
    ImGui::TextDisabled("running\xE2\x80\xA6");
  }
}

// A lesson without a tour: its description across the card (its title is in the menu bar).
float description_height(const CardText& c, float width) {
  return ImGui::CalcTextSize(c.text.c_str(), nullptr, false, wrap_width(width, false)).y;
}

float content_height(const CardText& c, float wrap, bool question) {
  const ImGuiStyle& st = ImGui::GetStyle();
  float h = ImGui::GetTextLineHeightWithSpacing() * 1.25f;  // the title
  h += ImGui::CalcTextSize(c.text.c_str(), nullptr, false, wrap).y + st.ItemSpacing.y;
  if (question) {
    h += ImGui::CalcTextSize(c.question.c_str(), nullptr, false, wrap).y + st.ItemSpacing.y;
    h += ImGui::GetFrameHeightWithSpacing();
    h += ImGui::CalcTextSize(c.reveal.c_str(), nullptr, false, wrap).y + st.ItemSpacing.y;
  }
  return h;
}

}  // namespace

float tour_card_height(const AppState& app, float width) {
  if (app.tour.steps.empty() && app.tour.description.empty()) return 0;
  const float wrap = wrap_width(width, !app.tour.steps.empty());
  const CardText c = card_text(app, wrap);
  const ImGuiStyle& st = ImGui::GetStyle();
  if (app.tour.steps.empty()) return description_height(c, width) + st.WindowPadding.y * 2;
  const bool question = app.tour.steps[app.tour.step].predict.has_value();
  const float h = content_height(c, wrap, question);
  return std::max(h, ImGui::GetFrameHeightWithSpacing() * 2) + st.WindowPadding.y * 2;
}

void draw_tour_card(const Snapshot& snap, AppState& app, Rect r, ImFont* title_font) {
  TourState& t = app.tour;
  t.card = r;
  if (r.h <= 0) return;
  ImGui::SetNextWindowPos({r.x, r.y});
  ImGui::SetNextWindowSize({r.w, r.h});
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImGui::GetStyleColorVec4(ImGuiCol_PopupBg));
  ImGui::Begin("###tour_card", nullptr,
               ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings);
  t.card_focused = ImGui::IsWindowFocused(ImGuiFocusedFlags_ChildWindows);
  const float wrap = wrap_width(r.w, !t.steps.empty());
  const CardText c = card_text(app, wrap);
  if (t.steps.empty()) {  // the description alone, across the card
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap);
    ImGui::TextUnformatted(c.text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::End();
    ImGui::PopStyleColor();
    return;
  }
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap);
  if (title_font) ImGui::PushFont(title_font);
  ImGui::TextUnformatted(c.title.c_str());
  if (title_font) ImGui::PopFont();
  ImGui::TextUnformatted(c.text.c_str());
  if (!t.steps.empty() && t.steps[t.step].predict) draw_question(snap, c, app);
  ImGui::PopTextWrapPos();
  report_value(app, "tour.title", c.title);
  if (!t.steps.empty()) draw_buttons(snap, app, r.w);
  ImGui::End();
  ImGui::PopStyleColor();
}

}  // namespace unrolled
