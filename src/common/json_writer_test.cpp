#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <climits>
#include <random>

namespace atelier {
namespace {

namespace json = boost::json;

std::string Written(const std::function<void(JsonWriter&)>& fn) {
  std::string out;
  JsonWriter w(out);
  fn(w);
  return out;
}

std::string SerializedString(std::string_view s) { return json::serialize(json::value(json::string(s))); }

// Writes a boost::json value with the writer (no doubles: the writer has none).
void WriteValue(JsonWriter& w, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      w.Null();
      break;
    case json::kind::bool_:
      w.Bool(v.get_bool());
      break;
    case json::kind::int64:
      w.Int(v.get_int64());
      break;
    case json::kind::string:
      w.String(v.get_string());
      break;
    case json::kind::array:
      w.BeginArray();
      for (const auto& e : v.get_array()) WriteValue(w, e);
      w.EndArray();
      break;
    case json::kind::object:
      w.BeginObject();
      for (const auto& [k, e] : v.get_object()) {
        w.Key(k);
        WriteValue(w, e);
      }
      w.EndObject();
      break;
    default:
      FAIL() << "unexpected kind";
  }
}

// Random bytes, all 256 values, biased towards the ones that need care.
std::string RandomBytes(std::mt19937_64& rng, size_t max_len) {
  static const unsigned char kSpecial[] = {'"',  '\\', '/',  0,    '\b', '\t', '\n', '\f', '\r', 0x1f, 0x7f, 0x80,
                                           0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 'u',  'a'};
  std::string s(rng() % (max_len + 1), '\0');
  for (char& c : s)
    c = static_cast<char>(rng() % 3 == 0 ? kSpecial[rng() % sizeof kSpecial] : static_cast<unsigned char>(rng()));
  return s;
}

// Random valid UTF-8: ASCII (controls included) and code points of 2, 3 and 4 bytes.
std::string RandomUtf8(std::mt19937_64& rng, size_t max_chars) {
  std::string s;
  size_t n = rng() % (max_chars + 1);
  for (size_t i = 0; i < n; ++i) {
    std::uint32_t cp;
    switch (rng() % 4) {
      case 0:
        cp = static_cast<std::uint32_t>(rng() % 0x80);
        break;
      case 1:
        cp = 0x80 + static_cast<std::uint32_t>(rng() % (0x800 - 0x80));
        break;
      case 2:
        do cp = 0x800 + static_cast<std::uint32_t>(rng() % (0x10000 - 0x800));
        while (cp >= 0xD800 && cp <= 0xDFFF);
        break;
      default:
        cp = 0x10000 + static_cast<std::uint32_t>(rng() % (0x110000 - 0x10000));
    }
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return s;
}

// small_ints: integers of at most 18 digits (what IsCanonicalJsonObject accepts).
json::value RandomValue(std::mt19937_64& rng, int depth, bool small_ints = false) {
  switch (rng() % (depth > 3 ? 5 : 7)) {
    case 0:
      return nullptr;
    case 1:
      return rng() % 2 == 0;
    case 2: {
      static const std::int64_t kEdges[] = {0, -1, 1, INT64_MIN, INT64_MAX, 999999999999999999, -999999999999999999};
      std::int64_t v = rng() % 3 == 0 ? kEdges[rng() % 7] : static_cast<std::int64_t>(rng()) >> (rng() % 64);
      return small_ints ? v % 1000000000000000000 : v;
    }
    case 3:
      return json::string(RandomUtf8(rng, 8));
    case 4:
      return json::string(RandomBytes(rng, 8));
    case 5: {
      json::array a;
      for (size_t i = rng() % 4; i > 0; --i) a.push_back(RandomValue(rng, depth + 1, small_ints));
      return a;
    }
    default: {
      json::object o;
      for (size_t i = rng() % 5; i > 0; --i) o[RandomUtf8(rng, 4)] = RandomValue(rng, depth + 1, small_ints);
      return o;
    }
  }
}

TEST(JsonWriter, PlacesCommasAndNests) {
  auto out = Written([](JsonWriter& w) {
    w.BeginObject();
    w.Key("a").Int(1);
    w.Key("b").BeginArray().Bool(true).Bool(false).Null().String("x").BeginObject().EndObject().EndArray();
    w.Key("c").BeginObject().Key("d").BeginArray().EndArray().EndObject();
    w.Key("e").Raw(R"({"r":[1,2]})");
    w.Key("f").StringParts({"/api/", "7", "?v=", "ab\"c"});
    w.EndObject();
  });
  EXPECT_EQ(out, R"({"a":1,"b":[true,false,null,"x",{}],"c":{"d":[]},"e":{"r":[1,2]},"f":"/api/7?v=ab\"c"})");
  EXPECT_EQ(Written([](JsonWriter& w) { w.BeginArray().Raw("1").Raw("{}").Int(-3).EndArray(); }), "[1,{},-3]");
  EXPECT_EQ(Written([](JsonWriter& w) { w.BeginArray().BeginArray().EndArray().BeginArray().EndArray().EndArray(); }),
            "[[],[]]");
}

TEST(JsonWriter, ResumedObjectsTakeMoreMembers) {
  // A head written by one writer and resumed by another gives the bytes of one writer.
  std::string head;
  JsonWriter(head).BeginObject().Key("id").String("7").Key("t").String("a\"b");
  std::string empty_head;
  JsonWriter(empty_head).BeginObject();
  auto out = Written([&](JsonWriter& w) {
    w.BeginArray();
    w.ResumeObject(head).Key("n").Null().EndObject();
    w.ResumeObject(head).EndObject();
    w.ResumeObject(empty_head).Key("x").Int(1).EndObject();
    w.ResumeObject(empty_head).EndObject();
    w.ResumeObject(head).Members(R"("m":1,"n":[])").Key("o").Null().EndObject();
    w.BeginObject().Members(R"("m":1)").EndObject();
    w.EndArray();
  });
  EXPECT_EQ(
      out,
      R"([{"id":"7","t":"a\"b","n":null},{"id":"7","t":"a\"b"},{"x":1},{},{"id":"7","t":"a\"b","m":1,"n":[],"o":null},{"m":1}])");
}

