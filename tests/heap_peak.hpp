// The memory tests' measurement under a sanitizer. Shadow memory and quarantine inflate every RSS
// there, so a process counts what the program itself allocates instead: the sanitizer's allocator
// calls these hooks on every malloc and free, and the peak of the live bytes is the measurement.
// (The peak RSS that plain builds measure is the stricter figure: it also sees the allocator's
// own overhead.)
#pragma once

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNROLLED_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNROLLED_SANITIZED 1
#endif
#endif

#include <atomic>
#include <cstddef>
#include <cstdint>
#ifdef UNROLLED_SANITIZED
#include <sanitizer/allocator_interface.h>
#endif

namespace unrolled::testing_support {

#ifdef UNROLLED_SANITIZED
inline constexpr bool kSanitized = true;
inline std::atomic<int64_t> heap_live{0}, heap_peak_bytes{0};

inline void on_malloc(const volatile void*, size_t size) {
  const int64_t n = static_cast<int64_t>(size);
  const int64_t now = heap_live.fetch_add(n) + n;
  int64_t peak = heap_peak_bytes.load();
  while (now > peak && !heap_peak_bytes.compare_exchange_weak(peak, now)) {
  }
}

inline void on_free(const volatile void* p) {
  if (p)
    heap_live.fetch_sub(static_cast<int64_t>(__sanitizer_get_allocated_size(const_cast<void*>(p))));
}

// From here on, every allocation of this process is counted (once per process).
inline void count_heap() {
  __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}
#else
inline constexpr bool kSanitized = false;
inline std::atomic<int64_t> heap_peak_bytes{0};
inline void count_heap() {}
#endif

// The largest number of bytes live at once since count_heap() (0 in a plain build).
inline int64_t heap_peak() {
  return heap_peak_bytes.load();
}

}  // namespace unrolled::testing_support
