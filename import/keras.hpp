// Unrolled import, internal: Keras models. The architecture comes from the model's config (the
// legacy .h5's model_config attribute, a .keras archive's config.json, or a config beside a
// .weights.h5), the weights from HDF5 in one of Keras' two layouts:
//   legacy (Keras 2 model.save("m.h5") / save_weights("w.h5")): group model_weights (or the
//     root) with attribute layer_names; a group per layer with attribute weight_names
//     ("lstm/lstm_cell/kernel:0", ...) naming its datasets;
//   Keras 3 (model.weights.h5): layers/<snake_case class>[_k]/vars/<i>, an RNN layer's cell
//     under layers/<name>/cell/vars/<i> (kernel 0, recurrent_kernel 1, bias 2; Dense kernel 0,
//     bias 1; Embedding embeddings 0).
#pragma once

#include <string>

#include "core/json_io.hpp"
#include "import/hdf5_file.hpp"
#include "import/importer.hpp"

namespace unrolled::import {

// config: {"class_name": "Sequential" | "Functional" | "Model", "config": {"layers": [...]}};
// keras_major 2 or 3 decides what hard_sigmoid means; legacy picks the weights' layout, whose
// groups sit under weights_root ("model_weights" or "" for the file's root).
bool model_from_keras(const Json& config, int keras_major, const H5File& weights, bool legacy,
                      const std::string& weights_root, const ImportOptions& opt,
                      const std::string& file, ImportResult& out, std::string* error);

// Keras' major version from a version string ("2.12.0" -> 2), or 0 if it is not one.
int keras_major_version(const std::string& version);

}  // namespace unrolled::import
