#include "import/zip_archive.hpp"

#include <zip.h>

#include <algorithm>

namespace unrolled::import {

constexpr int64_t kMaxZipEntries = 100000;

ZipArchive::~ZipArchive() {
  if (zip_) zip_discard(zip_);
}

bool looks_like_zip(const std::string& bytes) {
  return bytes.size() >= 4 && bytes.compare(0, 4, std::string("PK\3\4", 4)) == 0;
}

bool ZipArchive::open(const std::string& bytes, const std::string& file, std::string* error) {
  file_ = file;
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &ze);
  if (src) {
    zip_ = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!zip_) zip_source_free(src);
  }
  if (!zip_) {
    if (error) *error = file + ": not a readable zip archive (" + zip_error_strerror(&ze) + ")";
    zip_error_fini(&ze);
    return false;
  }
  zip_error_fini(&ze);
  const zip_int64_t n = zip_get_num_entries(zip_, 0);
  if (n < 0 || n > kMaxZipEntries) {
    if (error)
      *error = file + ": the archive lists " + std::to_string(n) + " members; at most " +
               std::to_string(kMaxZipEntries) + " are allowed";
    return false;
  }
  for (zip_int64_t k = 0; k < n; ++k) {
    const char* name = zip_get_name(zip_, k, ZIP_FL_ENC_RAW);
    names_.push_back(name ? name : "");
  }
  return true;
}

bool ZipArchive::contains(const std::string& name) const {
  return std::find(names_.begin(), names_.end(), name) != names_.end();
}

bool ZipArchive::read(const std::string& name, int64_t max_bytes, std::string& out,
                      std::string* error) const {
  auto fail = [&](const std::string& m) {
    if (error) *error = file_ + ": member '" + name + "': " + m;
    return false;
  };
  if (!zip_) return fail("the archive is not open");
  const auto it = std::find(names_.begin(), names_.end(), name);
  if (it == names_.end()) return fail("missing from the archive");
  const zip_uint64_t index = it - names_.begin();
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(zip_, index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    return fail("its size cannot be read (" + std::string(zip_strerror(zip_)) + ")");
  if (st.size > static_cast<zip_uint64_t>(max_bytes))
    return fail("declares " + std::to_string(st.size) + " bytes uncompressed (" +
                std::to_string(st.comp_size) + " compressed); at most " +
                std::to_string(max_bytes) + " are allowed, so it was not inflated");
  zip_file_t* f = zip_fopen_index(zip_, index, 0);
  if (!f) return fail("cannot be opened (" + std::string(zip_strerror(zip_)) + ")");
  std::string buf(st.size, '\0');
  zip_uint64_t got = 0;
  while (got < st.size) {
    const zip_int64_t r = zip_fread(f, buf.data() + got, st.size - got);
    if (r <= 0) break;
    got += r;
  }
  // One more read past the declared size must find the end (and makes libzip check the CRC).
  char extra = 0;
  const zip_int64_t tail = got == st.size ? zip_fread(f, &extra, 1) : -1;
  std::string why = tail < 0 ? zip_file_strerror(f) : "";
  zip_fclose(f);
  if (got != st.size || tail != 0)
    return fail("cannot be read in full: " + std::to_string(got) + " of " +
                std::to_string(st.size) + " bytes" + (why.empty() ? "" : " (" + why + ")"));
  out = std::move(buf);
  return true;
}

}  // namespace unrolled::import
