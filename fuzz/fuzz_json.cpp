// libFuzzer: the JSON layer every reader shares (parse_json_text), the settings file's parser
// included. Any bytes must parse or be refused with a message; a crash, a sanitizer report, a
// leak or a timeout is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/json_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  unrolled::Json j;
  std::string error;
  if (!unrolled::parse_json_text(text, "fuzz.json", j, &error) && error.empty())
    __builtin_trap();  // a refusal always says why
  return 0;
}
