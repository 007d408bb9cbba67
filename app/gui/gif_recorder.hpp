// Animated GIFs, encoded on a thread of their own: the caller (the UI thread, or `unrolled
// figure`) hands over RGB frames and goes on; colour quantisation (giflib's median cut, 256
// colours per frame) and LZW compression happen on the recorder's thread. The file is written
// to PATH.part and renamed to PATH by finish(), so a failed or cancelled recording leaves no
// half-written file behind.
//
//   GifRecorder rec;
//   if (!rec.start({"train.gif", 800, 500, 10.0}, &error)) ...   // 10 frames a second
//   rec.push(std::move(rgb));        // (500, 800, 3), top row first; false: dropped or full
//   rec.status();                    // frames written, bytes so far, whether the bound is near
//   if (!rec.finish(&error)) ...     // waits for the queue, writes the trailer, renames
//
// The file's size is bounded: once the next frame (judged by the last one's size, twice over)
// could take the file past max_bytes, the recorder stops taking frames (status().full); a frame
// whose bytes would still cross the bound fails the recording rather than exceed it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace unrolled {

inline constexpr std::int64_t kDefaultMaxGifBytes = 32ll << 20;  // 32 MiB

class GifRecorder {
 public:
  struct Options {
    std::string path;
    int width = 0, height = 0;  // every frame's size, 1..8192 each
    double fps = 10;            // 1..50; GIF stores delays in 1/100 s
    std::int64_t max_bytes = kDefaultMaxGifBytes;
    int max_queue = 8;  // frames waiting for the encoder; more are dropped (never blocks)
  };
  struct Status {
    int frames_written = 0;
    int frames_dropped = 0;    // the queue was full
    std::int64_t bytes = 0;    // written so far
    bool full = false;         // the size bound is reached: no more frames are taken
    double encode_cpu_ms = 0;  // the encoder thread's CPU time so far (quantise + compress)
    bool failed = false;
    std::string error;
  };

  GifRecorder() = default;
  ~GifRecorder();  // cancels a recording still open
  GifRecorder(const GifRecorder&) = delete;
  GifRecorder& operator=(const GifRecorder&) = delete;

  bool start(const Options& options, std::string* error);
  bool recording() const { return worker_.joinable(); }
  // (height, width, 3) RGB bytes. False when the frame was not taken: wrong size, queue full,
  // bound reached or the recording failed.
  bool push(std::vector<unsigned char> rgb);
  // Encodes what is queued, closes the file and renames it into place; false with *error (and
  // no file) when anything failed or no frame was written.
  bool finish(std::string* error);
  // Stops at once and deletes the partial file.
  void cancel();
  Status status() const;
  // The centiseconds each frame is shown for at a frame rate (at least 2: browsers slow faster
  // GIFs down).
  static int delay_centiseconds(double fps);

 private:
  void run();
  bool encode(const std::vector<unsigned char>& rgb);
  bool stop_thread(std::string* error);

  Options options_;
  void* gif_ = nullptr;  // GifFileType*, used by the worker thread only once started
  std::FILE* file_ = nullptr;
  std::thread worker_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::vector<unsigned char>> queue_;
  bool closing_ = false, cancelled_ = false;
  Status status_;
  std::int64_t last_frame_bytes_ = 0;
  std::int64_t bytes_ = 0;  // counted by the write callback (worker thread)
};

}  // namespace unrolled
