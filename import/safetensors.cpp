#include "import/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "core/json_io.hpp"

namespace unrolled::import {
namespace {

constexpr uint64_t kMaxHeaderBytes = uint64_t{16} << 20;

struct DtypeInfo {
  const char* name;
  int bytes;
};
constexpr DtypeInfo kDtypes[] = {{"F16", 2}, {"BF16", 2}, {"F32", 4}, {"F64", 8}};

uint64_t read_le(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int k = n - 1; k >= 0; --k) v = (v << 8) | p[k];
  return v;
}

double half_to_double(uint16_t h) {  // IEEE 754 binary16
  const int sign = h >> 15, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  double v = exp == 0    ? std::ldexp(frac, -24)
             : exp == 31 ? (frac ? NAN : INFINITY)
                         : std::ldexp(frac + 1024, exp - 25);
  return sign ? -v : v;
}

double decode(const unsigned char* p, const std::string& dtype) {
  if (dtype == "F64") return std::bit_cast<double>(read_le(p, 8));
  if (dtype == "F32") return std::bit_cast<float>(static_cast<uint32_t>(read_le(p, 4)));
  if (dtype == "BF16") return std::bit_cast<float>(static_cast<uint32_t>(read_le(p, 2) << 16));
  return half_to_double(static_cast<uint16_t>(read_le(p, 2)));
}

}  // namespace

bool read_safetensors(const std::string& bytes, const std::string& file, TensorList& out,
                      std::string* error) {
  auto fail = [&](const std::string& m) {
    if (error) *error = file + ": " + m;
    return false;
  };
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < 8)
    return fail("not a safetensors file: " + std::to_string(bytes.size()) +
                " bytes, fewer than the 8-byte header length");
  const uint64_t n = read_le(data, 8);
  if (n > kMaxHeaderBytes || n > bytes.size() - 8)
    return fail("the header length (bytes 0-7) says " + std::to_string(n) +
                " bytes; the file has " + std::to_string(bytes.size() - 8) +
                " after it and a header may be at most " + std::to_string(kMaxHeaderBytes));
  Json header;
  std::string e;
  if (!parse_json_text(bytes.substr(8, n), "header", header, &e)) return fail(e);
  if (!header.is_object()) return fail("header: expected a JSON object");
  const uint64_t data_size = bytes.size() - 8 - n;
  const unsigned char* base = data + 8 + n;
  TensorList tensors;
  int64_t total = 0;
  std::vector<std::pair<uint64_t, size_t>> order;  // (begin, index)
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") continue;
    const std::string at = "header: tensor '" + name + "'";
    if (!info.is_object() || !info.contains("dtype") || !info["dtype"].is_string() ||
        !info.contains("shape") || !info["shape"].is_array() || !info.contains("data_offsets") ||
        !info["data_offsets"].is_array() || info["data_offsets"].size() != 2)
      return fail(at +
                  ": expected {\"dtype\": ..., \"shape\": [...], \"data_offsets\": [begin, end]}");
    const std::string dtype = info["dtype"].get<std::string>();
    const auto* dt = std::find_if(std::begin(kDtypes), std::end(kDtypes),
                                  [&](const DtypeInfo& d) { return dtype == d.name; });
    if (dt == std::end(kDtypes))
      return fail(at + ": dtype '" + dtype + "' is not supported; allowed: F16, BF16, F32, F64");
    Tensor t;
    t.name = name;
    t.dtype = dtype;
    for (const Json& d : info["shape"]) {
      if (!d.is_number_unsigned() || t.shape.size() >= 8)
        return fail(at + ": shape " + info["shape"].dump() +
                    " is not allowed; expected up to 8 non-negative integers");
      t.shape.push_back(static_cast<int64_t>(std::min<uint64_t>(d.get<uint64_t>(), INT64_MAX)));
    }
    const int64_t numel = checked_numel(t.shape, kMaxImportValues - total);
    if (numel < 0)
      return fail(at + ": shape " + t.shape_string() + " holds more values than the " +
                  std::to_string(kMaxImportValues) + " a file may hold in all");
    total += numel;
    const Json& off = info["data_offsets"];
    if (!off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      return fail(at + ": data_offsets " + off.dump() + " are not two non-negative integers");
    const uint64_t begin = off[0].get<uint64_t>(), end = off[1].get<uint64_t>();
    if (begin > end || end > data_size)
      return fail(at + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                  "] point past the end of the data (" + std::to_string(data_size) + " bytes)");
    if (end - begin != static_cast<uint64_t>(numel) * dt->bytes)
      return fail(at + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                  "] hold " + std::to_string(end - begin) + " bytes; " + dtype + " of shape " +
                  t.shape_string() + " needs " + std::to_string(numel * dt->bytes));
    t.values.resize(numel);
    for (int64_t k = 0; k < numel; ++k) t.values[k] = decode(base + begin + k * dt->bytes, dtype);
    order.push_back({begin, tensors.size()});
    tensors.push_back(std::move(t));
  }
  std::sort(order.begin(), order.end());
  out.clear();
  for (const auto& [begin, k] : order) out.push_back(std::move(tensors[k]));
  return true;
}

std::string write_safetensors(const TensorList& tensors, bool float64,
                              const std::map<std::string, std::string>& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  const int width = float64 ? 8 : 4;
  uint64_t offset = 0;
  for (const Tensor& t : tensors) {
    const uint64_t size = t.values.size() * width;
    header[t.name] = {{"dtype", float64 ? "F64" : "F32"},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + size}}};
    offset += size;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the data starts 8-byte aligned
  std::string out(8, '\0');
  for (int k = 0; k < 8; ++k) out[k] = static_cast<char>((uint64_t(text.size()) >> (8 * k)) & 0xff);
  out += text;
  for (const Tensor& t : tensors)
    for (double v : t.values) {
      const uint64_t bits =
          float64 ? std::bit_cast<uint64_t>(v) : std::bit_cast<uint32_t>(static_cast<float>(v));
      for (int k = 0; k < width; ++k) out.push_back(static_cast<char>((bits >> (8 * k)) & 0xff));
    }
  return out;
}

}  // namespace unrolled::import