TEST(JsonWriter, CompiledNamesWriteWhatKeyWrites) {
  static constexpr JsonName kA("a"), kLong("a_longer_name_of_32_characters__"), kUtf8("caf\u00e9");
  auto with_names = Written([](JsonWriter& w) {
    w.BeginObject().Key(kA).Int(1).Key(kLong).BeginObject().Key(kUtf8).Null().EndObject().Key(kA).EndObject();
  });
  // (the last member has no value: the writer leaves the structure to its caller)
  auto with_keys = Written([](JsonWriter& w) {
    w.BeginObject()
        .Key("a")
        .Int(1)
        .Key("a_longer_name_of_32_characters__")
        .BeginObject()
        .Key("caf\u00e9")
        .Null()
        .EndObject()
        .Key("a")
        .EndObject();
  });
  EXPECT_EQ(with_names, with_keys);
  EXPECT_EQ(with_names, "{\"a\":1,\"a_longer_name_of_32_characters__\":{\"caf\u00e9\":null},\"a\":}");
}

TEST(JsonWriter, AppendsToWhatIsThere) {
  std::string out = "data: ";
  JsonWriter w(out);
  w.BeginObject().Key("k").Null().EndObject();
  EXPECT_EQ(out, R"(data: {"k":null})");
}

TEST(JsonWriter, IntegersAsBoostWritesThem) {
  for (std::int64_t v :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{7}, std::int64_t{1} << 53, INT64_MIN, INT64_MAX}) {
    EXPECT_EQ(Written([v](JsonWriter& w) { w.Int(v); }), json::serialize(json::value(v)));
  }
}

TEST(JsonWriter, EveryByteEscapedAsBoostDoes) {
  for (int c = 0; c < 256; ++c) {
    std::string s(1, static_cast<char>(c));
    EXPECT_EQ(Written([&](JsonWriter& w) { w.String(s); }), SerializedString(s)) << "byte " << c;
    EXPECT_EQ(Written([&](JsonWriter& w) { w.BeginObject().Key(s).Null().EndObject(); }),
              json::serialize(json::object{{s, nullptr}}))
        << "byte " << c;
  }
  EXPECT_EQ(Written([](JsonWriter& w) { w.String(std::string_view("q\"b\\s/\x01\x1f\x7f\n\t\r\b\f\0", 15)); }),
            R"("q\"b\\s/\u0001\u001f)"
            "\x7f"
            R"(\n\t\r\b\f\u0000")");
}

// Invalid UTF-8 goes out unchanged, as boost::json::serialize sends it today.
TEST(JsonWriter, RandomBytesMatchBoostSerialize) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 100000; ++i) {
    std::string s = RandomBytes(rng, 40);
    ASSERT_EQ(Written([&](JsonWriter& w) { w.String(s); }), SerializedString(s));
    std::string a = s.substr(0, s.size() / 2), b = s.substr(s.size() / 2);
    ASSERT_EQ(Written([&](JsonWriter& w) { w.StringParts({a, b}); }), SerializedString(s));
  }
}

TEST(JsonWriter, RandomUtf8ParsesBackToTheSameString) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    std::string s = RandomUtf8(rng, 20);
    std::string text = Written([&](JsonWriter& w) { w.BeginArray().String(s).EndArray(); });
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    ASSERT_FALSE(ec) << text;
    ASSERT_EQ(v.as_array().at(0).as_string(), s);
  }
}

TEST(JsonWriter, RandomDocumentsMatchBoostSerialize) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20000; ++i) {
    json::value v = RandomValue(rng, 0);
    std::string out;
    JsonWriter w(out);
    WriteValue(w, v);
    ASSERT_EQ(out, json::serialize(v));
  }
}

