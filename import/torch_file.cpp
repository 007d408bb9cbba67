#include "import/torch_file.hpp"

#include <bit>
#include <cmath>
#include <map>

#include "import/pickle.hpp"
#include "import/zip_archive.hpp"

namespace unrolled::import {
namespace {

constexpr int64_t kMaxPickleBytes = int64_t{16} << 20;

int element_bytes(const std::string& dtype) {
  return dtype == "float64" ? 8 : dtype == "float32" ? 4 : 2;
}

double element(const std::string& storage, int64_t k, const std::string& dtype) {
  const int n = element_bytes(dtype);
  uint64_t raw = 0;
  for (int b = n - 1; b >= 0; --b)
    raw = (raw << 8) | static_cast<unsigned char>(storage[k * n + b]);
  if (dtype == "float64") return std::bit_cast<double>(raw);
  if (dtype == "float32") return std::bit_cast<float>(static_cast<uint32_t>(raw));
  if (dtype == "bfloat16") return std::bit_cast<float>(static_cast<uint32_t>(raw << 16));
  const int sign = raw >> 15, exp = (raw >> 10) & 0x1f, frac = raw & 0x3ff;  // float16
  const double v = exp == 0    ? std::ldexp(frac, -24)
                   : exp == 31 ? (frac ? NAN : INFINITY)
                               : std::ldexp(frac + 1024, exp - 25);
  return sign ? -v : v;
}

}  // namespace

bool read_torch_file(const std::string& bytes, const std::string& file, TensorList& out,
                     std::string* error) {
  auto fail = [&](const std::string& m) {
    if (error) *error = file + ": " + m;
    return false;
  };
  if (!looks_like_zip(bytes))
    return fail(!bytes.empty() && static_cast<unsigned char>(bytes[0]) == 0x80
                    ? "a PyTorch file in the legacy format (before 1.6, or saved with "
                      "_use_new_zipfile_serialization=False) is not read; save it again with "
                      "torch.save(model.state_dict(), path)"
                    : "not a PyTorch file: a state_dict saved with torch.save is a zip archive");
  ZipArchive zip;
  if (!zip.open(bytes, file, error)) return false;
  std::string prefix;
  for (const std::string& n : zip.names())
    if (n.size() > 9 && n.compare(n.size() - 9, 9, "/data.pkl") == 0 &&
        n.find('/') == n.size() - 9) {
      prefix = n.substr(0, n.size() - 8);
      break;
    }
  if (prefix.empty()) return fail("no <name>/data.pkl in the archive: not a torch.save file");
  std::string text;
  if (zip.contains(prefix + "byteorder")) {
    if (!zip.read(prefix + "byteorder", 16, text, error)) return false;
    if (text != "little")
      return fail("byteorder '" + text + "' is not read; only little-endian files are");
  }
  std::string pkl;
  if (!zip.read(prefix + "data.pkl", kMaxPickleBytes, pkl, error)) return false;
  std::vector<PickledTensor> pickled;
  if (!read_state_dict_pickle(pkl, file, pickled, error)) return false;

  std::map<std::string, std::string> storages;  // key -> bytes
  TensorList tensors;
  int64_t total = 0, storage_bytes = 0;
  for (const PickledTensor& p : pickled) {
    const std::string at = "tensor '" + p.name + "'";
    const int64_t numel = checked_numel(p.shape, kMaxImportValues - total);
    if (numel < 0)
      return fail(at + ": shape " + shape_string(p.shape) + " is not allowed (at most " +
                  std::to_string(kMaxImportValues) + " values in all)");
    total += numel;
    int64_t last = p.offset;  // the largest storage index the view reads
    bool ok = p.offset >= 0;
    for (size_t d = 0; ok && d < p.shape.size(); ++d) {
      if (p.stride[d] < 0 || (p.shape[d] > 0 && p.stride[d] > (INT64_MAX - last) / p.shape[d]))
        ok = false;
      else if (p.shape[d] > 0)
        last += (p.shape[d] - 1) * p.stride[d];
    }
    if (!ok || (numel > 0 && last >= p.storage_numel))
      return fail(at + ": offset " + std::to_string(p.offset) + ", shape " + shape_string(p.shape) +
                  " and stride " + shape_string(p.stride) + " reach past its storage of " +
                  std::to_string(p.storage_numel) + " values");
    const int width = element_bytes(p.dtype);
    if (!storages.count(p.storage_key) &&
        p.storage_numel > (kMaxImportBytes - storage_bytes) / width)
      return fail(at + ": a storage of " + std::to_string(p.storage_numel) + " " + p.dtype +
                  " values: the storages would hold more than the " +
                  std::to_string(kMaxImportBytes) + " bytes a model file may hold");
    auto it = storages.find(p.storage_key);
    if (it == storages.end()) {
      std::string data;
      const std::string member = prefix + "data/" + p.storage_key;
      if (!zip.read(member, p.storage_numel * width, data, error)) return false;
      if (static_cast<int64_t>(data.size()) != p.storage_numel * width)
        return fail("member '" + member + "' holds " + std::to_string(data.size()) +
                    " bytes; its storage of " + std::to_string(p.storage_numel) + " " + p.dtype +
                    " values needs " + std::to_string(p.storage_numel * width));
      storage_bytes += static_cast<int64_t>(data.size());
      it = storages.emplace(p.storage_key, std::move(data)).first;
    }
    Tensor t;
    t.name = p.name;
    t.shape = p.shape;
    t.dtype = p.dtype;
    t.values.resize(numel);
    for (int64_t k = 0; k < numel; ++k) {  // row-major walk of the strided view
      int64_t rest = k, index = p.offset;
      for (size_t d = p.shape.size(); d-- > 0;) {
        index += (rest % p.shape[d]) * p.stride[d];
        rest /= p.shape[d];
      }
      t.values[k] = element(it->second, index, p.dtype);
    }
    tensors.push_back(std::move(t));
  }
  out = std::move(tensors);
  return true;
}

}  // namespace unrolled::import
