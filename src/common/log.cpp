#include "common/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <exception>
#include <memory>
#include <mutex>
#include <vector>

#include "common/json_writer.h"
#include "common/mutex.h"

namespace atelier::log {

namespace {

spdlog::level::level_enum ToSpd(Level level) {
  switch (level) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
    case Level::kFatal:
      return spdlog::level::critical;
  }
  return spdlog::level::info;
}

std::string_view LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "fatal";
    default:
      return "info";
  }
}

// `{"time":"…","level":"…",` — the fixed head of every line.
template <typename Out>
void AppendHead(Out& out, Millis time, std::string_view level) {
  char buf[kMaxTimeText];
  std::string_view t = FormatTimeTo(time, buf);
  // FormatTimeTo leaves out a zero millisecond part; log lines always have it, so that
  // they line up and sort as text.
  std::array<char, kMaxTimeText + 4> full{};
  if (t.size() == 20 && t.back() == 'Z') {
    std::copy(t.begin(), t.end() - 1, full.begin());
    std::copy_n(".000Z", 5, full.begin() + 19);
    t = std::string_view(full.data(), 24);
  }
  static constexpr std::string_view kTime = "{\"time\":\"", kLevel = "\",\"level\":\"", kEnd = "\",";
  out.append(kTime.data(), kTime.data() + kTime.size());
  out.append(t.data(), t.data() + t.size());
  out.append(kLevel.data(), kLevel.data() + kLevel.size());
  out.append(level.data(), level.data() + level.size());
  out.append(kEnd.data(), kEnd.data() + kEnd.size());
}

// `"msg":"…"` and the fields: what Write hands to spdlog as the message.
std::string Payload(std::string_view msg, Fields fields) {
  std::string out;
  out.reserve(64 + msg.size() + 32 * fields.size());
  out += "\"msg\":";
  AppendJsonString(out, msg);
  for (const auto& f : fields) f.AppendTo(out);
  return out;
}

// Wraps the payload into a whole line; spdlog supplies the time and the level.
class JsonLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    AppendHead(dest, ms, LevelName(msg.level));
    dest.append(msg.payload.data(), msg.payload.data() + msg.payload.size());
    dest.push_back('}');
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonLineFormatter>(); }
};

// Writes through stdio's buffer: one write(2) per buffer-full rather than per line (the
// access log is one line per request). The logger flushes it for warn and above, and
// spdlog's flusher once a second.
class FileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit FileSink(std::FILE* out) : out_(out) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), out_);
  }
  void flush_() override { std::fflush(out_); }

 private:
  std::FILE* out_;
};

std::shared_ptr<spdlog::logger> MakeLogger(std::FILE* out) {
  auto sink = std::make_shared<FileSink>(out);
  sink->set_formatter(std::make_unique<JsonLineFormatter>());
  auto logger = std::make_shared<spdlog::logger>("atelier", std::move(sink));
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::warn);
  return logger;
}

// The logger; replaced only by Init(), which runs before other threads log.
std::shared_ptr<spdlog::logger>& Logger() {
  static std::shared_ptr<spdlog::logger> logger = MakeLogger(stdout);
  return logger;
}

void WritePayload(Level level, const std::string& payload) {
  Logger()->log(ToSpd(level), spdlog::string_view_t(payload.data(), payload.size()));
}

struct Limit {
  std::string key;
  std::chrono::steady_clock::time_point last;
  std::int64_t suppressed = 0;
};

}  // namespace

void Field::AppendTo(std::string& out) const {
  out.push_back(',');
  AppendJsonString(out, key_);
  out.push_back(':');
  switch (kind_) {
    case Kind::kString:
      AppendJsonString(out, str_);
      break;
    case Kind::kInt: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, int_);
      out.append(buf, r.ptr);
      break;
    }
    case Kind::kNumber: {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, num_, std::chars_format::fixed, 3);
      // NaN and infinities are not JSON.
      if (r.ec != std::errc() || !(num_ == num_) || num_ - num_ != 0)
        out += "null";
      else
        out.append(buf, r.ptr);
      break;
    }
    case Kind::kBool:
      out += int_ != 0 ? "true" : "false";
      break;
  }
}

void Init(std::FILE* out) {
  auto logger = MakeLogger(out);
  spdlog::drop("atelier");
  spdlog::register_logger(logger);
  Logger() = std::move(logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

void Flush() { Logger()->flush(); }

bool Enabled(Level level) { return Logger()->should_log(ToSpd(level)); }

void Write(Level level, std::string_view msg, Fields fields) {
  if (!Enabled(level)) return;
  WritePayload(level, Payload(msg, fields));
}

bool WriteLimited(std::string_view key, std::chrono::steady_clock::duration every, Level level, std::string_view msg,
                  Fields fields) {
  if (!Enabled(level)) return false;
  static Mutex mu;
  static std::vector<Limit> limits;  // a few keys: one per background component
  std::int64_t suppressed = 0;
  {
    const auto now = std::chrono::steady_clock::now();
    MutexLock lk(mu);
    auto it = std::find_if(limits.begin(), limits.end(), [&](const Limit& l) { return l.key == key; });
    if (it == limits.end()) {
      limits.push_back({std::string(key), now, 0});
    } else if (now - it->last < every) {
      ++it->suppressed;
      return false;
    } else {
      suppressed = it->suppressed;
      it->suppressed = 0;
      it->last = now;
    }
  }
  std::string payload = Payload(msg, fields);
  if (suppressed > 0) Field("suppressed", suppressed).AppendTo(payload);
  WritePayload(level, payload);
  return true;
}

std::string CurrentError() {
  if (!std::current_exception()) return "no exception";
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

std::string FormatLine(Millis time, Level level, std::string_view msg, Fields fields) {
  std::string out;
  AppendHead(out, time, LevelName(ToSpd(level)));
  out += Payload(msg, fields);
  out.push_back('}');
  return out;
}

}  // namespace atelier::log
