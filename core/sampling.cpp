// Legend: H hidden, V vocabulary, L layers.
#include "core/sampling.hpp"

#include <algorithm>
#include <cmath>

namespace unrolled {

std::string sample_text(const Network& net, const CharLmTask& task, Rng& rng, int count,
                        double temperature, const std::string& prime) {
  const NetworkSpec& s = net.spec();
  const int V = s.input_size, L = s.num_layers;
  temperature = std::max(temperature, 1e-3);
  std::vector<Mat> h(L, Mat::Zero(s.hidden_size, 1)), c = h;  // L x (H, 1)
  StepTrace step;
  Mat x = Mat::Zero(V, 1), p;  // (V, 1)
  // Feeds one character; returns the readout's distribution for the next.
  auto feed = [&](int ch) {
    x.setZero();
    x(ch, 0) = 1.0;
    for (int l = 0; l < L; ++l) {
      cell_forward(step, net.cell_spec(l), net.params().layers[l], l == 0 ? x : h[l - 1], h[l],
                   c[l]);
      h[l] = step.h;
      if (s.cell == CellType::Lstm) c[l] = step.c;
    }
    const Mat y = (net.params().W_y * h[L - 1]).colwise() + net.params().b_y;  // (V, 1)
    softmax_columns(y / temperature, p);
  };
  std::vector<int> primed;
  if (!prime.empty()) {
    std::string error;
    for (size_t i = 0; i < prime.size();) {  // skip characters outside the vocabulary
      size_t len = 1;
      const unsigned char b = prime[i];
      if (b >= 0xF0)
        len = 4;
      else if (b >= 0xE0)
        len = 3;
      else if (b >= 0xC0)
        len = 2;
      std::vector<int> one;
      if (task.encode(prime.substr(i, len), one, nullptr))
        primed.insert(primed.end(), one.begin(), one.end());
      i += len;
    }
  }
  if (primed.empty()) primed.push_back(task.text().empty() ? 0 : task.text()[0]);
  for (int ch : primed) feed(ch);
  std::vector<int> out;
  out.reserve(count);
  for (int n = 0; n < count; ++n) {
    double u = rng.uniform(), acc = 0;
    int ch = V - 1;
    for (int k = 0; k < V; ++k) {
      acc += p(k, 0);
      if (u < acc) {
        ch = k;
        break;
      }
    }
    out.push_back(ch);
    feed(ch);
  }
  return task.decode(out);
}

}  // namespace unrolled
