#include "app/gui/layout.hpp"

#include <algorithm>
#include <numeric>

namespace unrolled {
namespace {

enum class Side { Stacked, Tabbed, Folded };  // the sidebar: a column of cells, one cell, none

struct Candidate {
  Layout layout;
  int score = 0;  // what is on screen at once: each cell's first panel, weighted by priority
  int rank = 0;   // lower is better among equal scores: sidebar kind, then arrangement
};

bool shown(PanelId p, const LayoutInput& in) {
  return (panel_info(p).modes & mode_bit(in.mode)) &&
         !(panel_info(p).switchable && in.hidden[index_of(p)]);
}

std::vector<PanelId> visible(const std::vector<PanelId>& list, const LayoutInput& in) {
  std::vector<PanelId> out;
  for (PanelId p : list)
    if (shown(p, in)) out.push_back(p);
  return out;
}

float cell_min_w(const std::vector<PanelId>& panels, const LayoutInput& in) {
  float w = 0;
  for (PanelId p : panels) w = std::max(w, min_cell_width(p, in));
  return w;
}
float cell_min_h(const std::vector<PanelId>& panels, const LayoutInput& in) {
  float h = 0;
  for (PanelId p : panels) h = std::max(h, min_cell_height(p, in, panels.size() > 1));
  return h;
}

// Sizes along one axis: shares of `total` (less the gaps), each at least its minimum when the
// minimums fit (fits stays true); proportional to the shares otherwise (fits becomes false).
std::vector<float> distribute(float total, const std::vector<float>& mins,
                              std::vector<float> shares, float gap, bool& fits) {
  const size_t n = mins.size();
  const float avail = total - gap * static_cast<float>(n - 1);
  std::vector<float> out(n, 0);
  std::vector<bool> fixed(n, false);
  if (std::accumulate(mins.begin(), mins.end(), 0.0f) > avail + 0.5f) {
    fits = false;
    const float sum = std::accumulate(shares.begin(), shares.end(), 0.0f);
    for (size_t i = 0; i < n; ++i) out[i] = avail * shares[i] / sum;
    return out;
  }
  for (bool changed = true; changed;) {  // fix the cells that would fall below their minimum
    changed = false;
    float left = avail, share_sum = 0;
    for (size_t i = 0; i < n; ++i) fixed[i] ? left -= mins[i] : share_sum += shares[i];
    for (size_t i = 0; i < n; ++i) {
      if (fixed[i]) continue;
      out[i] = left * shares[i] / share_sum;
      if (out[i] < mins[i]) fixed[i] = changed = true;
    }
  }
  for (size_t i = 0; i < n; ++i)
    if (fixed[i]) out[i] = mins[i];
  return out;
}

// The k owners (first in priority) each get a cell, in reading order; every other panel joins the
// cell of the nearest owner before it in reading order (the first cell if none) as a tab.
std::vector<std::vector<PanelId>> assign(const std::vector<PanelId>& reading,
                                         const std::vector<PanelId>& priority, size_t k) {
  auto pos = [&](PanelId p) {
    return static_cast<int>(std::find(reading.begin(), reading.end(), p) - reading.begin());
  };
  std::vector<PanelId> owners(priority.begin(), priority.begin() + k);
  std::sort(owners.begin(), owners.end(), [&](PanelId a, PanelId b) { return pos(a) < pos(b); });
  std::vector<std::vector<PanelId>> cells;
  for (PanelId o : owners) cells.push_back({o});
  for (size_t i = k; i < priority.size(); ++i) {
    size_t c = 0;
    for (size_t j = 0; j < owners.size(); ++j)
      if (pos(owners[j]) < pos(priority[i])) c = j;
    cells[c].push_back(priority[i]);
  }
  return cells;
}

// Lays cells out in rows of the given counts inside r; false when a cell is below its minimum.
bool place_rows(const std::vector<std::vector<PanelId>>& cells, const std::vector<int>& counts,
                const std::vector<float>& row_shares, Rect r, const LayoutInput& in,
                std::vector<LayoutCell>& out) {
  bool fits = true;
  std::vector<float> row_min(counts.size(), 0);
  for (size_t row = 0, c = 0; row < counts.size(); ++row)
    for (int i = 0; i < counts[row]; ++i, ++c)
      row_min[row] = std::max(row_min[row], cell_min_h(cells[c], in));
  const std::vector<float> heights = distribute(r.h, row_min, row_shares, in.gap, fits);
  float y = r.y;
  for (size_t row = 0, c = 0; row < counts.size(); ++row) {
    std::vector<float> mins;
    for (int i = 0; i < counts[row]; ++i) mins.push_back(cell_min_w(cells[c + i], in));
    const std::vector<float> widths =
        distribute(r.w, mins, std::vector<float>(counts[row], 1.0f), in.gap, fits);
    float x = r.x;
    for (int i = 0; i < counts[row]; ++i, ++c) {
      out.push_back({{x, y, widths[i], heights[row]}, cells[c]});
      x += widths[i] + in.gap;
    }
    y += heights[row] + in.gap;
  }
  return fits;
}

// The sidebar's column at the left of area: stacked cells or one tabbed cell. Returns its width.
float place_sidebar(const std::vector<PanelId>& side, Side kind, const LayoutInput& in,
                    std::vector<LayoutCell>& out, bool& fits) {
  std::vector<std::vector<PanelId>> cells;
  if (kind == Side::Stacked)
    for (PanelId p : side) cells.push_back({p});
  else
    cells.push_back(side);
  float w = 0;
  for (const auto& c : cells) w = std::max(w, cell_min_w(c, in));
  w = std::max(w, std::clamp(in.area.w * 0.24f, 17 * in.line_px, 26 * in.line_px));
  if (w > in.area.w * 0.45f && w > cell_min_w(cells[0], in)) w = in.area.w * 0.45f;
  std::vector<float> mins, shares;
  const float first = mode_layout(in.mode).sidebar_first_share;
  for (size_t i = 0; i < cells.size(); ++i) {
    mins.push_back(cell_min_h(cells[i], in));
    shares.push_back(i == 0 ? first : (1 - first) / static_cast<float>(cells.size() - 1));
  }
  if (cells.size() == 1) shares = {1.0f};
  const std::vector<float> h = distribute(in.area.h, mins, shares, in.gap, fits);
  float y = in.area.y;
  for (size_t i = 0; i < cells.size(); ++i) {
    out.push_back({{in.area.x, y, w, h[i]}, cells[i]});
    y += h[i] + in.gap;
  }
  return w;
}

// Row counts for k cells: the mode's own rows when every panel has a cell, then one row, then
// two rows.
std::vector<std::vector<int>> arrangements(size_t k, const std::vector<int>& preferred) {
  std::vector<std::vector<int>> out;
  const int n = static_cast<int>(k);
  if (std::accumulate(preferred.begin(), preferred.end(), 0) == n) out.push_back(preferred);
  for (std::vector<int> a : {std::vector<int>{n}, std::vector<int>{(n + 1) / 2, n / 2}}) {
    a.erase(std::remove(a.begin(), a.end(), 0), a.end());
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  return out;
}

// The panels on screen at once (the first of each cell), the mode's key panels counting most:
// of n panels the first in the priority list weighs n², the last 1, so two key panels side by
// side beat a key panel beside two minor ones.
int score(const Layout& l, const std::vector<PanelId>& priority) {
  int s = 0;
  for (const LayoutCell& c : l.cells) {
    const auto it = std::find(priority.begin(), priority.end(), c.panels[0]);
    const int w = static_cast<int>(priority.end() - it);
    s += w * w;
  }
  return s;
}

void consider(Candidate c, std::optional<Candidate>& best) {
  if (!best || c.score > best->score || (c.score == best->score && c.rank < best->rank))
    best = std::move(c);
}

}  // namespace

float min_cell_width(PanelId p, const LayoutInput& in) {
  return panel_info(p).min_w_lines * in.line_px;
}

float min_cell_height(PanelId p, const LayoutInput& in, bool tabbed) {
  return panel_info(p).min_h_lines * in.line_px + in.chrome_px * (tabbed ? 2.0f : 1.0f);
}

Layout compute_layout(const LayoutInput& in) {
  Layout fallback;
  if (in.focus) {
    fallback.cells.push_back({in.area, {*in.focus}});
    return fallback;
  }
  const ModeLayout& ml = mode_layout(in.mode);
  const std::vector<PanelId> side = visible(ml.sidebar, in), priority = visible(ml.priority, in);
  std::vector<PanelId> main_reading, preferred_rows_flat;
  std::vector<int> preferred;
  for (const auto& row : ml.rows) {
    const std::vector<PanelId> r = visible(row, in);
    if (!r.empty()) preferred.push_back(static_cast<int>(r.size()));
    main_reading.insert(main_reading.end(), r.begin(), r.end());
  }
  const float first = ml.first_row_share;
  std::optional<Candidate> best;
  for (Side kind : {Side::Stacked, Side::Tabbed, Side::Folded}) {
    if (kind != Side::Folded && (side.empty() || main_reading.empty())) continue;
    if (kind == Side::Tabbed && side.size() < 2) continue;
    std::vector<PanelId> reading = main_reading, prio;
    if (kind == Side::Folded) reading.insert(reading.begin(), side.begin(), side.end());
    for (PanelId p : priority)
      if (std::find(reading.begin(), reading.end(), p) != reading.end()) prio.push_back(p);
    if (reading.empty()) continue;
    for (size_t k = reading.size(); k >= 1; --k) {
      const auto arr = arrangements(k, kind == Side::Folded && !side.empty()
                                           ? std::vector<int>{} : preferred);
      for (size_t a = 0; a < arr.size(); ++a) {
        Candidate c;
        bool fits = true;
        Rect main = in.area;
        if (kind != Side::Folded) {
          const float w = place_sidebar(side, kind, in, c.layout.cells, fits);
          main.x += w + in.gap;
          main.w -= w + in.gap;
        }
        const bool is_preferred = arr[a] == preferred && k == main_reading.size();
        std::vector<float> shares(arr[a].size(), 1.0f);
        if (is_preferred && shares.size() == 2) shares = {first, 1 - first};
        fits = place_rows(assign(reading, prio, k), arr[a], shares, main, in, c.layout.cells) &&
               fits;
        c.layout.fits = fits;
        c.score = score(c.layout, priority);
        c.rank = static_cast<int>(kind) * 10 + static_cast<int>(a);
        if (fits) consider(std::move(c), best);
        else if (k == 1 && kind == Side::Folded && !best) fallback = std::move(c.layout);
      }
    }
  }
  return best ? best->layout : fallback;
}

}  // namespace unrolled
