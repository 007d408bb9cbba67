// Unrolled core: name tables for enums (to_string / parse / allowed_names), shared by the .cpp
// files that add enums beside core/types.hpp. Internal: include it from .cpp files only.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace unrolled::detail {

template <class E, std::size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

template <class E, std::size_t N>
std::string_view name_of(const NameTable<E, N>& t, E v) {
  for (const auto& [e, s] : t)
    if (e == v) return s;
  return "?";
}

template <class E, std::size_t N>
bool parse_in(const NameTable<E, N>& t, std::string_view s, E& out) {
  for (const auto& [e, n] : t)
    if (n == s) {
      out = e;
      return true;
    }
  return false;
}

// "a|b|c", in table order, for error messages.
template <class E, std::size_t N>
std::string allowed_in(const NameTable<E, N>& t) {
  std::string r;
  for (const auto& [e, n] : t) {
    if (!r.empty()) r += '|';
    r += n;
  }
  return r;
}

}  // namespace unrolled::detail
