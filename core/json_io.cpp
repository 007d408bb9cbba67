#include "core/json_io.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace unrolled {

namespace {

// Deepest nesting of [ and { outside strings, scanning stops once past the limit.
int nesting_depth(const std::string& s, int limit) {
  int depth = 0, worst = 0;
  bool in_string = false, escaped = false;
  for (char ch : s) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (ch == '\\')
        escaped = true;
      else if (ch == '"')
        in_string = false;
      continue;
    }
    if (ch == '"')
      in_string = true;
    else if (ch == '[' || ch == '{') {
      worst = std::max(worst, ++depth);
      if (worst > limit) return worst;
    } else if (ch == ']' || ch == '}')
      --depth;
  }
  return worst;
}

}  // namespace

std::string json_type_name(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "an integer";
    case Json::value_t::number_float:
      return "a number";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::object:
      return "an object";
    default:
      return "a value";
  }
}

bool parse_json_text(const std::string& text, const std::string& what, Json& out,
                     std::string* error) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (error) *error = what + ": the file is empty; expected a JSON object";
    return false;
  }
  if (nesting_depth(text, kMaxJsonDepth) > kMaxJsonDepth) {
    if (error)
      *error = what + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
               " levels; a valid file needs at most a few";
    return false;
  }
  try {
    out = Json::parse(text);
  } catch (const Json::parse_error& e) {
    if (error) {
      std::ostringstream m;
      m << what << ": not valid JSON (at byte " << e.byte << ")";
      const std::string detail = e.what();
      const auto pos = detail.find("syntax error");
      if (pos != std::string::npos) m << ": " << detail.substr(pos);
      *error = m.str();
    }
    return false;
  }
  return true;
}

bool read_text_file(const std::string& path, size_t max_bytes, std::string& out,
                    std::string* error) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (error) *error = path + ": no such file";
    return false;
  }
  if (std::filesystem::is_directory(path, ec)) {
    if (error) *error = path + ": is a directory, expected a file";
    return false;
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_bytes) {
    if (error)
      *error = path + ": " + std::to_string(size) + " bytes, larger than the " +
               std::to_string(max_bytes) + " bytes allowed";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = path + ": cannot be read";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  if (out.size() > max_bytes) {  // a pipe or a file that grew
    if (error) *error = path + ": larger than the " + std::to_string(max_bytes) + " bytes allowed";
    return false;
  }
  return true;
}

bool read_json_file(const std::string& path, size_t max_bytes, Json& out, std::string* error) {
  std::string text;
  if (!read_text_file(path, max_bytes, text, error)) return false;
  return parse_json_text(text, path, out, error);
}

bool write_file_atomic(const std::string& path, const std::string& text, std::string* error) {
  const std::string tmp = path + ".tmp-unrolled";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      if (error) *error = path + ": cannot be written (is the folder there and writable?)";
      return false;
    }
    out << text;
    out.flush();
    if (!out) {
      if (error) *error = path + ": writing failed (disk full?)";
      std::remove(tmp.c_str());
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    if (error) *error = path + ": cannot be replaced: " + ec.message();
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace unrolled
