// Panels move to the newest snapshot in turns while training runs (app.hpp says why).
#include <algorithm>
#include <functional>

#include "app/gui/app.hpp"
#include "app/gui/app_state.hpp"
#include "app/session/snapshot.hpp"

namespace unrolled {
namespace {

// At most kMaxHeldSnapshots versions older than the newest stay on screen (the memory budget,
// core/experiment.hpp, counts that many): panels on any older one move to the newest now.
void cap_held_versions(const std::vector<PanelId>& panels,
                       const std::shared_ptr<const Snapshot>& latest, AppState& app,
                       std::vector<const Snapshot*>& out) {
  std::vector<uint64_t> held;  // versions older than latest, newest first
  for (PanelId p : panels)
    if (const auto& s = app.panel_snapshots[index_of(p)]; s && s != latest)
      held.push_back(s->version);
  std::sort(held.begin(), held.end(), std::greater<>());
  held.erase(std::unique(held.begin(), held.end()), held.end());
  if (held.size() <= static_cast<size_t>(kMaxHeldSnapshots)) return;
  const uint64_t oldest_kept = held[kMaxHeldSnapshots - 1];
  for (PanelId p : panels) {
    auto& shown = app.panel_snapshots[index_of(p)];
    if (shown && shown != latest && shown->version < oldest_kept) {
      shown = latest;
      out[index_of(p)] = shown.get();
    }
  }
}

}  // namespace

std::vector<const Snapshot*> pace_snapshots(const std::vector<PanelId>& panels,
                                            const std::shared_ptr<const Snapshot>& latest,
                                            AppState& app) {
  const auto iteration = [](const Snapshot& s) {
    return s.models.empty() ? int64_t{0} : s.models[0].iteration;
  };
  std::vector<const Snapshot*> out(kPanelCount, nullptr);
  std::vector<std::pair<uint64_t, size_t>> behind;  // (version shown, place in `panels`)
  for (size_t i = 0; i < panels.size(); ++i) {
    const PanelId p = panels[i];
    auto& shown = app.panel_snapshots[index_of(p)];
    const bool stagger = latest->playing && shown && shown->playing &&
                         shown->version < latest->version &&
                         iteration(*shown) <= iteration(*latest);  // not across a reset
    if (!stagger)
      shown = latest;
    else
      behind.emplace_back(shown->version, i);
    out[index_of(p)] = shown.get();
  }
  std::sort(behind.begin(), behind.end());
  int budget = kFrameBudget;
  bool moved = false;
  for (const auto& [version, i] : behind) {
    const PanelId p = panels[i];
    auto& shown = app.panel_snapshots[index_of(p)];
    const int cost = app.panel_cost[index_of(p)];
    if (!moved || cost <= budget) {
      shown = latest;
      budget -= cost;
      moved = true;
    }
    out[index_of(p)] = shown.get();
  }
  cap_held_versions(panels, latest, app, out);
  return out;
}

}  // namespace unrolled
