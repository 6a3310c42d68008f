#include "groups/validate.h"

#include "common/text.h"

namespace atelier::groups {

std::string CheckGroupName(std::string_view raw, Validation& v) {
  std::string name(Trim(raw));
  if (!IsPlainText(name, TextKind::kSingleLine)) {
    v.Add("name", "invalid", "name must be plain text");
    return name;
  }
  size_t len = Utf8Length(name);
  if (len < 3 || len > 64) v.Add("name", "invalid", "name must be 3 to 64 characters");
  return name;
}

void CheckText(std::string_view field, std::string_view text, size_t max, Validation& v) {
  if (!IsPlainText(text, TextKind::kMultiLine)) {
    v.Add(std::string(field), "invalid", "must be plain text");
    return;
  }
  if (Utf8Length(text) > max)
    v.Add(std::string(field), "invalid", "must be at most " + std::to_string(max) + " characters");
}

std::string CheckEmail(std::string_view raw, Validation& v) {
  std::string email = NormalizeEmail(raw);
  if (!IsValidEmail(email)) v.Add("email", "invalid", "must be an email address");
  return email;
}

std::int64_t CheckExpiresInHours(std::optional<std::int64_t> hours, Validation& v) {
  if (!hours) return kDefaultInvitationHours;
  if (*hours < 1 || *hours > 720) v.Add("expiresInHours", "invalid", "must be from 1 to 720");
  return *hours;
}

}  // namespace atelier::groups
