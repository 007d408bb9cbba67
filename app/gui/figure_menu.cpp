// Figures from the running app: a right-click on any panel (its title bar or its content) opens a
// menu to save it as PNG at 1x, 2x or 3x the screen's pixels (drawn anew at that size, not
// scaled up), as SVG, its data as CSV or to the clipboard, and to record it (or the whole window)
// as an animated GIF for a chosen number of seconds at a chosen frame rate. The menu only asks;
// the work is done between frames (serve_figures), where the figure has its own ImGui context.
// GIF frames are encoded on the recorder's thread, so the UI thread only draws and hands over.
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "app/gui/gui.hpp"
#include "app/panels/panels.hpp"
#include "app/session/training_worker.hpp"

namespace unrolled {
namespace {

constexpr double kMessageSeconds = 5.0;

void say(AppState& app, const std::string& text) {
  app.figures.message = text;
  app.figures.message_until = glfwGetTime() + kMessageSeconds;
}

std::string megabytes(std::int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / 1048576.0);
  return buf;
}

// dir/<stem>.<ext>, or dir/<stem>-2.<ext>, ... when taken. Makes dir. Empty (with a message)
// when it cannot.
std::string free_path(AppState& app, const std::string& stem, const char* ext) {
  std::error_code ec;
  std::filesystem::create_directories(app.figures.dir, ec);
  if (ec) {
    say(app, "cannot make the folder " + app.figures.dir + ": " + ec.message());
    return "";
  }
  for (int n = 1; n < 1000; ++n) {
    std::string name = stem;
    if (n > 1) name += '-', name += std::to_string(n);
    name += '.', name += ext;
    const std::filesystem::path p = std::filesystem::path(app.figures.dir) / name;
    if (!std::filesystem::exists(p, ec)) return p.string();
  }
  say(app, "too many files named " + stem + " in " + app.figures.dir);
  return "";
}

const Snapshot& shown_snapshot(PanelId id, const AppState& app, TrainingWorker& worker,
                               std::shared_ptr<const Snapshot>& hold) {
  hold = app.panel_snapshots[index_of(id)];
  if (!hold) hold = worker.latest();
  return *hold;
}

// The figure of a panel as it is on screen: its window's size and the window's text scale.
FigureSpec screen_spec(const FigureState::Request& r, const AppState& app, const Snapshot& snap,
                       const Window& window) {
  const float base = window.ui_scale() * window.content_scale();
  FigureSpec s;
  s.panel = r.panel;
  s.width = std::max(160, static_cast<int>(std::lround(r.rect.w / base)));
  s.height = std::max(120, static_cast<int>(std::lround(r.rect.h / base)));
  s.scale = base * static_cast<float>(r.times);
  s.theme = window.theme();
  s.caption = figure_caption(snap, app);
  return s;
}

std::string stem_of(const FigureState::Request& r, const Snapshot& snap, const AppState& app) {
  const int64_t it =
      snap.models.empty()
          ? 0
          : snap.models[std::clamp<int>(app.model, 0, snap.models.size() - 1)].iteration;
  std::string stem =
      std::string(r.whole ? "window" : panel_info(r.panel).name) + "-it" + std::to_string(it);
  if (r.kind == FigureState::Kind::Png && r.times > 1) {
    stem += '-';
    stem += std::to_string(r.times) + "x";
  }
  return stem;
}

void save_still(const FigureState::Request& r, AppState& app, TrainingWorker& worker,
                Window& window, FigureDesk& desk) {
  std::shared_ptr<const Snapshot> hold;
  const Snapshot& snap = shown_snapshot(r.panel, app, worker, hold);
  const FigureSpec spec = screen_spec(r, app, snap, window);
  using K = FigureState::Kind;
  const unsigned part = r.kind == K::Png   ? kFigurePixels
                        : r.kind == K::Svg ? kFigureSvg
                                           : kFigureCsv;
  FigureOutput out;
  std::string error;
  if (!desk.renderer.render(spec, part, snap, app, worker, out, &error)) return say(app, error);
  if (part == kFigureCsv && out.csv.empty())
    return say(app, std::string(panel_info(r.panel).title) + " plots no data to save");
  if (r.kind == K::Copy) {
    ImGui::SetClipboardText(out.csv.c_str());
    return say(app, "Copied the data of " + std::string(panel_info(r.panel).title) + " (" +
                        std::to_string(out.csv.size()) + " characters of CSV)");
  }
  const std::string path = free_path(app, stem_of(r, snap, app),
                                     r.kind == K::Png   ? "png"
                                     : r.kind == K::Svg ? "svg"
                                                        : "csv");
  if (path.empty()) return;
  const bool ok = r.kind == K::Png   ? write_figure_png(path, out, &error)
                  : r.kind == K::Svg ? write_text_file(path, out.svg, &error)
                                     : write_text_file(path, out.csv, &error);
  if (!ok) return say(app, error);
  char size[48];
  std::snprintf(size, sizeof size, " (%dx%d)", out.width, out.height);
  say(app, "Saved " + path + (r.kind == K::Png ? size : ""));
}

void start_recording(const FigureState::Request& r, AppState& app, TrainingWorker& worker,
                     Window& window, FigureDesk& desk) {
  std::shared_ptr<const Snapshot> hold;
  const Snapshot& snap = shown_snapshot(r.panel, app, worker, hold);
  const std::string path = free_path(app, stem_of(r, snap, app), "gif");
  if (path.empty()) return;
  int w = window.framebuffer_width(), h = window.framebuffer_height();
  if (!r.whole) {
    const FigureSpec spec = screen_spec(r, app, snap, window);
    w = static_cast<int>(std::lround(spec.width * spec.scale));
    h = static_cast<int>(std::lround(spec.height * spec.scale));
  }
  std::string error;
  if (!desk.recorder.start({path, w, h, static_cast<double>(app.figures.record_fps)}, &error))
    return say(app, error);
  FigureState::Recording& rec = app.figures.recording;
  rec = FigureState::Recording();
  rec.on = true;
  rec.what = r;
  rec.path = path;
  rec.started = glfwGetTime();
}

void stop_recording(AppState& app, FigureDesk& desk) {
  FigureState::Recording& rec = app.figures.recording;
  rec.on = false;
  std::string error;
  if (!desk.recorder.finish(&error)) return say(app, "Recording failed: " + error);
  const GifRecorder::Status s = desk.recorder.status();
  say(app,
      "Saved " + rec.path + ": " + std::to_string(s.frames_written) + " frames, " +
          megabytes(s.bytes) + (s.full ? " (stopped at the size bound)" : "") +
          (s.frames_dropped ? ", " + std::to_string(s.frames_dropped) + " frames dropped" : ""));
}

// One frame of the recording when it is due.
void record_frame(AppState& app, TrainingWorker& worker, Window& window, FigureDesk& desk) {
  FigureState::Recording& rec = app.figures.recording;
  const double now = glfwGetTime();
  const GifRecorder::Status s = desk.recorder.status();
  rec.bytes = s.bytes;
  if (rec.stop || now - rec.started >= app.figures.record_seconds || s.full || s.failed)
    return stop_recording(app, desk);
  if (now < rec.started + rec.frames_taken / static_cast<double>(app.figures.record_fps)) return;
  ++rec.frames_taken;
  if (rec.what.whole) {
    desk.recorder.push(window.read_pixels());
    return;
  }
  std::shared_ptr<const Snapshot> hold;
  const Snapshot& snap = shown_snapshot(rec.what.panel, app, worker, hold);
  FigureOutput out;
  std::string error;
  if (!desk.renderer.render(screen_spec(rec.what, app, snap, window), kFigurePixels, snap, app,
                            worker, out, &error)) {
    desk.recorder.cancel();
    rec.on = false;
    return say(app, "Recording stopped: " + error);
  }
  desk.recorder.push(std::move(out.rgb));  // dropped (and counted) when the encoder lags
}

void request(AppState& app, FigureState::Kind kind, PanelId id, Rect rect, int times = 1,
             bool whole = false) {
  app.figures.pending = FigureState::Request{kind, id, rect, times, whole};
}

}  // namespace

