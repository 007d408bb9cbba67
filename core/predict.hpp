// Unrolled core: a model's forward pass alone, on inputs a user gives (`unrolled predict`, and
// the app's Inspect view of an imported model): the outputs with the readout's activation
// applied, and every layer's states at every step.
//
// Legend: B batch, T steps, I input, H hidden, O output, L layers; n = T (readout every) or 1.
#pragma once

#include <string>
#include <vector>

#include "core/model_io.hpp"

namespace unrolled {

struct Prediction {
  std::vector<Mat> outputs;  // n x (O, B): act(W_y h_t + b_y), act the readout activation
  Trace trace;               // the forward pass: trace.steps[l][t].h (H, B), .c (LSTM), .gates
};

// Runs m on inputs (a Batch whose targets and mask are ignored; inputs_from_json makes one).
// Returns "" or one message: a batch that does not fit the model, or whose forward pass would
// take more memory than `unrolled grad` may (check_grad_memory, an upper bound).
std::string predict(const Model& m, const Batch& inputs, Prediction& out);

// act(y) column by column: identity, element-wise σ, or a softmax over each column. y: (O, B).
Mat apply_readout_activation(ReadoutActivation act, const Mat& y);

// The first result that holds a NaN or an infinity, named as prediction_to_json prints it
// ("outputs", "layers[1].h", "layers[0].c"), or "" if every value is finite.
std::string first_non_finite(const Prediction& p);

// {"outputs": [B][T][O] (every) or [B][O] (last), "layers": [{"h": [B][T][H], "c": (LSTM)}]}
Json prediction_to_json(const Model& m, const Prediction& p);

}  // namespace unrolled
