#include "events/validate.h"

#include "common/text.h"

namespace atelier::events {

std::string CheckLine(std::string_view field, std::string_view raw, size_t max, Validation& v) {
  std::string value(Trim(raw));
  if (!IsPlainText(value, TextKind::kSingleLine)) {
    v.Add(std::string(field), "invalid", "must be plain text on one line");
    return value;
  }
  size_t len = Utf8Length(value);
  if (len < 1 || len > max) v.Add(std::string(field), "invalid", "must be 1 to " + std::to_string(max) + " characters");
  return value;
}

void CheckText(std::string_view field, std::string_view text, size_t max, Validation& v) {
  if (!IsPlainText(text, TextKind::kMultiLine)) {
    v.Add(std::string(field), "invalid", "must be plain text");
    return;
  }
  if (Utf8Length(text) > max)
    v.Add(std::string(field), "invalid", "must be at most " + std::to_string(max) + " characters");
}

void CheckRange(std::string_view field, std::int64_t value, std::int64_t lo, std::int64_t hi, Validation& v) {
  if (value < lo || value > hi)
    v.Add(std::string(field), "invalid", "must be from " + std::to_string(lo) + " to " + std::to_string(hi));
}

}  // namespace atelier::events
