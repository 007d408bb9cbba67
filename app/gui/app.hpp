// The training app: the window, the worker, the layout of the panels, the menu, the keyboard.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/gui/window.hpp"
#include "app/panels/panel_table.hpp"
#include "import/importer.hpp"

namespace unrolled {

struct AppOptions {
  std::string experiment_path;  // `unrolled open FILE.json`; empty: the embedded default lesson
  std::string preset;           // --preset NAME: an embedded lesson
  std::string screenshot;       // write the last frame here and exit
  int frames = 0;               // frames to render before exiting (0: until closed)
  int width = 0, height = 0;    // 0: the persisted size
  float scale = 0;              // 0: the persisted scale
  int theme = -1;               // -1 persisted, 0 dark, 1 light
  int64_t warmup = 0;           // iterations trained before the first frame
  bool paused = false;          // start paused (training starts playing otherwise)
  double speed = -1;            // iterations per second (0: full speed); -1: the default
  int bench_frames = 0;         // --bench-frames N: time N frames of the benchmark lesson
  std::string only;             // --only NAME: one panel (panel_table.hpp's short name), alone
  std::string layout_report;    // --layout-report FILE.json: write the layout after the frames
  std::string mode;             // --mode train|step|compare|cliff|sweep
  bool persist = true;          // write the settings file at exit
  int steps_forward = 0;        // --steps-forward N: forward time steps before the first frame
  int steps_backward = 0;       // --steps-backward N: then backward time steps (after the warmup)
  int tour_step = 0;            // --tour-step N: the tour's steps 1..N done before the first frame
  bool present = false;         // --present: start in presenter mode
  bool resume_last = false;     // --resume-last: open the autosave (sessions.cpp) at start
  // `unrolled open MODEL` (a model file, or a file `unrolled import` reads): the Inspect view on
  // it, with the import's flags and --vocab FILE.json; the default lesson waits behind it, paused.
  std::string model_path;
  import::ImportOptions import;
  std::string vocab_path;
  std::string inspect_input;  // --input TEXT: what the Input panel holds first (else an example)
  bool probe = false;         // --probe: the lesson's model (after --warmup) in the Inspect view
};

int run_app(const AppOptions& options);

struct AppState;
// The snapshots the panels hold and the heatmaps' GL objects, released while the GL context that
// made them is still current (run_app and the in-window tests call it before the window goes).
void release_gl(AppState& app);

struct AppState;
struct Snapshot;

// Which snapshot each panel draws this frame (indexed by PanelId; null for panels not drawn),
// kept in app.panel_snapshots. Paused, stepping, or across a reset: the newest, everywhere. While
// training runs, panels move to the newest snapshot in turns, those furthest behind first, as
// many per frame as fit in kFrameBudget by what redrawing each costs (app.panel_cost: its
// triangles last frame plus its area in pixels / kPixelsPerTriangle), at least one. A snapshot
// comes up to 30 times a second and changes nearly every panel; redrawing them all in one frame
// is more than a software rasteriser (Mesa's llvmpipe: about a microsecond to set up a triangle,
// some ten nanoseconds to fill a pixel) does in 16 ms, a few of them is not. Each panel is a few
// frames behind at most.
constexpr int kPixelsPerTriangle = 100;
constexpr int kFrameBudget = 6000;
std::vector<const Snapshot*> pace_snapshots(const std::vector<PanelId>& panels,
                                            const std::shared_ptr<const Snapshot>& latest,
                                            AppState& app);

}  // namespace unrolled
