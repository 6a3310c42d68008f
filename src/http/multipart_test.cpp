#include "http/multipart.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

namespace atelier::http {
namespace {

using namespace std::string_literals;

constexpr std::string_view kB = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

std::string Field(std::string_view name, std::string_view value) {
  std::string s = "--" + std::string(kB) + "\r\n";
  s += "Content-Disposition: form-data; name=\"" + std::string(name) + "\"\r\n\r\n";
  s += std::string(value) + "\r\n";
  return s;
}

std::string File(std::string_view name, std::string_view filename, std::string_view type, std::string_view data) {
  std::string s = "--" + std::string(kB) + "\r\n";
  s += "Content-Disposition: form-data; name=\"" + std::string(name) + "\"; filename=\"" + std::string(filename) +
       "\"\r\n";
  s += "Content-Type: " + std::string(type) + "\r\n\r\n";
  s += std::string(data) + "\r\n";
  return s;
}

std::string Close() { return "--" + std::string(kB) + "--\r\n"; }

std::string RawPart(std::string_view headers, std::string_view data) {
  return "--" + std::string(kB) + "\r\n" + std::string(headers) + "\r\n" + std::string(data) + "\r\n";
}

// ---- MultipartBoundary ----

TEST(MultipartBoundary, UnquotedAndQuoted) {
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=abc123"), "abc123");
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"abc 123\""), "abc 123");
  EXPECT_EQ(MultipartBoundary("multipart/form-data;boundary=\"a:b=c\""), "a:b=c");
  EXPECT_EQ(MultipartBoundary("Multipart/Form-Data ; charset=utf-8; BOUNDARY=x-y"), "x-y");
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"q\\\"x\""), "q\"x");
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=" + std::string(70, 'a')), std::string(70, 'a'));
}

TEST(MultipartBoundary, Rejected) {
  EXPECT_EQ(MultipartBoundary(""), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/form-data"), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/form-data; charset=utf-8"), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/mixed; boundary=abc"), std::nullopt);
  EXPECT_EQ(MultipartBoundary("application/json; boundary=abc"), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary="), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"\""), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"abc"), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=" + std::string(71, 'a')), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"a\rb\""), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"ab \""), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=a; boundary=b"), std::nullopt);
}

// ---- ParseMultipart: well-formed bodies ----

TEST(ParseMultipart, NormalForm) {
  const std::string body = Field("title", "Sunset") + Field("description", "Oil on canvas") +
                           File("image", "sunset.png", "image/png", "\x89PNG\r\n\x1a\n\0\0binary"s) + Close();
  const auto parts = ParseMultipart(body, kB);
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].name, "title");
  EXPECT_EQ((*parts)[0].data, "Sunset");
  EXPECT_FALSE((*parts)[0].filename);
  EXPECT_EQ((*parts)[0].content_type, "text/plain");
  EXPECT_EQ((*parts)[1].name, "description");
  EXPECT_EQ((*parts)[1].data, "Oil on canvas");
  EXPECT_EQ((*parts)[2].name, "image");
  EXPECT_EQ((*parts)[2].filename, "sunset.png");
  EXPECT_EQ((*parts)[2].content_type, "image/png");
  EXPECT_EQ((*parts)[2].data, "\x89PNG\r\n\x1a\n\0\0binary"s);
  // No copies: the data views point into the body.
  for (const Part& p : *parts) {
    EXPECT_GE(p.data.data(), body.data());
    EXPECT_LE(p.data.data() + p.data.size(), body.data() + body.size());
  }
}

TEST(ParseMultipart, BoundaryFromQuotedHeader) {
  const auto boundary = MultipartBoundary("multipart/form-data; boundary=\"" + std::string(kB) + "\"");
  ASSERT_TRUE(boundary);
  const std::string body = Field("a", "1") + Close();  // must outlive the parts
  const auto parts = ParseMultipart(body, *boundary);
  ASSERT_TRUE(parts);
  EXPECT_EQ((*parts)[0].data, "1");
}

