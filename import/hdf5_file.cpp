#include "import/hdf5_file.hpp"

#include <hdf5.h>

#include <memory>

namespace unrolled::import {
namespace {

// Closes an hid_t with its matching H5*close when it goes out of scope.
struct Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Handle() {
    if (id >= 0) close(id);
  }
  operator hid_t() const { return id; }
};

constexpr size_t kMaxAttributeStrings = 4096;
constexpr size_t kMaxStringBytes = 1 << 24;

}  // namespace

bool looks_like_hdf5(const std::string& bytes) {
  return bytes.size() >= 8 && bytes.compare(0, 8, std::string("\x89HDF\r\n\x1a\n", 8)) == 0;
}

H5File::~H5File() {
  if (id_ >= 0) H5Fclose(static_cast<hid_t>(id_));
}

bool H5File::open(const std::string& bytes, const std::string& file, std::string* error) {
  file_ = file;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become our messages, not prints
  if (!looks_like_hdf5(bytes)) {
    if (error) *error = file + ": not an HDF5 file (its first 8 bytes are not HDF5's signature)";
    return false;
  }
  Handle fapl{H5Pcreate(H5P_FILE_ACCESS), H5Pclose};
  if (fapl < 0 || H5Pset_fapl_core(fapl, 1 << 16, 0) < 0 ||
      H5Pset_file_image(fapl, const_cast<char*>(bytes.data()), bytes.size()) < 0) {
    if (error) *error = file + ": libhdf5 cannot take the file's image";
    return false;
  }
  id_ = H5Fopen("unrolled-import.h5", H5F_ACC_RDONLY, fapl);
  if (id_ < 0) {
    if (error) *error = file + ": libhdf5 cannot open it (a damaged or truncated HDF5 file)";
    return false;
  }
  return true;
}

bool H5File::exists(const std::string& path) const {
  if (id_ < 0) return false;
  std::string sofar;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    if (!sofar.empty()) sofar += '/';
    sofar.append(path, start, slash == std::string::npos ? std::string::npos : slash - start);
    if (H5Lexists(static_cast<hid_t>(id_), sofar.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

bool H5File::has_attribute(const std::string& path, const std::string& name) const {
  return id_ >= 0 && (path == "/" || exists(path)) &&
         H5Aexists_by_name(static_cast<hid_t>(id_), path.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

bool H5File::string_attribute(const std::string& path, const std::string& name,
                              std::vector<std::string>& out, std::string* error) const {
  auto fail = [&](const std::string& m) {
    if (error) *error = file_ + ": attribute '" + name + "' of '" + path + "': " + m;
    return false;
  };
  if (!has_attribute(path, name)) return fail("missing");
  Handle attr{H5Aopen_by_name(static_cast<hid_t>(id_), path.c_str(), name.c_str(), H5P_DEFAULT,
                              H5P_DEFAULT),
              H5Aclose};
  Handle type{attr >= 0 ? H5Aget_type(attr) : -1, H5Tclose};
  Handle space{attr >= 0 ? H5Aget_space(attr) : -1, H5Sclose};
  if (attr < 0 || type < 0 || space < 0) return fail("cannot be opened");
  if (H5Tget_class(type) != H5T_STRING) return fail("is not a string");
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  if (n < 0 || static_cast<size_t>(n) > kMaxAttributeStrings)
    return fail(std::to_string(n) + " strings; at most " + std::to_string(kMaxAttributeStrings) +
                " are read");
  out.clear();
  if (H5Tis_variable_str(type) > 0) {
    Handle mem{H5Tcopy(H5T_C_S1), H5Tclose};
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));
    std::vector<char*> ptrs(n, nullptr);
    if (H5Aread(attr, mem, ptrs.data()) < 0) return fail("cannot be read");
    for (char* p : ptrs) {
      out.push_back(p ? std::string(p, strnlen(p, kMaxStringBytes)) : "");
      H5free_memory(p);
    }
    return true;
  }
  const size_t width = H5Tget_size(type);
  if (width == 0 || width * n > kMaxStringBytes) return fail("strings too long");
  Handle mem{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(mem, width);
  H5Tset_cset(mem, H5Tget_cset(type));
  H5Tset_strpad(mem, H5T_STR_NULLPAD);  // numpy's 'S' strings fill their width, no terminator
  std::string buf(width * n, '\0');
  if (H5Aread(attr, mem, buf.data()) < 0) return fail("cannot be read");
  for (hssize_t k = 0; k < n; ++k) {
    std::string s = buf.substr(k * width, width);
    s.resize(strnlen(s.c_str(), width));
    out.push_back(s);
  }
  return true;
}

bool H5File::dataset(const std::string& path, Tensor& t, std::string* error) const {
  auto fail = [&](const std::string& m) {
    if (error) *error = file_ + ": dataset '" + path + "': " + m;
    return false;
  };
  if (!exists(path)) return fail("missing");
  Handle ds{H5Dopen2(static_cast<hid_t>(id_), path.c_str(), H5P_DEFAULT), H5Dclose};
  Handle type{ds >= 0 ? H5Dget_type(ds) : -1, H5Tclose};
  Handle space{ds >= 0 ? H5Dget_space(ds) : -1, H5Sclose};
  if (ds < 0 || type < 0 || space < 0) return fail("cannot be opened");
  if (H5Tget_class(type) != H5T_FLOAT) return fail("is not a float array");
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0 || rank > 4) return fail("rank " + std::to_string(rank) + "; at most 4 is read");
  hsize_t dims[4] = {};
  H5Sget_simple_extent_dims(space, dims, nullptr);
  Tensor out;
  out.name = path;
  out.dtype = "float" + std::to_string(8 * H5Tget_size(type));
  for (int d = 0; d < rank; ++d)
    out.shape.push_back(dims[d] > uint64_t(INT64_MAX) ? -1 : static_cast<int64_t>(dims[d]));
  const int64_t n = checked_numel(out.shape, kMaxImportValues);
  if (n < 0)
    return fail("shape " + out.shape_string() + " holds more than " +
                std::to_string(kMaxImportValues) + " values");
  out.values.resize(n);
  if (n > 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.values.data()) < 0)
    return fail("cannot be read (a damaged file)");
  t = std::move(out);
  return true;
}

}  // namespace unrolled::import