void figure_menu(PanelId id, Rect rect, AppState& app) {
  // Anywhere on the panel, its child regions (a scrolling list, a side column) included.
  if (ImGui::IsMouseReleased(ImGuiMouseButton_Right) &&
      ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows))
    ImGui::OpenPopup("##figure_menu");
  if (!ImGui::BeginPopup("##figure_menu")) return;
  using K = FigureState::Kind;
  const float base = ImGui::GetIO().DisplayFramebufferScale.x;
  ImGui::TextDisabled("%s as a figure, into %s/", panel_info(id).title, app.figures.dir.c_str());
  if (ImGui::BeginMenu("Save as PNG")) {
    for (int times = 1; times <= 3; ++times) {
      char label[64];
      std::snprintf(label, sizeof label, "%dx  (%.0f x %.0f pixels)", times, rect.w * base * times,
                    rect.h * base * times);
      if (ImGui::MenuItem(label)) request(app, K::Png, id, rect, times);
    }
    ImGui::EndMenu();
  }
  if (ImGui::MenuItem("Save as SVG")) request(app, K::Svg, id, rect);
  if (ImGui::MenuItem("Save data as CSV")) request(app, K::Csv, id, rect);
  if (ImGui::MenuItem("Copy data")) request(app, K::Copy, id, rect);
  ImGui::Separator();
  FigureState& f = app.figures;
  if (f.recording.on) {
    if (ImGui::MenuItem("Stop recording")) f.recording.stop = true;  // served after the frame
  } else {
    ImGui::SetNextItemWidth(8 * ImGui::GetFontSize());
    ImGui::SliderInt("seconds", &f.record_seconds, 1, 60);
    ImGui::SetNextItemWidth(8 * ImGui::GetFontSize());
    ImGui::SliderInt("frames a second", &f.record_fps, 1, 25);
    if (ImGui::MenuItem("Record this panel to GIF")) request(app, K::Record, id, rect);
    if (ImGui::MenuItem("Record the whole window to GIF"))
      request(app, K::Record, id, rect, 1, /*whole=*/true);
    ImGui::TextDisabled("at most %s a file", megabytes(kDefaultMaxGifBytes).c_str());
  }
  ImGui::EndPopup();
}

