// The one table of panels and modes. A panel is identified by its PanelId; its entry gives its short
// name (--only, the settings file, figures), its title (what the class reads), its draw function,
// the modes that show it, its smallest useful size and the analysis it asks of the worker. The
// layout, the View menu, the settings, --only and panel focus all read this table; nothing
// identifies a panel by its title.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace unrolled {

struct Snapshot;
struct AppState;
class TrainingWorker;

// What the main area shows: a set of panels laid out for one activity.
enum class Mode {
  Train,    // live training: gates, states, gradient through time, loss, sample
  Step,     // the unrolled graph and the cell inspector, one time step at a time
  Compare,  // models side by side, the spectrum of W_hh, Jacobian products
  Cliff,    // the gradient cliff explorer
  Sweep,    // loss against dependency length
  Inspect,  // a trained model on typed input: no task, no training (only once a model is open)
};
inline constexpr int kModeCount = 6;

struct ModeInfo {
  Mode mode;
  const char* name;   // --mode NAME
  const char* label;  // the menu bar's tab
};
std::span<const ModeInfo> mode_table();
const ModeInfo& mode_info(Mode m);
std::optional<Mode> find_mode(std::string_view name);

enum class PanelId : std::uint8_t {
  Controls,
  Experiment,
  Gates,
  Training,
  States,
  Gradients,
  Sample,
  Graph,
  Inspector,
  Spectrum,
  Jacobian,
  Cliff,
  Sweep,
  Input,      // Inspect: the typed input, each token coloured by the selected unit
  Influence,  // Inspect: the gradient of the chosen output with respect to h_t through time
};
inline constexpr int kPanelCount = 15;

// What a panel asks the worker to compute while it is on screen.
enum class Analysis { None, Spectra, Jacobian };

using PanelDrawFn = void (*)(const Snapshot&, AppState&, TrainingWorker&);

struct PanelInfo {
  PanelId id;
  const char* name;   // short, lower case: --only, the settings file, figures
  const char* title;  // the window's title
  const char* about;  // one line: what it shows (the View menu's tooltip)
  PanelDrawFn draw;
  unsigned modes;  // bit (1 << Mode) for each mode that shows it
  // The smallest size its content is useful at, in text line heights (the title bar and any tab
  // bar come on top). Plot panels: one plot whose data area is 8 lines high and 9 wide, with its
  // title, legend, ticks and axis labels.
  float min_w_lines, min_h_lines;
  Analysis analysis;
  bool switchable;  // the View menu may hide it
};

std::span<const PanelInfo> panel_table();
const PanelInfo& panel_info(PanelId id);
// By short name; null when there is none.
const PanelInfo* find_panel(std::string_view name);
// "controls, experiment, gates, ..." (for messages).
std::string panel_names();
constexpr unsigned mode_bit(Mode m) { return 1u << static_cast<unsigned>(m); }
constexpr int index_of(PanelId p) { return static_cast<int>(p); }

// Where a mode's panels go when the window holds them all: a sidebar column (stacked top to
// bottom) and the main area, row by row. `priority` lists every panel of the mode, the key panels
// first: when the window cannot hold them all at their minimum size, panels further down the list
// move into tabs first.
struct ModeLayout {
  std::vector<PanelId> sidebar;
  float sidebar_first_share;  // height share of the first sidebar panel
  std::vector<std::vector<PanelId>> rows;
  float first_row_share;  // height share of the first row
  std::vector<PanelId> priority;
};
const ModeLayout& mode_layout(Mode m);

// Which panels the user has hidden with the View menu, by PanelId.
using PanelFlags = std::array<bool, kPanelCount>;

}  // namespace unrolled
