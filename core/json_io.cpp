#include "core/json_io.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

// Builds the document as nlohmann's own parser does, with two differences the readers need: a
// key repeated within one object is refused (nlohmann keeps the last silently), and every error,
// a number beyond a double's range included, is returned with its byte instead of thrown.
class StrictBuilder : public Json::json_sax_t {
 public:
  StrictBuilder(Json& root, double max_bytes) : root_(root), max_bytes_(max_bytes) {}

  bool null() override { return charge(16) && add(nullptr); }
  bool boolean(bool v) override { return charge(16) && add(v); }
  bool number_integer(number_integer_t v) override { return charge(16) && add(v); }
  bool number_unsigned(number_unsigned_t v) override { return charge(16) && add(v); }
  bool number_float(number_float_t v, const string_t&) override { return charge(16) && add(v); }
  bool string(string_t& v) override { return charge(48 + v.size()) && add(std::move(v)); }
  bool binary(binary_t&) override { return false; }  // JSON text has no binary values
  bool start_object(std::size_t) override { return charge(64) && open(Json::object()); }
  bool start_array(std::size_t) override { return charge(64) && open(Json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    if (!charge(64 + k.size())) return false;  // a map node and the key
    Frame& f = stack_.back();
    key_path_ = f.path.empty() ? k : f.path + "." + k;
    if (f.value->contains(k)) {
      message_ = "key '" + key_path_ + "' appears twice; each key may appear once in an object";
      return false;
    }
    slot_ = &(*f.value)[k];
    return true;
  }
  bool parse_error(std::size_t byte, const std::string& token,
                   const nlohmann::detail::exception& e) override {
    std::ostringstream m;
    if (e.id == 406) {  // out_of_range: a number too large for a double
      m << "number out of range at byte " << byte << ": "
        << (token.size() > 40 ? token.substr(0, 40) + "..." : token)
        << " is beyond the largest double (about 1.8e308); numbers must be finite";
    } else {
      m << "not valid JSON (at byte " << byte << ")";
      const std::string detail = e.what();
      const auto pos = detail.find("syntax error");
      if (pos != std::string::npos) m << ": " << detail.substr(pos);
    }
    message_ = m.str();
    return false;
  }
  const std::string& message() const { return message_; }

 private:
  struct Frame {
    Json* value;       // an open object or array; stable, since nothing is added beside it
    std::string path;  // "model", "layers[2]": names a duplicate key's place
  };
  // Puts v where the document is at: the root, the end of the open array or the last key.
  template <class V>
  Json* place(V&& v) {
    if (stack_.empty()) {
      root_ = Json(std::forward<V>(v));
      return &root_;
    }
    Json& parent = *stack_.back().value;
    if (parent.is_array()) {
      parent.emplace_back(std::forward<V>(v));
      return &parent.back();
    }
    *slot_ = Json(std::forward<V>(v));
    return slot_;
  }
  // Counts bytes the document will take; false (with the message) once past the budget.
  bool charge(double bytes) {
    bytes_ += bytes;
    ++values_;
    if (bytes_ <= max_bytes_) return true;
    std::ostringstream m;
    m << "the JSON document would take more than " << max_bytes_ / (1 << 20)
      << " MiB in memory (stopped after " << values_
      << " values); at most that is allowed";
    message_ = m.str();
    return false;
  }
  template <class V>
  bool add(V&& v) {
    place(std::forward<V>(v));
    return true;
  }
  bool open(Json&& empty) {
    std::string path;
    if (!stack_.empty()) {
      const Frame& f = stack_.back();
      path = f.value->is_array() ? f.path + "[" + std::to_string(f.value->size()) + "]" : key_path_;
    }
    Json* j = place(std::move(empty));
    stack_.push_back({j, std::move(path)});
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  Json& root_;
  double max_bytes_;
  double bytes_ = 0;
  int64_t values_ = 0;
  std::vector<Frame> stack_;
  Json* slot_ = nullptr;  // the value of the object key read last
  std::string key_path_;
  std::string message_;
};

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
                     std::string* error, double max_document_bytes) {
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
  Json parsed;
  StrictBuilder builder(parsed, max_document_bytes);
  bool ok = false;
  try {
    ok = Json::sax_parse(text, &builder);
  } catch (const Json::exception& e) {  // the builder reports errors itself; this is a backstop
    if (error) *error = what + ": not valid JSON: " + e.what();
    return false;
  }
  if (!ok) {
    if (error) *error = what + ": " + builder.message();
    return false;
  }
  out = std::move(parsed);
  return true;
}

size_t utf8_length(const std::string& s) {
  // The parser has checked the encoding, so every code point starts with one non-continuation
  // byte (continuation bytes are 10xxxxxx).
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
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
  auto fail = [&](const std::string& what) {
    if (error) *error = path + ": " + what;
    return false;
  };
  // A symlink is written through: the file it points to is replaced and the link stays a link.
  std::error_code ec;
  std::string real = path;
  if (std::filesystem::is_symlink(path, ec)) {
    const auto target = std::filesystem::weakly_canonical(path, ec);
    if (ec) return fail("a symbolic link that cannot be followed: " + ec.message());
    real = target.string();
  }
  // An existing file keeps its permissions; one the user made read-only is left alone.
  struct stat st {};
  const bool exists = ::stat(real.c_str(), &st) == 0;
  // (The mode bits too: root may write anything, but a 0444 file says "keep me".)
  if (exists && ((st.st_mode & 0222) == 0 || ::access(real.c_str(), W_OK) != 0))
    return fail("is read-only (or in a folder that is); left as it is");
  const std::string tmp = real + ".tmp-unrolled";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return fail("cannot be written (is the folder there and writable?)");
  bool ok = !exists || ::fchmod(fd, st.st_mode & 07777) == 0;
  for (size_t done = 0; ok && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  // On disk before the rename: a crash leaves the old file or the new one, never a torn one.
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    return fail("writing failed (disk full?)");
  }
  std::filesystem::rename(tmp, real, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return fail("cannot be replaced: " + ec.message());
  }
  return true;
}

}  // namespace unrolled
