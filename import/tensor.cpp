#include "import/tensor.hpp"

#include <fstream>

namespace unrolled::import {

int64_t checked_numel(const std::vector<int64_t>& shape, int64_t limit) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && n > limit / d)) return -1;
    n *= d;
  }
  return n > limit ? -1 : n;
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t k = 0; k < shape.size(); ++k) s += (k ? ", " : "") + std::to_string(shape[k]);
  return s + ")";
}

int64_t Tensor::numel() const {
  return checked_numel(shape, kMaxImportValues);
}
std::string Tensor::shape_string() const {
  return import::shape_string(shape);
}

Mat Tensor::matrix() const {
  const Eigen::Index rows = shape.empty() ? 1 : shape[0];
  const Eigen::Index cols = shape.size() >= 2 ? shape[1] : 1;
  Mat m(rows, cols);  // (rows, cols)
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c) m(r, c) = values[r * cols + c];
  return m;
}

Vec Tensor::vector() const {
  return Eigen::Map<const Vec>(values.data(), static_cast<Eigen::Index>(values.size()));
}

bool read_file_bytes(const std::string& path, std::string& out, std::string* error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    if (error) *error = path + ": cannot open the file";
    return false;
  }
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  if (size < 0 || size > kMaxImportBytes) {
    if (error)
      *error = path + ": " + std::to_string(size) + " bytes; a model file may be at most " +
               std::to_string(kMaxImportBytes) + " bytes";
    return false;
  }
  f.seekg(0);
  out.assign(static_cast<size_t>(size), '\0');
  if (size > 0 && !f.read(out.data(), size)) {
    if (error) *error = path + ": cannot read the file";
    return false;
  }
  return true;
}

}  // namespace unrolled::import
