// Restart delay for a child process that keeps dying: exponential, capped. Pure; thread-safe.
#pragma once

#include <cstdint>

namespace vdb::daemon {

// Delay before the next start after `consecutive_failures` unexpected exits in a row (1 for the
// first): initial_ms * 2^(failures-1), at most max_ms; 0 when failures <= 0.
inline int64_t RestartBackoffMs(int consecutive_failures, int64_t initial_ms, int64_t max_ms) {
  if (consecutive_failures <= 0) return 0;
  int64_t delay = initial_ms;
  for (int i = 1; i < consecutive_failures && delay < max_ms; ++i) delay *= 2;
  return delay < max_ms ? delay : max_ms;
}

}  // namespace vdb::daemon
