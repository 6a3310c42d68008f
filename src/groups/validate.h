#pragma once
// Pure checks of group and invitation input (docs/product.md §4). Each adds field errors to a
// Validation and returns the normalised value; nothing here touches the database.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace atelier::groups {

inline constexpr std::int64_t kDefaultInvitationHours = 168;
inline constexpr size_t kMaxDescription = 2000;
inline constexpr size_t kMaxPurpose = 2000;

// Trims and checks a group name: 3–64 characters, no control characters.
std::string CheckGroupName(std::string_view raw, Validation& v);
// Checks free text of at most `max` characters (no NUL or other C0 control except \n, \t).
void CheckText(std::string_view field, std::string_view text, size_t max, Validation& v);
// Lowercases and checks an email address (one '@', non-empty parts, no spaces, ≤ 254).
std::string CheckEmail(std::string_view raw, Validation& v);
// expiresInHours: 1–720, default 168.
std::int64_t CheckExpiresInHours(std::optional<std::int64_t> hours, Validation& v);

}  // namespace atelier::groups
