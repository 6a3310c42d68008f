#pragma once
// UTF-8 text helpers. docs/product.md §2: text lengths count Unicode characters (code points).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atelier {

bool IsValidUtf8(std::string_view s);
// A name as messages quote it: “name” (typographic quotes, as in every notification).
std::string Quoted(std::string_view name);
// Text a user may put in a field that is shown to others and written into emails: valid
// UTF-8 without characters that change how surrounding text is laid out or read. Refused
// everywhere: C0 controls (except those below), DEL, C1 controls (U+0080–U+009F), the line
// and paragraph separators U+2028/U+2029, and the bidi embeddings, overrides and isolates
// U+202A–U+202E and U+2066–U+2069 (they reorder the text after them, e.g. a file name or a
// sentence in a mail). The bidi marks U+200E/U+200F/U+061C stay allowed: they only set the
// direction of neutral characters next to them and are needed in mixed-script names.
// kSingleLine (names, titles, usernames, display names) allows no line break or tab;
// kMultiLine (descriptions, bio) also allows \n, \t and \r directly before \n.
enum class TextKind { kSingleLine, kMultiLine };
bool IsPlainText(std::string_view s, TextKind kind);
// Trims and lowercases an email address as it is stored (SPEC §3).
std::string NormalizeEmail(std::string_view raw);
// One rule for every place that takes an address (registration, invitations, resend,
// reset): `local@domain` of at most 254 bytes, one '@', a dot inside the domain, and no
// space, control, quote, comma, angle bracket, backslash, semicolon or parentheses, so
// "Name<a@b.c>" and "a,b@c.d" (which mail software reads as other or several recipients)
// are refused. Expects the normalised form.
bool IsValidEmail(std::string_view email);
// Code points in s (s must be valid UTF-8).
size_t Utf8Length(std::string_view s);
std::string AsciiLower(std::string_view s);
// Trims ASCII whitespace at both ends.
std::string_view Trim(std::string_view s);
// A case-insensitive key for unique names: ASCII and Latin-1/Latin Extended-A letters
// folded, other characters kept (good enough for "unique ignoring case").
std::string CaseFoldKey(std::string_view s);
// Parses a decimal int64 that is the whole string; nullopt otherwise.
std::optional<std::int64_t> ParseInt(std::string_view s);

}  // namespace atelier
