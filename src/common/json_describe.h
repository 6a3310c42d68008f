#pragma once
// One description per API resource. A resource is a plain struct whose members are named
// as the JSON members are (camelCase), described once with BOOST_DESCRIBE_STRUCT (or
// BOOST_DESCRIBE_CLASS inside a template); WriteJson writes it, members in declaration
// order, with JsonWriter. Every answer of that resource, fast paths included, goes through
// this one description, so a member added to the struct appears everywhere at once.
//
// Member types and what they become:
//   std::string, std::string_view, const char*  string
//   bool                                        true / false
//   integers (not bool, not char)                number
//   Id                                          decimal string (ids are strings outside)
//   Time                                        RFC 3339 UTC text (common/clock.h FormatTime)
//   RawJson                                     its text as it is (one JSON value, vouched for)
//   std::optional<T>                            null when empty, else T
//   std::vector<T>                              array of T
//   a described struct                          object
//   anything with an ADL WriteJsonValue(JsonWriter&, const T&)   what that writes
//     (enums name their values this way: a function next to the enum writes the string)
// A type matching none of these does not compile.
//
// Not thread-safe beyond JsonWriter's own rules; allocates nothing but the output string.
#include <boost/describe/class.hpp>
#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>
#include <charconv>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/clock.h"
#include "common/json_writer.h"

namespace atelier {

// An id: an integer inside, a decimal string outside.
struct Id {
  std::int64_t value = 0;
  friend bool operator==(const Id&, const Id&) = default;
};

// An instant, written as FormatTime writes it.
struct Time {
  Millis value = 0;
  friend bool operator==(const Time&, const Time&) = default;
};

// Text that is already exactly one JSON value (for instance stored JSON that
// IsCanonicalJsonObject accepted). The writer copies it unchecked.
struct RawJson {
  std::string text;
};

// A page of a list: {"items":[…],"nextCursor":…}, nextCursor null on the last page.
template <typename T>
struct PageOfItems {
  std::vector<T> items;
  std::optional<std::string> nextCursor;
  BOOST_DESCRIBE_CLASS(PageOfItems, (), (items, nextCursor), (), ())
};

namespace json_describe_detail {

template <typename T>
inline constexpr bool kIsOptional = false;
template <typename T>
inline constexpr bool kIsOptional<std::optional<T>> = true;

template <typename T>
inline constexpr bool kIsVector = false;
template <typename T, typename A>
inline constexpr bool kIsVector<std::vector<T, A>> = true;

template <typename T>
concept HasCustomWriter = requires(JsonWriter& w, const T& v) {
  WriteJsonValue(w, v);
};

template <typename T>
concept Described = boost::describe::has_describe_members<T>::value;

}  // namespace json_describe_detail

template <typename T>
requires json_describe_detail::Described<T>
void WriteJsonMembers(JsonWriter& w, const T& v);

template <typename T>
void WriteJson(JsonWriter& w, const T& v) {
  namespace d = json_describe_detail;
  if constexpr (d::HasCustomWriter<T>) {
    WriteJsonValue(w, v);
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view> ||
                       std::is_same_v<T, const char*>) {
    w.String(v);
  } else if constexpr (std::is_same_v<T, bool>) {
    w.Bool(v);
  } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, char>) {
    w.Int(static_cast<std::int64_t>(v));
  } else if constexpr (std::is_same_v<T, Id>) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.value);
    (void)ec;  // 24 bytes hold every int64
    w.String(std::string_view(buf, static_cast<std::size_t>(end - buf)));
  } else if constexpr (std::is_same_v<T, Time>) {
    char buf[kMaxTimeText];
    w.String(FormatTimeTo(v.value, buf));
  } else if constexpr (std::is_same_v<T, RawJson>) {
    w.Raw(v.text);
  } else if constexpr (d::kIsOptional<T>) {
    if (v)
      WriteJson(w, *v);
    else
      w.Null();
  } else if constexpr (d::kIsVector<T>) {
    w.BeginArray();
    for (const auto& item : v) WriteJson(w, item);
    w.EndArray();
  } else if constexpr (d::Described<T>) {
    w.BeginObject();
    WriteJsonMembers(w, v);
    w.EndObject();
  } else {
    static_assert(sizeof(T) == 0, "WriteJson: this type has no JSON description");
  }
}

// The members of a described struct into an object the caller has begun (and ends), for
// writers that add members of their own around them.
template <typename T>
requires json_describe_detail::Described<T>
void WriteJsonMembers(JsonWriter& w, const T& v) {
  using Members = boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>;
  boost::mp11::mp_for_each<Members>([&](auto member) {
    w.Key(member.name);
    WriteJson(w, v.*member.pointer);
  });
}

// The whole value as JSON text.
template <typename T>
std::string ToJsonText(const T& v) {
  std::string out;
  out.reserve(256);
  JsonWriter w(out);
  WriteJson(w, v);
  return out;
}

}  // namespace atelier
