#include "http/multipart.h"

#include <utility>

namespace atelier::http {
namespace {

constexpr std::string_view kCrlf = "\r\n";

bool IsOws(char c) { return c == ' ' || c == '\t'; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (Lower(a[i]) != Lower(b[i])) return false;
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

// RFC 9110 tchar.
bool IsTokenChar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Any byte allowed in a header value: no controls except HTAB (obs-text is allowed, since
// browsers send UTF-8 filenames raw).
bool IsValueChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7f);
}

using Params = std::vector<std::pair<std::string, std::string>>;

// Parses `*( OWS ";" OWS name "=" ( token / quoted-string ) ) OWS` (a trailing ";" is
// tolerated). Parameter names are lowercased; a repeated name is an error, because two
// readers could disagree on which one counts.
std::optional<Params> ParseParams(std::string_view s) {
  Params out;
  size_t i = 0;
  const size_t n = s.size();
  while (true) {
    while (i < n && IsOws(s[i])) ++i;
    if (i == n) return out;
    if (s[i] != ';') return std::nullopt;
    ++i;
    while (i < n && IsOws(s[i])) ++i;
    if (i == n) return out;
    const size_t name_start = i;
    while (i < n && IsTokenChar(s[i])) ++i;
    if (i == name_start) return std::nullopt;
    std::string name = ToLower(s.substr(name_start, i - name_start));
    while (i < n && IsOws(s[i])) ++i;
    if (i == n || s[i] != '=') return std::nullopt;
    ++i;
    while (i < n && IsOws(s[i])) ++i;
    std::string value;
    if (i < n && s[i] == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        char c = s[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\') {
          if (i == n) return std::nullopt;
          c = s[i++];
        }
        if (!IsValueChar(c)) return std::nullopt;
        value.push_back(c);
      }
      if (!closed) return std::nullopt;
    } else {
      const size_t value_start = i;
      while (i < n && IsTokenChar(s[i])) ++i;
      if (i == value_start) return std::nullopt;
      value.assign(s.substr(value_start, i - value_start));
    }
    for (const auto& [existing, unused] : out)
      if (existing == name) return std::nullopt;
    out.emplace_back(std::move(name), std::move(value));
  }
}

const std::string* FindParam(const Params& params, std::string_view name) {
  for (const auto& [key, value] : params)
    if (key == name) return &value;
  return nullptr;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 5987 ext-value: charset "'" [language] "'" pct-encoded value. The result is UTF-8.
std::optional<std::string> DecodeExtValue(std::string_view v) {
  const size_t q1 = v.find('\'');
  if (q1 == std::string_view::npos) return std::nullopt;
  const size_t q2 = v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return std::nullopt;
  const std::string_view charset = v.substr(0, q1);
  const bool utf8 = EqualsIgnoreCase(charset, "utf-8");
  if (!utf8 && !EqualsIgnoreCase(charset, "iso-8859-1")) return std::nullopt;
  std::string out;
  for (size_t i = q2 + 1; i < v.size(); ++i) {
    unsigned char byte = static_cast<unsigned char>(v[i]);
    if (byte == '%') {
      if (i + 2 >= v.size()) return std::nullopt;
      const int hi = HexValue(v[i + 1]);
      const int lo = HexValue(v[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      byte = static_cast<unsigned char>(hi * 16 + lo);
      i += 2;
    }
    if (utf8 || byte < 0x80) {
      out.push_back(static_cast<char>(byte));
    } else {  // ISO-8859-1 code points are the first 256 of Unicode.
      out.push_back(static_cast<char>(0xc0 | (byte >> 6)));
      out.push_back(static_cast<char>(0x80 | (byte & 0x3f)));
    }
  }
  return out;
}

bool ValidBoundary(std::string_view b) {
  if (b.empty() || b.size() > 70 || b.back() == ' ') return false;
  for (char c : b) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) return false;  // in particular no CR: see the linear-time note
  }
  return true;
}

// True when a "--boundary" ending at `j` is a real delimiter line: followed by "--" (the
// close delimiter) or by transport padding and CRLF.
bool EndsDelimiterLine(std::string_view body, size_t j) {
  if (body.substr(j, 2) == "--") return true;
  while (j < body.size() && IsOws(body[j])) ++j;
  return body.substr(j, 2) == kCrlf;
}

// Finds the next real delimiter "CRLF--boundary" at or after `from` and returns the position
// of its CR, or npos. A look-alike ("--boundaryX") is data, and the search goes on after it.
size_t FindDelimiter(std::string_view body, std::string_view crlf_delim, size_t from) {
  while (true) {
    const size_t at = body.find(crlf_delim, from);
    if (at == std::string_view::npos || EndsDelimiterLine(body, at + crlf_delim.size())) return at;
    from = at + 1;
  }
}

// Parses the header block starting at `pos` (just after a delimiter line) up to and
// including its empty line; fills `part` and advances `pos` to the first data byte.
bool ParseHeaders(std::string_view body, size_t& pos, Part& part) {
  const std::string_view window = body.substr(pos, kMaxPartHeaderBytes + kCrlf.size());
  bool have_disposition = false;
  bool have_type = false;
  size_t i = 0;
  while (true) {
    const size_t eol = window.find(kCrlf, i);
    if (eol == std::string_view::npos) return false;  // truncated, or a header block too large
    if (eol == i) {                                   // the empty line
      pos += eol + kCrlf.size();
      break;
    }
    if (eol + kCrlf.size() > kMaxPartHeaderBytes) return false;
    const std::string_view line = window.substr(i, eol - i);
    i = eol + kCrlf.size();
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;  // also rejects folded lines
    const std::string_view name = line.substr(0, colon);
    for (char c : name)
      if (!IsTokenChar(c)) return false;
    const std::string_view value = TrimOws(line.substr(colon + 1));
    for (char c : value)
      if (!IsValueChar(c)) return false;  // bare CR or LF, NUL …

    if (EqualsIgnoreCase(name, "content-disposition")) {
      if (have_disposition) return false;
      have_disposition = true;
      size_t type_end = 0;
      while (type_end < value.size() && IsTokenChar(value[type_end])) ++type_end;
      if (!EqualsIgnoreCase(value.substr(0, type_end), "form-data")) return false;
      const auto params = ParseParams(value.substr(type_end));
      if (!params) return false;
      const std::string* field = FindParam(*params, "name");
      if (field == nullptr) return false;
      part.name = *field;
      if (const std::string* ext = FindParam(*params, "filename*")) {
        auto decoded = DecodeExtValue(*ext);
        if (!decoded) return false;
        part.filename = std::move(*decoded);
      } else if (const std::string* plain = FindParam(*params, "filename")) {
        part.filename = *plain;
      }
    } else if (EqualsIgnoreCase(name, "content-type")) {
      if (have_type || value.empty()) return false;  // a media type is required when the header is sent
      have_type = true;
      part.content_type = std::string(value);
    }
  }
  if (!have_disposition) return false;
  if (!have_type) part.content_type = "text/plain";
  return true;
}

}  // namespace

std::optional<std::string> MultipartBoundary(std::string_view content_type) {
  const size_t semicolon = content_type.find(';');
  const std::string_view media = TrimOws(content_type.substr(0, semicolon));
  if (!EqualsIgnoreCase(media, "multipart/form-data") || semicolon == std::string_view::npos) return std::nullopt;
  const auto params = ParseParams(content_type.substr(semicolon));
  if (!params) return std::nullopt;
  const std::string* boundary = FindParam(*params, "boundary");
  if (boundary == nullptr || !ValidBoundary(*boundary)) return std::nullopt;
  return *boundary;
}

std::optional<std::vector<Part>> ParseMultipart(std::string_view body, std::string_view boundary) {
  if (!ValidBoundary(boundary)) return std::nullopt;
  std::string crlf_delim = "\r\n--";
  crlf_delim.append(boundary);
  const std::string_view delim = std::string_view(crlf_delim).substr(kCrlf.size());

  // `pos` always points at a "--boundary" whose line is a real delimiter line.
  size_t pos = 0;
  if (!body.starts_with(delim) || !EndsDelimiterLine(body, delim.size())) {
    const size_t at = FindDelimiter(body, crlf_delim, 0);  // after a preamble
    if (at == std::string_view::npos) return std::nullopt;
    pos = at + kCrlf.size();
  }

  std::vector<Part> parts;
  while (true) {
    pos += delim.size();
    if (body.substr(pos, 2) == "--") return parts;  // close delimiter; the rest is epilogue
    while (pos < body.size() && IsOws(body[pos])) ++pos;
    if (body.substr(pos, 2) != kCrlf) return std::nullopt;
    pos += kCrlf.size();

    if (parts.size() == kMaxMultipartParts) return std::nullopt;
    Part part;
    if (!ParseHeaders(body, pos, part)) return std::nullopt;
    // The CRLF before the next delimiter belongs to the delimiter, not to the data.
    const size_t at = FindDelimiter(body, crlf_delim, pos);
    if (at == std::string_view::npos) return std::nullopt;
    part.data = body.substr(pos, at - pos);
    parts.push_back(std::move(part));
    pos = at + kCrlf.size();
  }
}

}  // namespace atelier::http
