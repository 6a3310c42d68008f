#include "common/json_writer.h"

#include <array>
#include <charconv>
#include <cstring>

namespace atelier {

namespace {

// For each byte: 0 when it is copied as it is, 'u' when it becomes \u00xx, else the
// letter that follows the backslash (the table boost::json's serializer uses).
constexpr std::array<char, 256> kEscapes = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 'u';
  t['\b'] = 'b';
  t['\t'] = 't';
  t['\n'] = 'n';
  t['\f'] = 'f';
  t['\r'] = 'r';
  t['"'] = '"';
  t['\\'] = '\\';
  return t;
}();

constexpr char kHex[] = "0123456789abcdef";

// How many bytes from the start of s need no escaping. Eight at a time while none of
// them does (a word test for '"', '\\' and bytes below 0x20), then byte by byte: most
// strings in a page have nothing to escape, and a plain byte loop was most of the cost
// of writing one.
size_t PlainPrefix(std::string_view s) {
  constexpr std::uint64_t kOnes = 0x0101010101010101, kHigh = 0x8080808080808080;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    std::uint64_t quote = w ^ (kOnes * '"'), backslash = w ^ (kOnes * '\\');
    // The usual word tricks: a term has some byte's high bit set if and only if w has a
    // '"', a '\\' or a byte below 0x20 respectively (borrows may mark more bytes, never
    // fewer; the byte loop below finds the exact one).
    std::uint64_t hits = ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | ((w - kOnes * 0x20) & ~w);
    if (hits & kHigh) break;
  }
  while (i < s.size() && kEscapes[static_cast<unsigned char>(s[i])] == 0) ++i;
  return i;
}

void AppendEscapedBody(std::string& out, std::string_view s) {
  for (;;) {
    size_t n = PlainPrefix(s);
    out.append(s.data(), n);
    if (n == s.size()) return;
    unsigned char c = static_cast<unsigned char>(s[n]);
    char e = kEscapes[c];
    if (e != 'u') {
      char pair[2] = {'\\', e};
      out.append(pair, 2);
    } else {
      char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.append(u, 6);
    }
    s.remove_prefix(n + 1);
  }
}

// Recognises the canonical form described at IsCanonicalJsonObject. Every function
// advances p_ past what it accepted; false means "not canonical" (maybe not JSON at all).
class CanonicalScanner {
 public:
  explicit CanonicalScanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool WholeObject() { return p_ != end_ && *p_ == '{' && Object(1) && p_ == end_; }

 private:
  static constexpr int kMaxDepth = 16;
  static constexpr int kMaxKeys = 32;  // per object, for the duplicate check

