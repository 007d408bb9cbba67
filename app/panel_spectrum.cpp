// The spectrum of W_hh. (First version: the numbers.)
#include <imgui.h>

#include "app/panels.hpp"

namespace unrolled {

void draw_spectrum_panel(const Snapshot& snap, AppState& /*app*/, TrainingWorker& /*worker*/) {
  for (const ModelView& m : snap.models)
    for (size_t l = 0; l < m.spectra.size(); ++l)
      for (size_t g = 0; g < m.spectra[l].size(); ++g)
        ImGui::Text("%s layer %zu block %zu: ρ = %.4f, σ₁ = %.4f", m.name.c_str(), l, g, m.spectra[l][g].spectral_radius,
                    m.spectra[l][g].largest_singular_value);
}

}  // namespace unrolled
