// Unrolled core: reading a JSON object field by field, with one message for the first thing wrong
// (the key's path, the value, what is allowed). The experiment and tour readers share it.
#pragma once

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "core/json_io.hpp"
#include "core/types.hpp"

namespace unrolled {


inline std::string fmt_json_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Reads one JSON object field by field, remembering which keys it used, so that unknown keys
// can be reported. The first error wins; later calls do nothing.
class Fields {
 public:
  Fields(const Json& j, std::string path, std::string* error)
      : j_(j), path_(std::move(path)), error_(error) {
    if (!j_.is_object()) fail(path_, "expected an object, found " + json_type_name(j_));
  }
  bool ok() const { return ok_; }
  bool has(const char* key) const { return ok_ && j_.contains(key); }
  std::string where(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

  void integer(const char* key, int64_t lo, int64_t hi, int64_t& out) {
    if (!take(key)) return;
    const Json& v = j_[key];
    const std::string range =
        "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    if (!v.is_number_integer())
      return fail(where(key), v.dump() + " is not allowed; expected " + range);
    const int64_t x = v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)
                          ? INT64_MAX
                          : v.get<int64_t>();
    if (x < lo || x > hi) return fail(where(key), v.dump() + " is out of range; expected " + range);
    out = x;
  }
  void integer(const char* key, int lo, int hi, int& out) {
    int64_t x = out;
    integer(key, int64_t{lo}, int64_t{hi}, x);
    out = static_cast<int>(x);
  }
  // A finite number in [lo, hi] (or (lo, hi] when lo_open).
  void number(const char* key, double lo, double hi, bool lo_open, double& out) {
    if (!take(key)) return;
    const Json& v = j_[key];
    const std::string range =
        std::string("a number in ") + (lo_open ? "(" : "[") + fmt_json_number(lo) + ", " + fmt_json_number(hi) + "]";
    if (!v.is_number()) return fail(where(key), v.dump() + " is not allowed; expected " + range);
    const double x = v.get<double>();
    if (!std::isfinite(x) || x < lo || x > hi || (lo_open && x == lo))
      return fail(where(key), v.dump() + " is out of range; expected " + range);
    out = x;
  }
  void text(const char* key, size_t max_len, std::string& out) {
    if (!take(key)) return;
    const Json& v = j_[key];
    if (!v.is_string()) return fail(where(key), v.dump() + " is not allowed; expected a string");
    // Characters, not bytes: 150 x "é" is 150 characters (300 bytes).
    if (const size_t n = utf8_length(v.get<std::string>()); n > max_len)
      return fail(where(key), std::to_string(n) + " characters, longer than the " +
                                  std::to_string(max_len) + " allowed");
    out = v.get<std::string>();
  }
  void flag(const char* key, bool& out) {
    if (!take(key)) return;
    const Json& v = j_[key];
    if (!v.is_boolean()) return fail(where(key), v.dump() + " is not allowed; expected true or false");
    out = v.get<bool>();
  }
  template <class E>
  void name(const char* key, E& out) {
    if (!take(key)) return;
    const Json& v = j_[key];
    if (!v.is_string() || !parse(v.get<std::string>(), out))
      fail(where(key), v.dump() + " is not allowed; allowed: " + allowed_names(E{}));
  }
  // Refuses any key not taken so far.
  void finish() {
    if (!ok_) return;
    for (const auto& [key, value] : j_.items()) {
      bool used = false;
      for (const auto& k : used_) used = used || k == key;
      if (!used) {
        std::string allowed;
        for (const auto& k : known_) allowed += (allowed.empty() ? "" : ", ") + k;
        return fail(where(key.c_str()), "unknown key; allowed here: " + allowed);
      }
    }
  }
  void fail(const std::string& where, const std::string& what) {
    if (!ok_) return;
    ok_ = false;
    if (error_) *error_ = where + ": " + what;
  }
  // Declares key as known here (for the list of allowed keys); true if present and all is well.
  bool take(const char* key) {
    known_.push_back(key);
    if (!ok_ || !j_.contains(key)) return false;
    used_.push_back(key);
    return true;
  }
  const Json& operator[](const char* key) const { return j_[key]; }

 private:
  const Json& j_;
  std::string path_;
  std::string* error_;
  bool ok_ = true;
  std::vector<std::string> used_, known_;
};

}  // namespace unrolled
