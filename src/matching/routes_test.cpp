#include "matching/routes.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace atelier::matching {
namespace {

std::optional<std::int64_t> Rank(const char* json) { return ReadRank(boost::json::parse(json).as_object()); }

int Status(const char* json) {
  try {
    Rank(json);
    return 200;
  } catch (const ApiError& e) {
    EXPECT_EQ(e.Code(), "validation_failed");
    EXPECT_EQ(e.Fields().at(0).field, "rank");
    return e.Status();
  }
}

TEST(ReadRank, AbsentOrNullIsUnranked) {
  EXPECT_EQ(Rank("{}"), std::nullopt);
  EXPECT_EQ(Rank(R"({"rank":null})"), std::nullopt);
}

TEST(ReadRank, PositiveIntegersUpToInt32) {
  EXPECT_EQ(Rank(R"({"rank":1})"), 1);
  EXPECT_EQ(Rank(R"({"rank":2.0})"), 2);
  EXPECT_EQ(Rank(R"({"rank":2147483647})"), kMaxRank);
}

TEST(ReadRank, AnythingElseIs422) {
  for (const char* bad : {R"({"rank":0})", R"({"rank":-1})", R"({"rank":1.5})", R"({"rank":"1"})", R"({"rank":true})",
                          R"({"rank":2147483648})", R"({"rank":[1]})"})
    EXPECT_EQ(Status(bad), 422) << bad;
}

}  // namespace
}  // namespace atelier::matching
