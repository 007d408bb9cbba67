#include "app/gui/gif_recorder.hpp"

#include <gif_lib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace unrolled {
namespace {

GifFileType* as_gif(void* p) {
  return static_cast<GifFileType*>(p);
}

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

}  // namespace

GifRecorder::~GifRecorder() {
  cancel();
}

int GifRecorder::delay_centiseconds(double fps) {
  return std::max(2, static_cast<int>(std::lround(100.0 / fps)));
}

bool GifRecorder::start(const Options& o, std::string* error) {
  if (recording()) {
    *error = "a recording is already under way";
    return false;
  }
  if (o.width < 1 || o.height < 1 || o.width > 8192 || o.height > 8192) {
    *error = "a GIF frame of " + std::to_string(o.width) + "x" + std::to_string(o.height) +
             " pixels: allowed 1x1 to 8192x8192";
    return false;
  }
  if (!(o.fps >= 1 && o.fps <= 50)) {
    *error = "a GIF frame rate of " + std::to_string(o.fps) + ": allowed 1 to 50 frames a second";
    return false;
  }
  options_ = o;
  status_ = Status();
  queue_.clear();
  closing_ = cancelled_ = false;
  bytes_ = last_frame_bytes_ = 0;
  file_ = std::fopen((o.path + ".part").c_str(), "wb");
  if (!file_) {
    *error = "cannot write " + o.path + ".part";
    return false;
  }
  int err = 0;
  GifFileType* gif = EGifOpen(
      this,
      [](GifFileType* g, const GifByteType* data, int n) -> int {
        auto* self = static_cast<GifRecorder*>(g->UserData);
        // The bound holds whatever a frame turns out to weigh.
        if (self->bytes_ + n > self->options_.max_bytes) return 0;
        const std::size_t put = std::fwrite(data, 1, n, self->file_);
        self->bytes_ += static_cast<std::int64_t>(put);
        return static_cast<int>(put);
      },
      &err);
  bool ok = gif != nullptr;
  if (ok) {
    EGifSetGifVersion(gif, true);
    ok = EGifPutScreenDesc(gif, o.width, o.height, 8, 0, nullptr) == GIF_OK;
    // NETSCAPE2.0: loop for ever (slides repeat the animation).
    static GifByteType app[] = {'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0'};
    static GifByteType loop[] = {1, 0, 0};
    ok = ok && EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_OK &&
         EGifPutExtensionBlock(gif, sizeof app, app) == GIF_OK &&
         EGifPutExtensionBlock(gif, sizeof loop, loop) == GIF_OK &&
         EGifPutExtensionTrailer(gif) == GIF_OK;
  }
  if (!ok) {
    *error = "cannot start the GIF " + o.path + ": " + GifErrorString(gif ? gif->Error : err);
    if (gif) EGifCloseFile(gif, &err);
    std::fclose(file_);
    file_ = nullptr;
    std::remove((o.path + ".part").c_str());
    return false;
  }
  gif_ = gif;
  status_.bytes = bytes_;
  worker_ = std::thread([this] { run(); });
  return true;
}

bool GifRecorder::push(std::vector<unsigned char> rgb) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!worker_.joinable() || closing_ || status_.failed || status_.full) return false;
  if (rgb.size() != static_cast<std::size_t>(options_.width) * options_.height * 3) return false;
  if (static_cast<int>(queue_.size()) >= options_.max_queue) {
    ++status_.frames_dropped;
    return false;
  }
  queue_.push_back(std::move(rgb));
  wake_.notify_one();
  return true;
}

