#include "artworks/upload_form.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace atelier::artworks {
namespace {

http::Part P(std::string name, std::string_view data, std::optional<std::string> filename = std::nullopt) {
  return http::Part{std::move(name), std::move(filename), "text/plain", data};
}

int StatusOf(const std::vector<http::Part>& parts) {
  try {
    ReadUploadForm(parts);
  } catch (const ApiError& e) {
    return e.Status();
  }
  return 0;
}

TEST(UploadForm, PicksTheFieldsAndIgnoresOthers) {
  std::string image = "\x89PNG....";
  auto form = ReadUploadForm({P("title", "Dawn"), P("extra", "x"), P("image", image, "a.png"), P("description", "d")});
  EXPECT_EQ(form.title, "Dawn");
  EXPECT_EQ(form.description, "d");
  EXPECT_EQ(form.image, image);
  auto bare = ReadUploadForm({P("image", image), P("title", "")});
  EXPECT_FALSE(bare.description);
  EXPECT_EQ(bare.title, "");  // validated later (422), not here
}

TEST(UploadForm, MissingOrRepeatedFieldsAreBadRequests) {
  EXPECT_EQ(StatusOf({P("title", "t")}), 400);
  EXPECT_EQ(StatusOf({P("image", "x")}), 400);
  EXPECT_EQ(StatusOf({}), 400);
  EXPECT_EQ(StatusOf({P("title", "t"), P("title", "u"), P("image", "x")}), 400);
  EXPECT_EQ(StatusOf({P("title", "t"), P("image", "x"), P("image", "y")}), 400);
  EXPECT_EQ(StatusOf({P("title", "t"), P("image", "x"), P("description", "a"), P("description", "b")}), 400);
}

TEST(UploadForm, AnImageOver20MiBIs413AndOneAtTheLimitIsNot) {
  std::string at_limit(kMaxImageBytes, 'x');
  EXPECT_EQ(StatusOf({P("title", "t"), P("image", at_limit)}), 0);
  std::string over(kMaxImageBytes + 1, 'x');
  EXPECT_EQ(StatusOf({P("title", "t"), P("image", over)}), 413);
  EXPECT_GT(kMaxUploadBody, kMaxImageBytes);
}

}  // namespace
}  // namespace atelier::artworks
