// Unrolled import: the little of HDF5 the Keras readers need, through libhdf5's C API (no
// hand-written HDF5 reader): a file opened from bytes in memory (so a model.weights.h5 inside a
// .keras zip needs no temporary file), string attributes, float datasets, links.
//
// Every dataset's shape is checked (rank <= 4, at most kMaxImportValues values) before it is
// read; libhdf5's own error printing is turned off and every failure becomes one message naming
// the file and the object.
#pragma once

#include <string>
#include <vector>

#include "import/tensor.hpp"

namespace unrolled::import {

class H5File {
 public:
  H5File() = default;
  ~H5File();
  H5File(const H5File&) = delete;
  H5File& operator=(const H5File&) = delete;

  // bytes must stay alive while the file is open.
  bool open(const std::string& bytes, const std::string& file, std::string* error);
  const std::string& file() const { return file_; }
  // True if every component of path ("a/b/c") exists.
  bool exists(const std::string& path) const;
  // A string attribute (fixed or variable length), or an array of them, of the object at path.
  bool string_attribute(const std::string& path, const std::string& name,
                        std::vector<std::string>& out, std::string* error) const;
  bool has_attribute(const std::string& path, const std::string& name) const;
  // A float dataset, converted to double; t.name = path.
  bool dataset(const std::string& path, Tensor& t, std::string* error) const;

 private:
  long long id_ = -1;  // hid_t
  std::string file_;
};

// True if bytes start with HDF5's signature.
bool looks_like_hdf5(const std::string& bytes);

}  // namespace unrolled::import