void GifRecorder::run() {
  for (;;) {
    std::vector<unsigned char> frame;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return cancelled_ || closing_ || !queue_.empty(); });
      if (cancelled_ || queue_.empty()) return;  // closing with nothing left
      frame = std::move(queue_.front());
      queue_.pop_front();
      // Frames queued before the bound was reached are not written.
      if (status_.full) {
        ++status_.frames_dropped;
        continue;
      }
    }
    const std::int64_t before = bytes_;
    const double cpu0 = thread_cpu_ms();
    const bool ok = encode(frame);
    const double cpu = thread_cpu_ms() - cpu0;
    std::lock_guard<std::mutex> lock(mutex_);
    status_.bytes = bytes_;
    status_.encode_cpu_ms += cpu;
    if (!ok) {
      status_.failed = true;
      status_.error =
          bytes_ + last_frame_bytes_ > options_.max_bytes
              ? "the GIF reached its size bound of " + std::to_string(options_.max_bytes) + " bytes"
              : "cannot write " + options_.path + ".part: " + GifErrorString(as_gif(gif_)->Error);
      queue_.clear();
      return;
    }
    ++status_.frames_written;
    last_frame_bytes_ = bytes_ - before;
    // Room for the next frame, judged by this one twice over, and the trailer.
    if (bytes_ + 2 * last_frame_bytes_ + 1 > options_.max_bytes) status_.full = true;
  }
}

bool GifRecorder::encode(const std::vector<unsigned char>& rgb) {
  const int w = options_.width, h = options_.height;
  const std::size_t n = static_cast<std::size_t>(w) * h;
  std::vector<GifByteType> r(n), g(n), b(n), index(n);  // (h, w) each
  for (std::size_t i = 0; i < n; ++i)
    r[i] = rgb[3 * i], g[i] = rgb[3 * i + 1], b[i] = rgb[3 * i + 2];
  int colors = 256;
  GifColorType palette[256];
  if (GifQuantizeBuffer(w, h, &colors, r.data(), g.data(), b.data(), index.data(), palette) !=
      GIF_OK)
    return false;
  ColorMapObject* map = GifMakeMapObject(256, palette);  // a power of two, as GIF requires
  if (!map) return false;
  GifFileType* gif = as_gif(gif_);
  GraphicsControlBlock gcb{DISPOSE_DO_NOT, false, delay_centiseconds(options_.fps),
                           NO_TRANSPARENT_COLOR};
  GifByteType ext[4];
  EGifGCBToExtension(&gcb, ext);
  bool ok = EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, sizeof ext, ext) == GIF_OK &&
            EGifPutImageDesc(gif, 0, 0, w, h, false, map) == GIF_OK;
  for (int y = 0; ok && y < h; ++y)
    ok = EGifPutLine(gif, index.data() + static_cast<std::size_t>(y) * w, w) == GIF_OK;
  GifFreeMapObject(map);
  return ok;
}

bool GifRecorder::stop_thread(std::string* error) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
  }
  wake_.notify_one();
  if (worker_.joinable()) worker_.join();
  int err = 0;
  GifFileType* gif = as_gif(gif_);
  gif_ = nullptr;
  bool ok = true;
  if (gif && EGifCloseFile(gif, &err) != GIF_OK) {  // writes the trailer, frees the handle
    ok = false;
    if (error) *error = std::string("cannot finish the GIF: ") + GifErrorString(err);
  }
  if (file_ && std::fclose(file_) != 0) {
    ok = false;
    if (error) *error = "cannot write " + options_.path + ".part (disk full?)";
  }
  file_ = nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  status_.bytes = bytes_;
  return ok;
}

bool GifRecorder::finish(std::string* error) {
  if (!worker_.joinable()) {
    *error = "no recording under way";
    return false;
  }
  std::string close_error;
  const bool closed = stop_thread(&close_error);
  const Status s = status();
  const std::string part = options_.path + ".part";
  std::string why;
  if (s.failed)
    why = s.error;
  else if (!closed)
    why = close_error;
  else if (s.frames_written == 0)
    why = "no frame was recorded";
  if (why.empty() && std::rename(part.c_str(), options_.path.c_str()) != 0)
    why = "cannot rename " + part + " to " + options_.path;
  if (why.empty()) return true;
  std::remove(part.c_str());
  *error = why;
  return false;
}

void GifRecorder::cancel() {
  if (!worker_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    cancelled_ = true;
  }
  stop_thread(nullptr);
  std::remove((options_.path + ".part").c_str());
}

GifRecorder::Status GifRecorder::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_;
}

}  // namespace unrolled