TEST(ParseMultipart, CrlfAndBoundaryLikeTextInsideData) {
  const std::string tricky = "line1\r\nline2\r\n\r\n--" + std::string(kB) + "X\r\n--" + std::string(kB) + " x\r\ny--" +
                             std::string(kB) + "\r\n" /* no CRLF before: data */ + "\r\n--" +
                             std::string(kB).substr(0, 10) + "\r\n\r\n";
  const std::string body = File("image", "a.bin", "application/octet-stream", tricky) + Close();
  const auto parts = ParseMultipart(body, kB);
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].data, tricky);
}

TEST(ParseMultipart, PreambleAndEpilogue) {
  const std::string body = "This is a preamble.\r\n--not-it\r\n" + Field("a", "1") + Close() + "epilogue --" +
                           std::string(kB) + "\r\ngarbage";
  const auto parts = ParseMultipart(body, kB);
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].data, "1");
  // The close delimiter may end the body without a CRLF.
  const std::string tight = Field("a", "1") + "--" + std::string(kB) + "--";
  ASSERT_TRUE(ParseMultipart(tight, kB));
}

TEST(ParseMultipart, TransportPaddingAfterDelimiter) {
  std::string body = "--" + std::string(kB) + " \t \r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n" + Close();
  const auto parts = ParseMultipart(body, kB);
  ASSERT_TRUE(parts);
  EXPECT_EQ((*parts)[0].name, "a");
  EXPECT_EQ((*parts)[0].data, "v");
}

TEST(ParseMultipart, EmptyPartsAndEmptyName) {
  const std::string body = Field("", "") + File("image", "", "application/octet-stream", "") + Field("x", "") + Close();
  const auto parts = ParseMultipart(body, kB);
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].name, "");
  EXPECT_TRUE((*parts)[0].data.empty());
  EXPECT_EQ((*parts)[1].filename, "");
  EXPECT_TRUE((*parts)[1].data.empty());
  EXPECT_TRUE((*parts)[2].data.empty());
  // Only the close delimiter: no parts.
  const auto none = ParseMultipart(Close(), kB);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(ParseMultipart, Filenames) {
  const std::string body =
      RawPart("Content-Disposition: form-data; name=\"f1\"; filename=\"my; \\\"best\\\" pic.png\"\r\n", "x") +
      RawPart(
          "content-disposition: FORM-DATA; filename*=UTF-8''%E2%82%AC%20rates.jpg; filename=\"fallback.jpg\"; "
          "name=f2\r\n",
          "y") +
      RawPart("Content-Disposition: form-data; name=f3; filename*=iso-8859-1'en'%E9t%E9.gif\r\n", "z") +
      RawPart("Content-Disposition: form-data; name=f4; filename=plain.webp\r\n", "w") +
      RawPart("Content-Disposition: form-data; name=\"f5\"; filename=\"Fran\xc3\xa7ois.png\"\r\n", "u") + Close();
  const auto parts = ParseMultipart(body, kB);
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 5u);
  EXPECT_EQ((*parts)[0].filename, "my; \"best\" pic.png");
  EXPECT_EQ((*parts)[1].name, "f2");
  EXPECT_EQ((*parts)[1].filename, "\xe2\x82\xac rates.jpg");
  EXPECT_EQ((*parts)[2].filename, "\xc3\xa9t\xc3\xa9.gif");
  EXPECT_EQ((*parts)[3].filename, "plain.webp");
  EXPECT_EQ((*parts)[4].filename, "Fran\xc3\xa7ois.png");
}

TEST(ParseMultipart, OtherHeadersIgnoredAndTypeKept) {
  const std::string body =
      RawPart("X-Whatever: 1\r\nContent-Type:  image/jpeg ; q=1 \r\nContent-Disposition: form-data; name=i\r\n", "d") +
      Close();
  const auto parts = ParseMultipart(body, kB);
  ASSERT_TRUE(parts);
  EXPECT_EQ((*parts)[0].content_type, "image/jpeg ; q=1");
}