  bool Value(int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return Object(depth + 1);
      case '[':
        return Array(depth + 1);
      case '"':
        return String();
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return Integer();
    }
  }

  bool Object(int depth) {
    if (depth > kMaxDepth) return false;
    ++p_;  // '{'
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    std::string_view keys[kMaxKeys];
    int n = 0;
    for (;;) {
      const char* key_start = p_;
      if (p_ == end_ || *p_ != '"' || !String()) return false;
      // Canonical strings have one spelling each, so equal text means equal keys.
      std::string_view key(key_start, static_cast<size_t>(p_ - key_start));
      if (n == kMaxKeys) return false;
      for (int i = 0; i < n; ++i)
        if (keys[i] == key) return false;
      keys[n++] = key;
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      if (!Value(depth)) return false;
      if (p_ == end_) return false;
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
    }
  }

  bool Array(int depth) {
    if (depth > kMaxDepth) return false;
    ++p_;  // '['
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      if (!Value(depth)) return false;
      if (p_ == end_) return false;
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      if (*p_ != ',') return false;
      ++p_;
    }
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  // -?(0|[1-9][0-9]*), at most 18 digits so that it is an int64 that prints the same; no
  // "-0" (which boost::json reads as a double).
  bool Integer() {
    bool negative = *p_ == '-';
    if (negative) ++p_;
    const char* digits = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    size_t n = static_cast<size_t>(p_ - digits);
    if (n == 0 || n > 18) return false;
    return *digits != '0' || (n == 1 && !negative);
  }

  static bool Continuation(unsigned char c) { return (c & 0xC0) == 0x80; }
  // Lower-case hex only, as the serializer writes it.
  static int HexValue(char h) { return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1; }

  // One UTF-8 sequence of 2–4 bytes starting at p_ (RFC 3629: no overlong forms, no
  // surrogates, nothing above U+10FFFF) — what boost::json's parser accepts.
  bool Utf8Sequence() {
    auto at = [this](size_t i) { return static_cast<unsigned char>(p_[i]); };
    size_t left = static_cast<size_t>(end_ - p_);
    unsigned char c = at(0);
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (left < len || at(1) < lo || at(1) > hi) return false;
    for (size_t i = 2; i < len; ++i)
      if (!Continuation(at(i))) return false;
    p_ += len;
    return true;
  }

  bool String() {
    ++p_;  // '"'
    while (p_ != end_) {
      unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        if (!Utf8Sequence()) return false;
        continue;
      }
      if (c != '\\') {
        ++p_;
        continue;
      }
      if (end_ - p_ < 2) return false;
      char e = p_[1];
      if (e == 'u') {
        // Only \u00xx for a control character without a short form, lower-case hex.
        if (end_ - p_ < 6 || p_[2] != '0' || p_[3] != '0') return false;
        int hi = HexValue(p_[4]), lo = HexValue(p_[5]);
        if (hi < 0 || hi > 1 || lo < 0) return false;
        if (kEscapes[static_cast<size_t>(hi * 16 + lo)] != 'u') return false;
        p_ += 6;
        continue;
      }
      if (e != '"' && e != '\\' && e != 'b' && e != 't' && e != 'n' && e != 'f' && e != 'r') return false;
      p_ += 2;
    }
    return false;
  }

  const char* p_;
  const char* end_;
};

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  AppendEscapedBody(out, s);
  out.push_back('"');
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_.push_back('}');
  comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_.push_back(']');
  comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  // Member names are short and need no escaping, nearly always: then `,"name":` goes out
  // in one append (a page writes thousands of names).
  char buf[48];
  bool plain = key.size() <= sizeof buf - 4;
  for (size_t i = 0; plain && i < key.size(); ++i) plain = kEscapes[static_cast<unsigned char>(key[i])] == 0;
  if (plain) {
    size_t n = 0;
    if (comma_) buf[n++] = ',';
    buf[n++] = '"';
    std::memcpy(buf + n, key.data(), key.size());
    n += key.size();
    buf[n++] = '"';
    buf[n++] = ':';
    out_.append(buf, n);
  } else {
    BeforeValue();
    AppendJsonString(out_, key);
    out_.push_back(':');
  }
  comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendJsonString(out_, s);
  comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::StringParts(std::initializer_list<std::string_view> parts) {
  BeforeValue();
  out_.push_back('"');
  for (std::string_view part : parts) AppendEscapedBody(out_, part);
  out_.push_back('"');
  comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Int(std::int64_t v) {
  BeforeValue();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;  // 24 bytes hold every int64
  out_.append(buf, end);
  comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Bool(bool v) {
  BeforeValue();
  out_.append(v ? "true" : "false");
  comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
  comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_.append(json);
  comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::ResumeObject(std::string_view open_object) {
  BeforeValue();
  out_.append(open_object);
  comma_ = !open_object.ends_with('{');
  return *this;
}

// Appending members text after a comma is what Raw does for a value.
JsonWriter& JsonWriter::Members(std::string_view members) { return Raw(members); }

bool IsCanonicalJsonObject(std::string_view text) { return CanonicalScanner(text).WholeObject(); }

}  // namespace atelier
