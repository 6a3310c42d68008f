#include "common/text.h"

#include <charconv>

namespace atelier {

namespace {
// Decodes the code point at s[i] (s valid UTF-8 so far) and advances i; -1 when malformed.
std::int32_t NextCodePoint(std::string_view s, size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  size_t len;
  std::uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return -1;
  }
  if (i + len > s.size()) return -1;
  for (size_t k = 1; k < len; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return -1;
  i += len;
  return static_cast<std::int32_t>(cp);
}
}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();)
    if (NextCodePoint(s, i) < 0) return false;
  return true;
}

bool IsPlainText(std::string_view s, TextKind kind) {
  const bool multi = kind == TextKind::kMultiLine;
  for (size_t i = 0; i < s.size();) {
    const std::int32_t cp = NextCodePoint(s, i);
    if (cp < 0) return false;
    if (cp < 0x20) {
      const bool ok = multi && (cp == '\n' || cp == '\t' || (cp == '\r' && i < s.size() && s[i] == '\n'));
      if (!ok) return false;
    } else if ((cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
               (cp >= 0x2066 && cp <= 0x2069)) {
      return false;
    }
  }
  return true;
}

std::string NormalizeEmail(std::string_view raw) { return AsciiLower(Trim(raw)); }

bool IsValidEmail(std::string_view e) {
  if (e.size() < 3 || e.size() > 254 || !IsPlainText(e, TextKind::kSingleLine)) return false;
  const size_t at = e.find('@');
  if (at == std::string_view::npos || at == 0 || e.find('@', at + 1) != std::string_view::npos) return false;
  const std::string_view domain = e.substr(at + 1);
  if (domain.empty() || domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.')
    return false;
  for (char c : e)
    if (c == ' ' || c == '<' || c == '>' || c == ',' || c == '"' || c == '\\' || c == ';' || c == '(' || c == ')')
      return false;
  return true;
}

size_t Utf8Length(std::string_view s) {
  size_t count = 0;
  for (char ch : s)
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++count;
  return count;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view Trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

std::string CaseFoldKey(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (c == 0xC3 && i + 1 < s.size()) {
      // U+00C0–U+00DE (except U+00D7) fold to U+00E0–U+00FE.
      auto d = static_cast<unsigned char>(s[i + 1]);
      if (d >= 0x80 && d <= 0x9E && d != 0x97) d = static_cast<unsigned char>(d + 0x20);
      out.push_back(static_cast<char>(c));
      out.push_back(static_cast<char>(d));
      ++i;
    } else if ((c == 0xC4 || c == 0xC5) && i + 1 < s.size()) {
      // Latin Extended-A pairs: even code point upper, odd lower (U+0100–U+017F, mostly).
      auto d = static_cast<unsigned char>(s[i + 1]);
      std::uint32_t cp = ((c & 0x1Fu) << 6) | (d & 0x3Fu);
      bool paired = (cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177);
      if (paired && cp % 2 == 0) ++cp;
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      ++i;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::optional<std::int64_t> ParseInt(std::string_view s) {
  std::int64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string Quoted(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 6);
  out.append("\u201c").append(name).append("\u201d");
  return out;
}

}  // namespace atelier