void draw_figure_status(const AppState& app) {
  const FigureState& f = app.figures;
  ImDrawList* dl = ImGui::GetForegroundDrawList();
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const float em = ImGui::GetFontSize(), pad = 0.4f * em;
  const auto label = [&](const std::string& text, ImVec2 at, ImU32 bg) {
    const ImVec2 size = ImGui::CalcTextSize(text.c_str());
    dl->AddRectFilled(ImVec2(at.x - pad, at.y - pad),
                      ImVec2(at.x + size.x + pad, at.y + size.y + pad), bg, 0.3f * em);
    dl->AddText(at, IM_COL32(255, 255, 255, 255), text.c_str());
  };
  if (f.recording.on) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "\xE2\x97\x8F REC %.1f / %d s \xC2\xB7 %s",
                  glfwGetTime() - f.recording.started, f.record_seconds,
                  megabytes(f.recording.bytes).c_str());
    const ImVec2 size = ImGui::CalcTextSize(buf);
    const Rect& r = f.recording.what.rect;
    const ImVec2 at = f.recording.what.whole
                          ? ImVec2(vp->Pos.x + vp->Size.x - size.x - 2 * em, vp->Pos.y + 2.5f * em)
                          : ImVec2(r.right() - size.x - 1.5f * em, r.y + 2.5f * em);
    label(buf, at, IM_COL32(170, 20, 20, 230));  // white on dark red: 7.6:1
  }
  if (!f.message.empty() && glfwGetTime() < f.message_until)
    label(f.message, ImVec2(vp->Pos.x + em, vp->Pos.y + vp->Size.y - 2 * em),
          IM_COL32(30, 40, 60, 240));
}

void serve_figures(AppState& app, TrainingWorker& worker, Window& window, FigureDesk& desk) {
  FigureState& f = app.figures;
  if (f.pending) {
    const FigureState::Request r = *f.pending;
    f.pending.reset();
    if (r.kind == FigureState::Kind::Record) {
      if (!f.recording.on) start_recording(r, app, worker, window, desk);
    } else {
      save_still(r, app, worker, window, desk);
    }
  }
  if (f.recording.on) record_frame(app, worker, window, desk);
}

void close_figures(AppState& app, FigureDesk& desk) {
  if (app.figures.recording.on) stop_recording(app, desk);
  desk.recorder.cancel();
  desk.renderer.release();
}

}  // namespace unrolled
