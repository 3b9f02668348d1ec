// Leveled logging to a file (or stderr), one line per message with time, level, pid and place.
// Thread-safe: each message is written with a single write(2).
//
//   VDB_LOG(INFO) << "replayed " << n << " records from " << path;
#pragma once

#include <sstream>
#include <string>

#include "common/status.h"

namespace vdb {

enum class LogLevel : uint8_t { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Sends log lines to `path` (appending; created if missing). Empty path = stderr.
Status SetLogFile(const std::string& path);
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Parses "debug" | "info" | "warning" | "error".
bool ParseLogLevel(const std::string& text, LogLevel* level);

namespace internal {
class LogMessage {
 public:
  LogMessage(LogLevel level, const char* file, int line);
  ~LogMessage();
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;
  std::ostream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};
}  // namespace internal

}  // namespace vdb

#define VDB_LOG_LEVEL_DEBUG ::vdb::LogLevel::kDebug
#define VDB_LOG_LEVEL_INFO ::vdb::LogLevel::kInfo
#define VDB_LOG_LEVEL_WARNING ::vdb::LogLevel::kWarning
#define VDB_LOG_LEVEL_ERROR ::vdb::LogLevel::kError

#define VDB_LOG(level)                                \
  if (VDB_LOG_LEVEL_##level < ::vdb::GetLogLevel()) { \
  } else                                              \
    ::vdb::internal::LogMessage(VDB_LOG_LEVEL_##level, __FILE__, __LINE__).stream()
