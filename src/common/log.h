#pragma once
// The process's one logger (spdlog underneath): JSON lines, one object per line, on
// stdout. Every line has the same first members, then the context of the call:
//
//   {"time":"2026-12-05T08:00:00.123Z","level":"error","msg":"request failed",
//    "request_id":"4711-12","method":"POST","route":"/api/v1/groups","status":500,"error":"..."}
//
// time is RFC 3339 UTC with milliseconds; level is one of debug, info, warn, error,
// fatal. Strings are escaped as common/json_writer escapes them. The format is described
// for operators in docs/operations.md.
//
// Never pass secrets as fields (tokens, passwords, cookies, mail bodies, the SMTP URL).
//
// Thread-safe: any thread may log at any time, also before Init() (the logger is made on
// first use). Lines below warn are buffered and flushed at least once a second; warn and
// above are flushed at once.
#include <chrono>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace atelier::log {

enum class Level { kDebug, kInfo, kWarn, kError, kFatal };

// One context member of a line. Holds a view of string values: they must outlive the
// call, which they do when written inside the call's braces.
class Field {
 public:
  enum class Kind { kString, kInt, kNumber, kBool };

  Field(std::string_view key, std::string_view value) : key_(key), kind_(Kind::kString), str_(value) {}
  Field(std::string_view key, const char* value) : Field(key, std::string_view(value)) {}
  Field(std::string_view key, const std::string& value) : Field(key, std::string_view(value)) {}
  template <std::integral T>
  requires(!std::same_as<T, bool>) Field(std::string_view key, T value)
      : key_(key), kind_(Kind::kInt), int_(static_cast<std::int64_t>(value)) {}
  Field(std::string_view key, bool value) : key_(key), kind_(Kind::kBool), int_(value ? 1 : 0) {}
  // Written with three decimals (durations in milliseconds).
  Field(std::string_view key, double value) : key_(key), kind_(Kind::kNumber), num_(value) {}

  // Appends `,"key":value`.
  void AppendTo(std::string& out) const;

 private:
  std::string_view key_;
  Kind kind_;
  std::string_view str_;
  std::int64_t int_ = 0;
  double num_ = 0;
};

using Fields = std::initializer_list<Field>;

// Makes the logger write to `out` (stdout unless a test says otherwise) and starts the
// once-a-second flush. Call once at start-up, before other threads log; calling again
// replaces the output (tests).
void Init(std::FILE* out = stdout);
// Writes what is buffered (before exit, or after a line someone waits for).
void Flush();

// Cheap: one atomic load. Lets a hot path skip building its fields.
bool Enabled(Level level);

void Write(Level level, std::string_view msg, Fields fields = {});
inline void Debug(std::string_view msg, Fields fields = {}) { Write(Level::kDebug, msg, fields); }
inline void Info(std::string_view msg, Fields fields = {}) { Write(Level::kInfo, msg, fields); }
inline void Warn(std::string_view msg, Fields fields = {}) { Write(Level::kWarn, msg, fields); }
inline void Error(std::string_view msg, Fields fields = {}) { Write(Level::kError, msg, fields); }
inline void Fatal(std::string_view msg, Fields fields = {}) { Write(Level::kFatal, msg, fields); }

// For failures in loops that may repeat quickly (a background thread while the database
// is down): at most one line per `every` for one `key` (e.g. the component's name); the
// next line that is let through carries "suppressed": how many were held back meanwhile.
// Returns whether this one was written.
bool WriteLimited(std::string_view key, std::chrono::steady_clock::duration every, Level level, std::string_view msg,
                  Fields fields = {});
// The interval background loops use with WriteLimited.
inline constexpr std::chrono::seconds kRepeatEvery{10};

// The what() of the exception being handled (call inside a catch block), or a placeholder
// for exceptions that are not std::exception.
std::string CurrentError();

// One whole line without its newline, as the logger writes it (tests, and the formatter).
std::string FormatLine(Millis time, Level level, std::string_view msg, Fields fields = {});

}  // namespace atelier::log
