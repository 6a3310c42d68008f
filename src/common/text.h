#pragma once
// UTF-8 text helpers. docs/product.md §2: text lengths count Unicode characters (code points).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atelier {

bool IsValidUtf8(std::string_view s);
// Code points in s (s must be valid UTF-8).
size_t Utf8Length(std::string_view s);
std::string AsciiLower(std::string_view s);
// Trims ASCII whitespace at both ends.
std::string_view Trim(std::string_view s);
// A case-insensitive key for unique names: ASCII and Latin-1/Latin Extended-A letters
// folded, other characters kept (good enough for "unique ignoring case").
std::string CaseFoldKey(std::string_view s);
// 0–15 for a hexadecimal digit, -1 for anything else (percent-decoding).
int HexDigitValue(char c);
// Parses a decimal int64 that is the whole string; nullopt otherwise.
std::optional<std::int64_t> ParseInt(std::string_view s);

}  // namespace atelier
