#pragma once
// A streaming JSON writer for response bodies on hot paths (artwork pages, the
// notification feed): it appends compact JSON text to a std::string without building a
// boost::json::value first — no per-member allocations, nothing to tear down.
//
// What it writes is byte for byte what boost::json::serialize writes for the same values,
// so a body may move from one to the other without a client seeing a difference: strings
// escape '"', '\\' and the control characters (\b \t \n \f \r, else \u00xx in lower-case
// hex); every other byte, UTF-8 or not, is copied as it is (boost::json::serialize does
// not check UTF-8 either).
//
// The caller keeps the structure right (a Key() before each member's value, every End
// matching its Begin); the writer only places the commas. Not thread-safe: one writer per
// string, used by one thread.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace atelier {

// A member name checked and quoted when the program is compiled: the text `"name":`, which
// JsonWriter::Key appends without looking at it. For names written many times per body
// (the per-artwork members of a page). A name that would need escaping does not compile.
class JsonName {
 public:
  template <std::size_t N>
  consteval explicit JsonName(const char (&name)[N]) {
    static_assert(N + 2 <= kMax, "JsonName: name too long");
    text_[0] = '"';
    for (std::size_t i = 0; i + 1 < N; ++i) {
      const char c = name[i];
      if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\') throw "JsonName: this name needs escaping";
      text_[i + 1] = c;
    }
    text_[N] = '"';
    text_[N + 1] = ':';
    size_ = N + 2;
  }
  std::string_view Text() const { return {text_, size_}; }

 private:
  static constexpr std::size_t kMax = 40;
  char text_[kMax]{};
  std::size_t size_ = 0;
};

class JsonWriter {
 public:
  // Appends to `out`, which must outlive the writer.
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // A member's name; the next call writes its value.
  JsonWriter& Key(std::string_view key);
  JsonWriter& Key(const JsonName& name) {
    if (comma_) out_.push_back(',');
    out_.append(name.Text());
    comma_ = false;
    return *this;
  }

  JsonWriter& String(std::string_view s);
  // One string value made of the parts one after the other (no temporary string).
  JsonWriter& StringParts(std::initializer_list<std::string_view> parts);
  JsonWriter& Int(std::int64_t v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // One value that is already JSON text, inserted as it is. The caller vouches that it is
  // exactly one valid JSON value (see IsCanonicalJsonObject).
  JsonWriter& Raw(std::string_view json);
  // Text that opens an object and writes some of its members as this writer would (a
  // cached head such as `{"id":"1","name":"x"`), left open: the next Key() adds a member
  // after a comma, EndObject() closes it.
  JsonWriter& ResumeObject(std::string_view open_object);
  // Members of the open object already written as JSON text (`"a":1,"b":true`), after a
  // comma when the object has members already.
  JsonWriter& Members(std::string_view members);

 private:
  void BeforeValue() {
    if (comma_) out_.push_back(',');
  }

  std::string& out_;
  bool comma_ = false;  // a value was written at this level: the next one needs a ','
};

// Appends s as a JSON string literal, quotes included, escaped as described above.
void AppendJsonString(std::string& out, std::string_view s);

// True when `text` is one JSON object exactly as boost::json::serialize would write it
// back after boost::json::parse: no whitespace, strings escaped as this writer escapes them
// and valid UTF-8, integers of at most 18 digits, no duplicate keys in any object,
// nesting at most 16 deep. Such text may be spliced with Raw() instead of being parsed and
// serialised again, with the same bytes as the result. False for anything else — also for
// some valid JSON (whitespace, fractions, other escapes), which then has to take the slow
// path. Linear in the text's length; allocates nothing.
bool IsCanonicalJsonObject(std::string_view text);

}  // namespace atelier
