// Unrolled import: safetensors files, read and written by our own few lines.
//
// Layout: an 8-byte little-endian unsigned header length N, N bytes of JSON
//   {"__metadata__": {"k": "v"}, "name": {"dtype": "F32", "shape": [r, c],
//    "data_offsets": [begin, end]}, ...}
// then the raw little-endian row-major data; offsets count from the first byte after the header.
// The reader checks N against the file, every offset against the data and every tensor's byte
// length against its dtype and shape before it reads a value. Read: F16, BF16, F32, F64.
#pragma once

#include <map>
#include <string>

#include "import/tensor.hpp"

namespace unrolled::import {

// bytes: the whole file; file names it in messages. Tensors come in the order of their offsets.
bool read_safetensors(const std::string& bytes, const std::string& file, TensorList& out,
                      std::string* error);

// The file's bytes for tensors (each values.size() == product(shape)), written as F32 (float64
// false) or F64, contiguously in the given order, with optional string metadata.
std::string write_safetensors(const TensorList& tensors, bool float64,
                              const std::map<std::string, std::string>& metadata = {});

}  // namespace unrolled::import