TEST(ParseMultipart, ExactlyMaxPartsAndMaxHeaderBlock) {
  std::string body;
  for (size_t i = 0; i < kMaxMultipartParts; ++i) body += Field("f" + std::to_string(i), "v");
  body += Close();
  const auto parts = ParseMultipart(body, kB);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->size(), kMaxMultipartParts);

  const std::string cd = "Content-Disposition: form-data; name=a\r\n";
  const std::string pad_prefix = "X-Pad: ";
  const size_t pad = kMaxPartHeaderBytes - cd.size() - pad_prefix.size() - 2;
  const std::string headers = cd + pad_prefix + std::string(pad, 'p') + "\r\n";
  ASSERT_EQ(headers.size(), kMaxPartHeaderBytes);
  EXPECT_TRUE(ParseMultipart(RawPart(headers, "v") + Close(), kB));
  const std::string one_more = cd + pad_prefix + std::string(pad + 1, 'p') + "\r\n";
  EXPECT_FALSE(ParseMultipart(RawPart(one_more, "v") + Close(), kB));
}

// ---- ParseMultipart: malformed bodies ----

TEST(ParseMultipart, TooManyParts) {
  std::string body;
  for (size_t i = 0; i <= kMaxMultipartParts; ++i) body += Field("f", "v");
  body += Close();
  EXPECT_FALSE(ParseMultipart(body, kB));
}

TEST(ParseMultipart, HugeHeaderBlockWithoutEnd) {
  const std::string body = "--" + std::string(kB) + "\r\nContent-Disposition: form-data; name=a\r\n" +
                           std::string(1 << 20, 'h') + "\r\n\r\nv\r\n" + Close();
  EXPECT_FALSE(ParseMultipart(body, kB));
}

TEST(ParseMultipart, MissingClosingDelimiter) {
  EXPECT_FALSE(ParseMultipart(Field("a", "1"), kB));
  EXPECT_FALSE(ParseMultipart(Field("a", "1") + "--" + std::string(kB) + "\r\n", kB));
}

TEST(ParseMultipart, EveryTruncationIsRefused) {
  const std::string body = Field("title", "T") + File("image", "a.png", "image/png", "PNG\r\ndata") + Close();
  const size_t complete = body.size() - 2;  // "--boundary--" without its trailing CRLF is complete
  for (size_t len = 0; len < complete; ++len)
    EXPECT_FALSE(ParseMultipart(std::string_view(body).substr(0, len), kB)) << "prefix of " << len;
  EXPECT_TRUE(ParseMultipart(std::string_view(body).substr(0, complete), kB));
}

TEST(ParseMultipart, NoDelimiterAtAll) {
  EXPECT_FALSE(ParseMultipart("", kB));
  EXPECT_FALSE(ParseMultipart("just some text", kB));
  EXPECT_FALSE(ParseMultipart("{\"title\":\"x\"}", kB));
  // Only a look-alike of the delimiter.
  EXPECT_FALSE(ParseMultipart("--" + std::string(kB) + "X\r\n", kB));
}

TEST(ParseMultipart, BareLfIsRefused) {
  std::string body = Field("a", "1") + Close();
  std::string lf;
  for (char c : body)
    if (c != '\r') lf.push_back(c);
  EXPECT_FALSE(ParseMultipart(lf, kB));
  // A bare LF inside a header line.
  EXPECT_FALSE(ParseMultipart(RawPart("Content-Disposition: form-data; name=a\nX: y\r\n", "v") + Close(), kB));
}

