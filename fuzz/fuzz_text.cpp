// libFuzzer: the character text reader (a charlm task built from a text file's bytes): UTF-8
// decoding, the vocabulary limit, windows of length 4.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "core/tasks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace unrolled;
  // The reader takes a path, so the bytes go through a file of this process's own.
  static const std::string path = "/tmp/unrolled_fuzz_text_" + std::to_string(getpid()) + ".txt";
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  } else {
    return 0;
  }
  TaskSpec spec = default_task_spec(TaskKind::CharLm);
  spec.charlm.text = path;
  std::string error;
  auto task = make_task(spec, &error);
  if (!task && error.empty()) __builtin_trap();
  return 0;
}