TEST(CanonicalJsonObject, AcceptsWhatBoostWrites) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20000; ++i) {
    json::object o;
    for (size_t k = rng() % 6; k > 0; --k) o[RandomUtf8(rng, 6)] = RandomValue(rng, 1, true);
    std::string text = json::serialize(o);
    // Random byte strings may hold invalid UTF-8, which parse would refuse.
    boost::system::error_code ec;
    json::parse(text, ec);
    EXPECT_EQ(IsCanonicalJsonObject(text), !ec) << text;
  }
  EXPECT_TRUE(IsCanonicalJsonObject("{}"));
  EXPECT_TRUE(IsCanonicalJsonObject(R"({"a":"\u0000\u001f\n","b":[-5,0,true,null,{}],"c":{"d":[[]]}})"));
  EXPECT_TRUE(IsCanonicalJsonObject(R"({"groupId":"2","eventId":"14","voteCount":3,"rank":1})"));
}

TEST(CanonicalJsonObject, RefusesWhatBoostWouldRewriteOrReject) {
  for (const char* text : {"",
                           "{",
                           "}",
                           "[]",
                           "\"x\"",
                           "1",
                           "null",
                           " {}",
                           "{} ",
                           "{ }",
                           R"({"a": 1})",
                           R"({"a":1 })",
                           R"({"a":1,})",
                           R"({,"a":1})",
                           R"({"a"})",
                           R"({"a":})",
                           R"({a:1})",
                           R"({"a":01})",
                           R"({"a":-0})",
                           R"({"a":-})",
                           R"({"a":1.5})",
                           R"({"a":1e3})",
                           R"({"a":1234567890123456789})",
                           R"({"a":tru})",
                           R"({"a":True})",
                           R"({"a":"\/"})",
                           R"({"a":"\u0041"})",
                           R"({"a":"\u001F"})",
                           R"({"a":"\u000a"})",
                           R"({"a":"\u00e9"})",
                           R"({"a":"\ud83d\ude00"})",
                           R"({"a":"\x"})",
                           R"({"a":"x)",
                           R"({"a":"x\)",
                           R"({"a":1,"a":2})",
                           R"({"a":{"b":1,"b":1}})",
                           R"({"a":[1 ]})",
                           R"({"a":[1,]})",
                           R"({"a":1}{})",
                           R"({"a":1}x)"}) {
    EXPECT_FALSE(IsCanonicalJsonObject(text)) << text;
  }
  EXPECT_FALSE(IsCanonicalJsonObject(std::string_view("{\"a\":\"\n\"}")));     // raw control character
  EXPECT_FALSE(IsCanonicalJsonObject(std::string_view("{\"a\":\"\0\"}", 7)));  // raw NUL
  EXPECT_FALSE(IsCanonicalJsonObject("{\"a\":\"\xc3\"}"));                     // truncated sequence
  EXPECT_FALSE(IsCanonicalJsonObject("{\"a\":\"\xc0\xaf\"}"));                 // overlong
  EXPECT_FALSE(IsCanonicalJsonObject("{\"a\":\"\xed\xa0\x80\"}"));             // surrogate
  EXPECT_FALSE(IsCanonicalJsonObject("{\"a\":\"\xf4\x90\x80\x80\"}"));         // above U+10FFFF
  EXPECT_TRUE(IsCanonicalJsonObject("{\"a\":\"\xc3\xa9\xe2\x80\x9c\xf0\x9f\x98\x80\x7f\"}"));
  std::string deep(16, '[');
  EXPECT_TRUE(IsCanonicalJsonObject("{\"a\":" + deep.substr(1) + std::string(15, ']') + "}"));
  EXPECT_FALSE(IsCanonicalJsonObject("{\"a\":" + deep + std::string(16, ']') + "}"));
}

// The property splicing relies on: whatever the check accepts, parse + serialize gives
// back unchanged. Mutations of canonical texts explore the edges.
TEST(CanonicalJsonObject, AcceptedTextSurvivesParseAndSerializeUnchanged) {
  std::mt19937_64 rng(5);
  static const char kAlphabet[] = "{}[]\",:\\/ 0129-+.eEtrufalsn\x01\x7f\x80\xc3\xa9\xed\xf4";
  int accepted = 0;
  for (int i = 0; i < 200000; ++i) {
    json::object o;
    for (size_t k = rng() % 4; k > 0; --k) o[RandomUtf8(rng, 3)] = RandomValue(rng, 2);
    std::string text = json::serialize(o);
    for (size_t m = 1 + rng() % 2; m > 0 && !text.empty(); --m) {
      size_t at = rng() % text.size();
      char c = kAlphabet[rng() % (sizeof kAlphabet - 1)];
      switch (rng() % 3) {
        case 0:
          text[at] = c;
          break;
        case 1:
          text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
          break;
        default:
          text.erase(at, 1);
      }
    }
    if (!IsCanonicalJsonObject(text)) continue;
    ++accepted;
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    ASSERT_FALSE(ec) << text;
    ASSERT_TRUE(v.is_object()) << text;
    ASSERT_EQ(json::serialize(v), text);
  }
  EXPECT_GT(accepted, 1000);
}

}  // namespace
}  // namespace atelier
