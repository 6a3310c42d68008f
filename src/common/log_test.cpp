#include "common/log.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace atelier {
namespace {

namespace json = boost::json;

// 2026-12-05T08:00:00Z
constexpr Millis kT = 1796457600000;

json::object Parsed(const std::string& line) {
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  return json::parse(line).as_object();
}

TEST(LogLine, HasTimeLevelMessageAndFieldsInOrder) {
  const std::string line = log::FormatLine(kT + 123, log::Level::kError, "request failed",
                                           {{"request_id", "r-1"}, {"status", 500}, {"ms", 1.5}, {"retry", false}});
  EXPECT_EQ(line, R"({"time":"2026-12-05T08:00:00.123Z","level":"error","msg":"request failed","request_id":"r-1",)"
                  R"("status":500,"ms":1.500,"retry":false})");
}

TEST(LogLine, AlwaysHasMilliseconds) {
  EXPECT_EQ(Parsed(log::FormatLine(kT, log::Level::kInfo, "x")).at("time"), "2026-12-05T08:00:00.000Z");
  EXPECT_EQ(Parsed(log::FormatLine(kT + 7, log::Level::kInfo, "x")).at("time"), "2026-12-05T08:00:00.007Z");
}

TEST(LogLine, LevelNames) {
  const std::vector<std::pair<log::Level, std::string>> levels = {{log::Level::kDebug, "debug"},
                                                                  {log::Level::kInfo, "info"},
                                                                  {log::Level::kWarn, "warn"},
                                                                  {log::Level::kError, "error"},
                                                                  {log::Level::kFatal, "fatal"}};
  for (const auto& [level, name] : levels)
    EXPECT_EQ(Parsed(log::FormatLine(kT, level, "m")).at("level").as_string(), name);
}

TEST(LogLine, EscapesQuotesBackslashesNewlinesAndControlCharacters) {
  std::string nasty = "say \"hi\"\\ then\nnew line\r\ttab";
  nasty.push_back('\0');
  nasty += "\x01\x1f\x7f end";
  const std::string line = log::FormatLine(kT, log::Level::kWarn, nasty, {{"error", nasty}, {nasty, "key too"}});
  // One line, and the text comes back unchanged.
  auto o = Parsed(line);
  EXPECT_EQ(o.at("msg").as_string(), nasty);
  EXPECT_EQ(o.at("error").as_string(), nasty);
  EXPECT_EQ(o.at(nasty).as_string(), "key too");
  EXPECT_NE(line.find(R"(say \"hi\"\\ then\nnew line\r\ttab\u0000\u0001\u001f)"), std::string::npos) << line;
}

TEST(LogLine, CopiesNonAsciiAsItIs) {
  const std::string text = "Zoë — 日本 🎨";
  const std::string line = log::FormatLine(kT, log::Level::kInfo, text, {{"name", text}});
  EXPECT_NE(line.find("\"msg\":\"" + text + "\""), std::string::npos) << line;
  EXPECT_EQ(Parsed(line).at("name").as_string(), text);
}

TEST(LogLine, NumbersThatAreNotJsonBecomeNull) {
  auto o = Parsed(log::FormatLine(kT, log::Level::kInfo, "m", {{"a", 0.0 / 0.0}, {"b", 1.0 / 0.0}, {"c", -2.25}}));
  EXPECT_TRUE(o.at("a").is_null());
  EXPECT_TRUE(o.at("b").is_null());
  EXPECT_EQ(o.at("c").as_double(), -2.25);
}

TEST(LogLine, IntegersOfEveryWidth) {
  auto o = Parsed(log::FormatLine(kT, log::Level::kInfo, "m",
                                  {{"i", -7}, {"u", 7u}, {"big", INT64_MIN}, {"size", std::size_t{42}}}));
  EXPECT_EQ(o.at("i").as_int64(), -7);
  EXPECT_EQ(o.at("u").as_int64(), 7);
  EXPECT_EQ(o.at("big").as_int64(), INT64_MIN);
  EXPECT_EQ(o.at("size").as_int64(), 42);
}

// The logger itself (spdlog with this formatter), writing to a file: each call is one
// parseable line.
class LoggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::tmpfile();
    ASSERT_NE(file_, nullptr);
    log::Init(file_);
  }
  void TearDown() override {
    log::Init(stdout);
    std::fclose(file_);
  }
  std::vector<json::object> Lines() {
    log::Flush();
    std::rewind(file_);
    std::vector<json::object> out;
    std::string line;
    for (int c; (c = std::fgetc(file_)) != EOF;) {
      if (c != '\n') {
        line.push_back(static_cast<char>(c));
        continue;
      }
      out.push_back(json::parse(line).as_object());
      line.clear();
    }
    EXPECT_TRUE(line.empty()) << "unterminated line: " << line;
    return out;
  }
  std::FILE* file_ = nullptr;
};

TEST_F(LoggerTest, WritesOneJsonObjectPerLine) {
  log::Info("first", {{"component", "test"}});
  log::Error("second\nline", {{"error", "a \"quoted\" what()"}});
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].at("level"), "info");
  EXPECT_EQ(lines[0].at("msg"), "first");
  EXPECT_EQ(lines[0].at("component"), "test");
  EXPECT_EQ(lines[1].at("level"), "error");
  EXPECT_EQ(lines[1].at("msg"), "second\nline");
  EXPECT_EQ(lines[1].at("error"), "a \"quoted\" what()");
  EXPECT_EQ(lines[1].at("time").as_string().size(), 24u);
}

TEST_F(LoggerTest, DebugIsOffByDefault) {
  EXPECT_FALSE(log::Enabled(log::Level::kDebug));
  EXPECT_TRUE(log::Enabled(log::Level::kInfo));
  log::Debug("not written");
  EXPECT_TRUE(Lines().empty());
}

TEST_F(LoggerTest, WriteLimitedLetsOneLineThroughPerIntervalAndCountsTheRest) {
  const auto every = std::chrono::hours(1);
  EXPECT_TRUE(log::WriteLimited("limited-test", every, log::Level::kWarn, "down", {{"attempt", 1}}));
  EXPECT_FALSE(log::WriteLimited("limited-test", every, log::Level::kWarn, "down", {{"attempt", 2}}));
  EXPECT_FALSE(log::WriteLimited("limited-test", every, log::Level::kWarn, "down", {{"attempt", 3}}));
  // Another key has a limit of its own.
  EXPECT_TRUE(log::WriteLimited("limited-other", every, log::Level::kWarn, "other"));
  // With no interval the next line goes through and says how many were held back.
  EXPECT_TRUE(log::WriteLimited("limited-test", std::chrono::seconds(0), log::Level::kWarn, "down", {{"attempt", 4}}));
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].at("attempt"), 1);
  EXPECT_FALSE(lines[0].contains("suppressed"));
  EXPECT_EQ(lines[1].at("msg"), "other");
  EXPECT_EQ(lines[2].at("attempt"), 4);
  EXPECT_EQ(lines[2].at("suppressed"), 2);
}

TEST(LogCurrentError, GivesWhatOfTheExceptionBeingHandled) {
  try {
    throw std::runtime_error("disk on fire");
  } catch (...) {
    EXPECT_EQ(log::CurrentError(), "disk on fire");
  }
  try {
    throw 42;
  } catch (...) {
    EXPECT_EQ(log::CurrentError(), "an exception that is not a std::exception");
  }
}

}  // namespace
}  // namespace atelier
