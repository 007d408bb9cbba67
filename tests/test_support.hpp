// Helpers shared by the tests that run the `unrolled` executable as a user would.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace unrolled::testing_support {

struct ExeResult {
  int code;         // exit code
  std::string out;  // standard output (and standard error when merged)
};

// Runs UNROLLED_EXE with args through the shell; stderr is merged into out or discarded.
inline ExeResult run_exe(const std::string& args, bool merge_stderr = false) {
  const std::string cmd =
      std::string(UNROLLED_EXE) + " " + args + (merge_stderr ? " 2>&1" : " 2>/dev/null");
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// True when an X display is set (GUI tests skip, saying why, without one).
inline bool have_display() {
  const char* d = std::getenv("DISPLAY");
  return d && *d;
}

// A fresh temporary folder, removed when this object goes away.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    path_ =
        std::filesystem::temp_directory_path() /
        ("unrolled_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path path_;
};

}  // namespace unrolled::testing_support
