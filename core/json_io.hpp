// Unrolled core: reading and writing JSON files safely.
//
// Every reader refuses, with one message naming the file and what is wrong: a missing or
// unreadable file, one larger than the caller's limit, an empty one, one nested deeper than
// kMaxJsonDepth, text that is not JSON (with the byte where parsing stopped), a number beyond a
// double's range (1e400, with its byte) and a key repeated within one object (with its path).
// Writers replace an existing file only once the new one is complete (write, then rename).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace unrolled {

using Json = nlohmann::json;

constexpr int kMaxJsonDepth = 64;
// What a parsed document may take in memory, estimated while it is built (64 bytes an array,
// object or key, 16 a value, plus the strings): a 64 MiB file of empty arrays would otherwise
// take 1.5 GB before any reader sees it.
constexpr double kMaxJsonDocumentBytes = 512.0 * 1024 * 1024;

// Parses text. On failure returns false, leaves out as it was and sets *error (prefixed with
// `what`). Never throws for any input.
bool parse_json_text(const std::string& text, const std::string& what, Json& out,
                     std::string* error, double max_document_bytes = kMaxJsonDocumentBytes);
// Length in characters (Unicode code points) of valid UTF-8, as the parser leaves strings.
size_t utf8_length(const std::string& s);
// Reads and parses a file of at most max_bytes.
bool read_json_file(const std::string& path, size_t max_bytes, Json& out, std::string* error);
// Reads a whole file of at most max_bytes.
bool read_text_file(const std::string& path, size_t max_bytes, std::string& out,
                    std::string* error);
// Writes text to path through a temporary file (flushed to disk) and a rename, so a failure or a
// crash never leaves a half-written file in place of a good one. A symlink is written through;
// an existing file keeps its permissions, and a read-only one is refused, not replaced.
bool write_file_atomic(const std::string& path, const std::string& text, std::string* error);

// Type-checked field access for validators: each sets *error naming `where` and the key.
std::string json_type_name(const Json& j);

}  // namespace unrolled
