// Unrolled core: sampling a character model one character at a time (min-char-rnn's loop).
//
// Legend: H hidden, V vocabulary, L layers.
//   x_t = one-hot(previous character); h_t = cell(x_t, h_{t-1}); p = softmax(y_t / temperature);
//   the next character is drawn from p.
#pragma once

#include <string>

#include "core/network.hpp"
#include "core/rng.hpp"
#include "core/tasks.hpp"

namespace unrolled {

// `count` characters sampled after priming the network with `prime` (UTF-8; characters not in
// the vocabulary are skipped; empty: start from the text's first character). temperature > 0:
// below 1 sharpens, above 1 flattens the distribution. Returns only the sampled characters.
std::string sample_text(const Network& net, const CharLmTask& task, Rng& rng, int count,
                        double temperature, const std::string& prime = "");

}  // namespace unrolled
