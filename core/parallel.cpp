// The pool behind parallel_for: oneTBB's, capped by one tbb::global_control.
#include "core/parallel.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

namespace unrolled {
namespace {

std::mutex g_mutex;                              // guards g_control
std::unique_ptr<tbb::global_control> g_control;  // the process-wide cap, once set
std::atomic<int> g_threads{0};                   // 0: not set yet, use the default
std::atomic<bool> g_background{false};
std::thread::id g_ui_thread;  // the thread that asked for background priority: never lowered

// Lowers the calling thread's priority once (Linux: setpriority on a thread id affects that
// thread alone). A thread cannot raise it back without privileges, so it is done only when the
// GUI asked for it, and each thread remembers it did.
void lower_priority_once() {
  thread_local bool lowered = false;
  if (lowered || !g_background.load(std::memory_order_acquire)) return;
  lowered = true;
  if (std::this_thread::get_id() == g_ui_thread) return;
  lower_this_thread_priority();  // as the training worker's own thread
}

}  // namespace

void lower_this_thread_priority() {
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  if (getpriority(PRIO_PROCESS, tid) < 10) setpriority(PRIO_PROCESS, tid, 10);
#ifdef SCHED_IDLE
  const sched_param param{};
  sched_setscheduler(static_cast<pid_t>(tid), SCHED_IDLE, &param);
#endif
}

int hardware_threads() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

int default_thread_count(bool gui) {
  const int cores = std::min(hardware_threads(), kMaxThreads);
  return gui ? std::max(1, cores - 1) : cores;
}

int thread_count() {
  const int n = g_threads.load(std::memory_order_relaxed);
  return n > 0 ? n : default_thread_count(false);
}

void set_thread_count(int n) {
  n = std::clamp(n, 1, kMaxThreads);
  std::lock_guard lock(g_mutex);
  // Several live global_controls apply their minimum, so the old one goes before the new one.
  g_control.reset();
  g_control = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                    static_cast<size_t>(n));
  g_threads.store(n, std::memory_order_relaxed);
}

void set_background_priority(bool lower) {
  if (lower) g_ui_thread = std::this_thread::get_id();
  g_background.store(lower, std::memory_order_release);
}

void parallel_for(int n, const std::function<void(int)>& body) {
  if (n <= 0) return;
  if (n == 1 || thread_count() == 1) {
    lower_priority_once();
    for (int i = 0; i < n; ++i) body(i);
    return;
  }
  // One task per index (grain 1, simple partitioner): the pieces are few and coarse, and an
  // idle thread should be able to take any of them.
  tbb::parallel_for(
      tbb::blocked_range<int>(0, n, 1),
      [&](const tbb::blocked_range<int>& r) {
        lower_priority_once();
        for (int i = r.begin(); i != r.end(); ++i) body(i);
      },
      tbb::simple_partitioner());
}

}  // namespace unrolled
