// The GIF recorder (app/gui/gif_recorder.hpp) in-process: its size bound, a frame of the wrong
// size, cancel. It encodes on a thread of its own: ./setup.sh tsan runs these under
// ThreadSanitizer.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "app/gui/gif_recorder.hpp"
#include "tests/test_support.hpp"

namespace unrolled {
namespace {

using testing_support::TempDir;

// Frames of noise barely compress: the recorder stops taking them before the file would pass
// its bound, and the file it leaves is under the bound and decodes.
TEST(GifRecorder, StopsBeforeTheSizeBound) {
  TempDir dir("gif_bound");
  GifRecorder rec;
  std::string error;
  const int w = 64, h = 48;
  ASSERT_TRUE(rec.start({dir / "n.gif", w, h, 10.0, 40000}, &error)) << error;
  std::uint32_t state = 12345;
  int taken = 0;
  for (int f = 0; f < 100; ++f) {
    std::vector<unsigned char> rgb(w * h * 3);
    for (auto& v : rgb)
      v = static_cast<unsigned char>((state = state * 1664525u + 1013904223u) >> 24);
    while (!rec.push(rgb) && !rec.status().full && !rec.status().failed)
      std::this_thread::yield();  // the queue is full: the encoder catches up
    if (rec.status().full) break;
    ++taken;
  }
  ASSERT_TRUE(rec.finish(&error)) << error;
  const auto s = rec.status();
  EXPECT_TRUE(s.full);
  EXPECT_LT(s.frames_written, 100);
  EXPECT_GT(s.frames_written, 0);
  const auto size = std::filesystem::file_size(dir / "n.gif");
  EXPECT_LE(size, 40000u);
  EXPECT_EQ(static_cast<std::int64_t>(size), s.bytes);
}

TEST(GifRecorder, RefusesAFrameOfAnotherSizeAndCancelLeavesNoFile) {
  TempDir dir("gif_cancel");
  GifRecorder rec;
  std::string error;
  ASSERT_TRUE(rec.start({dir / "c.gif", 16, 16, 10.0}, &error)) << error;
  EXPECT_FALSE(rec.push(std::vector<unsigned char>(15 * 16 * 3)));
  EXPECT_TRUE(rec.push(std::vector<unsigned char>(16 * 16 * 3, 200)));
  rec.cancel();
  EXPECT_FALSE(std::filesystem::exists(dir / "c.gif"));
  EXPECT_FALSE(std::filesystem::exists(dir / "c.gif.part"));
  GifRecorder bad;
  EXPECT_FALSE(bad.start({dir / "b.gif", 0, 16, 10.0}, &error));
  EXPECT_NE(error.find("allowed"), std::string::npos) << error;
  EXPECT_FALSE(bad.start({dir / "b.gif", 16, 16, 500.0}, &error));
  EXPECT_NE(error.find("frame rate"), std::string::npos) << error;
}

}  // namespace
}  // namespace unrolled
