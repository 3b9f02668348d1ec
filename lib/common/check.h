// VDB_CHECK (always on) and VDB_DCHECK (debug builds only) abort with file:line on our own bugs.
// Never use them on user input or bytes read from disk: those are a Status.
#pragma once

namespace vdb::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* expr);
}  // namespace vdb::internal

#define VDB_CHECK(cond)                                        \
  do {                                                         \
    if (!(cond)) [[unlikely]]                                  \
      ::vdb::internal::CheckFailed(__FILE__, __LINE__, #cond); \
  } while (0)

#ifdef NDEBUG
#define VDB_DCHECK(cond) \
  do {                   \
  } while (0)
#else
#define VDB_DCHECK(cond) VDB_CHECK(cond)
#endif
