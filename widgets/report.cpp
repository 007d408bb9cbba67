#include "widgets/report.hpp"

#include <cstring>

namespace unrolled::widgets {
namespace {

// One report for the UI thread, which is the only one drawing.
bool g_enabled = false;
LayoutReport g_report;

}  // namespace

void set_layout_report(bool enabled) {
  g_enabled = enabled;
  if (!enabled) g_report.clear();
}

bool layout_report_enabled() {
  return g_enabled;
}

LayoutReport& layout_report() {
  return g_report;
}

void report_clipped_text(const char* text, const char* text_end) {
  if (!g_enabled || text == nullptr) return;
  g_report.clipped_text.emplace_back(text, text_end ? text_end : text + std::strlen(text));
}

}  // namespace unrolled::widgets
