// Unrolled import: a PyTorch state_dict saved with torch.save (.pt, .pth): a zip archive of
// <name>/data.pkl (read by the restricted reader in pickle.hpp), <name>/data/<key> (each
// storage's raw little-endian values) and <name>/byteorder.
#pragma once

#include <string>

#include "import/tensor.hpp"

namespace unrolled::import {

bool read_torch_file(const std::string& bytes, const std::string& file, TensorList& out,
                     std::string* error);

}  // namespace unrolled::import
