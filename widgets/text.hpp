// Numbers and text that fit: one number format for every widget (and the app's panels), and text
// shortened with an ellipsis, never cut, with the whole text in a tooltip.
//
//   char buf[32];
//   ImGui::Text("loss %s", widgets::format_number(buf, sizeof buf, loss));  // "2.31", "1.2e19"
//   widgets::TextEllipsis(lesson_title, 20 * ImGui::GetFontSize());         // "remember a sy…"
#pragma once

#include <cstddef>
#include <string>

#include <imgui.h>

#include "widgets/canvas.hpp"

namespace unrolled::widgets {

// v with `significant` significant digits (1..15), trailing zeros dropped: "0.0123", "2.5",
// "418234" (integer digits are never rounded away below 1e6). Magnitudes >= 1e6 or < 1e-4 (after
// rounding) in scientific notation without a plus sign or padded exponent: "1.2e19", "3.4e-5".
// Negative numbers carry the minus sign U+2212 ("−0.5"); NaN, +inf and -inf are "NaN", "inf",
// "−inf"; zero (either sign) is "0". Returns buf (at least 24 bytes advised).
const char* format_number(char* buf, std::size_t size, double v, int significant = 3);
std::string format_number(double v, int significant = 3);

// The ellipsis the current font can draw: "…" (U+2026) when it has the glyph, else "...".
const char* ellipsis_text();

// The text to draw in max_width pixels at the current font: [text, text_end) itself when it fits
// (returns false), else its longest prefix of whole UTF-8 characters followed by the ellipsis
// (returns true); an empty `out` when not even the ellipsis fits. Needs an ImGui context with a
// built font. text_end null: up to the terminating zero.
bool fit_text(std::string& out, const char* text, const char* text_end, float max_width);

// An ImGui text item on one line, shortened with an ellipsis to max_width (<= 0: the rest of the
// line, minus |max_width|); hovering a shortened text shows it whole in a tooltip. Returns true
// when shortened. A text that cannot show even the ellipsis is reported as clipped
// (widgets/report.hpp).
bool TextEllipsis(const char* text, float max_width = 0.0f);

// The same on a draw list, for widgets that place their own text: draws at pos (top-left),
// shortened to max_width, tooltip on hover when shortened (and the current window is hovered).
// Returns the width drawn.
float DrawTextEllipsis(Canvas draw_list, ImVec2 pos, ImU32 color, const char* text, float max_width,
                       const char* text_end = nullptr);

}  // namespace unrolled::widgets