TEST(ParseMultipart, BadHeaders) {
  const auto bad = [](std::string_view headers) { return !ParseMultipart(RawPart(headers, "v") + Close(), kB); };
  EXPECT_TRUE(bad(""));                                                    // no Content-Disposition
  EXPECT_TRUE(bad("Content-Type: text/plain\r\n"));                        // no Content-Disposition
  EXPECT_TRUE(bad("Content-Disposition: attachment; name=a\r\n"));         // not form-data
  EXPECT_TRUE(bad("Content-Disposition: form-data\r\n"));                  // no name
  EXPECT_TRUE(bad("Content-Disposition: form-data; filename=a.png\r\n"));  // no name
  EXPECT_TRUE(bad("Content-Disposition: form-data; name=\"a\r\n"));        // unclosed quote
  EXPECT_TRUE(bad("Content-Disposition: form-data; name=a; name=b\r\n"));  // repeated parameter
  EXPECT_TRUE(bad("Content-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b\r\n"));
  EXPECT_TRUE(bad("Content-Disposition: form-data;\r\n name=a\r\n"));                   // folded
  EXPECT_TRUE(bad("Content-Disposition form-data; name=a\r\n"));                        // no colon
  EXPECT_TRUE(bad(": form-data; name=a\r\n"));                                          // empty header name
  EXPECT_TRUE(bad("Bad Name: x\r\nContent-Disposition: form-data; name=a\r\n"));        // space in name
  EXPECT_TRUE(bad("Content-Disposition: form-data; name=a; filename*=UTF-8''%E\r\n"));  // truncated %
  EXPECT_TRUE(bad("Content-Disposition: form-data; name=a; filename*=UTF-8''%zz\r\n"));
  EXPECT_TRUE(bad("Content-Disposition: form-data; name=a; filename*=koi8-r''x\r\n"));
  EXPECT_TRUE(bad("Content-Disposition: form-data; name=a; filename*=noquotes\r\n"));
  EXPECT_TRUE(bad("Content-Disposition: form-data; name=a\0b\r\n"s));  // NUL in a value
  // A Content-Type header without a media type (found by fuzz_multipart).
  EXPECT_TRUE(bad("Content-Disposition: form-data; name=a\r\nContent-Type:\r\n"));
  EXPECT_TRUE(bad("Content-Disposition: form-data; name=a\r\nContent-Type: \t \r\n"));
}

TEST(ParseMultipart, InvalidBoundaryArgument) {
  const std::string body = Field("a", "1") + Close();
  EXPECT_FALSE(ParseMultipart(body, ""));
  EXPECT_FALSE(ParseMultipart(body, "a\r\nb"));
  EXPECT_FALSE(ParseMultipart(body, std::string(71, 'x')));
}

// ---- Hostile input: linear time, no out-of-bounds reads (run under ASan in CI) ----

TEST(ParseMultipart, HostileBodiesAreLinear) {
  const size_t size = 20u << 20;  // the upload limit
  const std::string near_miss = "\r\n--" + std::string(kB) + "X";
  std::string lookalikes;
  while (lookalikes.size() < size) lookalikes += near_miss;
  std::string prefixes;
  const std::string half = "\r\n--" + std::string(kB).substr(0, kB.size() - 1);
  while (prefixes.size() < size) prefixes += half;
  const std::string crs(size, '\r');
  const std::string spaces = "--" + std::string(kB) + "X" + std::string(size, ' ');

  const auto start = std::chrono::steady_clock::now();
  for (const std::string* s : std::vector<const std::string*>{&lookalikes, &prefixes, &crs, &spaces}) {
    EXPECT_FALSE(ParseMultipart(*s, kB));
    // The same junk as the data of an otherwise fine part.
    const std::string body = File("image", "a", "x/y", *s) + "--" + std::string(kB);
    EXPECT_FALSE(ParseMultipart(body, kB));
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  // About 0.6 s at -O2 (5 s under ASan) for these 160 MiB; quadratic would take hours.
  EXPECT_LT(elapsed, std::chrono::seconds(20));
}

TEST(ParseMultipart, RandomMutationsNeverCrash) {
  const std::string base = Field("title", "T") + File("image", "a.png", "image/png", "PNG\r\ndata") + Close();
  std::mt19937 rng(12345);
  const std::string alphabet = "\r\n-\" ;=:\\*'%a" + std::string(kB.substr(4, 3));
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s = base;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      const size_t at = rng() % s.size();
      switch (rng() % 3) {
        case 0:
          s[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          s.erase(at, 1 + rng() % 8);
          break;
        default:
          s.insert(at, 1, alphabet[rng() % alphabet.size()]);
      }
    }
    const auto parts = ParseMultipart(s, kB);
    if (parts) {
      for (const Part& p : *parts) {
        ASSERT_GE(p.data.data(), s.data());
        ASSERT_LE(p.data.data() + p.data.size(), s.data() + s.size());
      }
    }
  }
}

}  // namespace
}  // namespace atelier::http
