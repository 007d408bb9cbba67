// Unrolled core: the process-wide thread count and the one parallel loop the engine uses.
//
// The pool is oneTBB's (Debian's libtbb-dev): its work-stealing scheduler composes nested loops
// (compare mode runs models in parallel, each model runs its batch shards in parallel) without
// oversubscribing the machine, and tbb::global_control caps every pool thread in the process
// with one setting, whichever thread starts the work (the GUI's training worker, a sweep's
// thread, the command line).
//
// Determinism does not depend on the pool: callers cut their work into pieces fixed by the
// problem's shape alone, each piece writes only its own outputs, and whatever is summed across
// pieces is summed afterwards, on one thread, in piece order.
#pragma once

#include <functional>

namespace unrolled {

constexpr int kMaxThreads = 256;

// The number of threads parallel work may use, 1..kMaxThreads. Until set_thread_count is called
// it is default_thread_count(false).
int thread_count();
// Sets the process-wide count (clamped to 1..kMaxThreads). Takes effect for loops started
// afterwards; call it before starting work (the command line does, once).
void set_thread_count(int n);
// Every core headless; with a GUI, every core but one, which the UI thread keeps (at least 1).
int default_thread_count(bool gui);
// The number of cores the process may run on.
int hardware_threads();

// When true (the GUI), every thread but the caller (the UI thread) lowers its scheduling
// priority (nice 10, as app/session's training worker) the first time it runs parallel_for work, so
// the UI thread is served first. Call it once, from the UI thread, before any work starts.
void set_background_priority(bool lower);

// Lowers the calling thread alone below every ordinary thread: nice 10 and, on Linux,
// SCHED_IDLE (it runs only when no ordinary thread wants the core, so a frame's rasteriser
// threads preempt it at once instead of after a time slice). Cannot be undone without privileges.
void lower_this_thread_priority();

// Runs body(i) for every i in [0, n), each exactly once, on any threads; returns when all are
// done. With one thread, or n == 1, runs them in order on the calling thread.
void parallel_for(int n, const std::function<void(int)>& body);

}  // namespace unrolled
