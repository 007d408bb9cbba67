// Unrolled core: a request, from another thread, that long work stop between time steps.
//
// The trainer's whole passes (Network::forward_finish, BackwardPass::finish, Trainer::run_iteration)
// poll it before each time step and return early when it is raised, leaving the pass where it
// stopped; calling them again resumes it, with the same numbers as an uninterrupted pass. So the
// app's worker can stop, pause or take a new command within one time step, however long an
// iteration is (a sine lesson at T = 2000 with k1 = 1, k2 = 2000 takes about 90 s).
//
//   Interrupt stop;                 // shared by the worker and whoever stops it
//   trainer.run_iteration(&stop);   // on the worker; returns early once raised
//   stop.raise();                   // any thread
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace unrolled {

class Interrupt {
 public:
  void raise() {
    raised_.store(true, std::memory_order_release);
    std::lock_guard lock(hold_mutex_);  // a step waiting in hold() wakes and stops
    held_cv_.notify_all();
  }
  void clear() { raised_.store(false, std::memory_order_release); }
  bool raised() const { return raised_.load(std::memory_order_acquire); }

  // Called before each time step: true when the step must not start. Counts the steps it let
  // start.
  bool stop_here() {
    if (raised()) return true;
    if (held_.load(std::memory_order_acquire) && wait_while_held()) return true;
    if (steps_.fetch_add(1, std::memory_order_relaxed) >= limit_.load(std::memory_order_relaxed)) {
      steps_.fetch_sub(1, std::memory_order_relaxed);
      raise();
      return true;
    }
    return false;
  }
  // While held, a time step waits before it starts (until released or raised, at most kMaxHold
  // each time): the app's frame holds training that uses every core, so the frame's threads
  // (the UI's, a software rasteriser's) have the cores. Not a stop: released, the pass goes on.
  static constexpr std::chrono::milliseconds kMaxHold{50};
  void hold(std::chrono::milliseconds max_wait = kMaxHold) {
    max_hold_ms_.store(max_wait.count(), std::memory_order_relaxed);
    held_.store(true, std::memory_order_release);
  }
  void release() {
    {
      std::lock_guard lock(hold_mutex_);
      held_.store(false, std::memory_order_release);
    }
    held_cv_.notify_all();
  }

  int64_t steps_started() const { return steps_.load(std::memory_order_relaxed); }
  // Tests: raises itself once n more time steps have started (a stop at a chosen step).
  void raise_after(int64_t n) {
    clear();
    limit_.store(steps_started() + n, std::memory_order_relaxed);
  }

 private:
  // True when raised while it waited.
  bool wait_while_held() {
    std::unique_lock lock(hold_mutex_);
    const std::chrono::milliseconds max_wait{max_hold_ms_.load(std::memory_order_relaxed)};
    held_cv_.wait_for(lock, max_wait, [&] { return !held_.load() || raised(); });
    return raised();
  }

  std::atomic<bool> raised_{false};
  std::atomic<bool> held_{false};
  std::atomic<int64_t> max_hold_ms_{kMaxHold.count()};
  std::mutex hold_mutex_;
  std::condition_variable held_cv_;
  std::atomic<int64_t> steps_{0};
  std::atomic<int64_t> limit_{INT64_MAX};
};

// stop_here() on an optional interrupt: nullptr never stops.
inline bool stop_here(Interrupt* interrupt) {
  return interrupt != nullptr && interrupt->stop_here();
}

}  // namespace unrolled
