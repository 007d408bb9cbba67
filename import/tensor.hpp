// Unrolled import: a named tensor as the files hold it, before it is mapped onto a model.
//
// Values are row-major (C order, as PyTorch, numpy, HDF5 and safetensors store them) and
// converted to double on reading; the file's own dtype is kept for messages.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace unrolled::import {

// At most this many values in all the tensors of one file, and bytes in one file (or one member
// of an archive): checked before anything is allocated.
constexpr int64_t kMaxImportValues = int64_t{1} << 25;
constexpr int64_t kMaxImportBytes = int64_t{256} << 20;

struct Tensor {
  std::string name;            // as the file names it: "rnn.weight_ih_l0", "lstm/kernel", ...
  std::vector<int64_t> shape;  // () scalar, (n), (rows, cols), ...
  std::vector<double> values;  // row-major, product(shape) values
  std::string dtype;           // "float32", "float64", ...

  int64_t numel() const;
  std::string shape_string() const;  // "(4, 3)"
  // A 2-D tensor as an Eigen matrix (rows, cols); a 1-D tensor of n as (n, 1).
  Mat matrix() const;
  Vec vector() const;
};
using TensorList = std::vector<Tensor>;

// The product of shape, or -1 if a dimension is negative or the product exceeds limit.
int64_t checked_numel(const std::vector<int64_t>& shape, int64_t limit);
std::string shape_string(const std::vector<int64_t>& shape);

// A whole file's bytes, refused above kMaxImportBytes (the message names the file and sizes).
bool read_file_bytes(const std::string& path, std::string& out, std::string* error);

}  // namespace unrolled::import
