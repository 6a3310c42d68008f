#include "groups/validate.h"

#include "common/text.h"

namespace atelier::groups {

namespace {
bool HasControl(std::string_view s, bool allow_newlines) {
  for (unsigned char c : s) {
    if (c == 0x7f) return true;
    if (c < 0x20 && !(allow_newlines && (c == '\n' || c == '\t' || c == '\r'))) return true;
  }
  return false;
}
}  // namespace

std::string CheckGroupName(std::string_view raw, Validation& v) {
  std::string name(Trim(raw));
  if (!IsValidUtf8(name) || HasControl(name, false)) {
    v.Add("name", "invalid", "name must be plain text");
    return name;
  }
  size_t len = Utf8Length(name);
  if (len < 3 || len > 64) v.Add("name", "invalid", "name must be 3 to 64 characters");
  return name;
}

void CheckText(std::string_view field, std::string_view text, size_t max, Validation& v) {
  if (!IsValidUtf8(text) || HasControl(text, true)) {
    v.Add(std::string(field), "invalid", "must be plain text");
    return;
  }
  if (Utf8Length(text) > max)
    v.Add(std::string(field), "invalid", "must be at most " + std::to_string(max) + " characters");
}

std::string CheckEmail(std::string_view raw, Validation& v) {
  std::string email = AsciiLower(Trim(raw));
  size_t at = email.find('@');
  bool ok = !email.empty() && email.size() <= 254 && at != std::string::npos && at > 0 && at + 1 < email.size() &&
            email.find('@', at + 1) == std::string::npos && IsValidUtf8(email) && !HasControl(email, false) &&
            email.find(' ') == std::string::npos && email.find('.', at) != std::string::npos;
  if (!ok) v.Add("email", "invalid", "must be an email address");
  return email;
}

std::int64_t CheckExpiresInHours(std::optional<std::int64_t> hours, Validation& v) {
  if (!hours) return kDefaultInvitationHours;
  if (*hours < 1 || *hours > 720) v.Add("expiresInHours", "invalid", "must be from 1 to 720");
  return *hours;
}

}  // namespace atelier::groups
