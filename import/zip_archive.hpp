// Unrolled import: a zip archive read from memory with libzip (PyTorch's .pt/.pth and Keras'
// .keras files are zip archives).
//
// Every member's declared uncompressed size is checked against a limit before a byte of it is
// inflated, so a zip bomb is refused from its directory; a member is read into a buffer of
// exactly its declared size and libzip checks its CRC.
#pragma once

#include <string>
#include <vector>

#include "import/tensor.hpp"

struct zip;

namespace unrolled::import {

class ZipArchive {
 public:
  ZipArchive() = default;
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  // bytes must outlive the archive. file names it in messages.
  bool open(const std::string& bytes, const std::string& file, std::string* error);
  const std::vector<std::string>& names() const { return names_; }
  bool contains(const std::string& name) const;
  // The member's bytes, refused (before inflating) when it declares more than max_bytes.
  bool read(const std::string& name, int64_t max_bytes, std::string& out, std::string* error) const;

 private:
  struct zip* zip_ = nullptr;
  std::string file_;
  std::vector<std::string> names_;
};

// True if bytes start like a zip archive ("PK\3\4").
bool looks_like_zip(const std::string& bytes);

}  // namespace unrolled::import
