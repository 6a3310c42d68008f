#pragma once
// multipart/form-data (RFC 7578 over RFC 2046) for a body that is already in memory.
// Pure functions, no state: safe to call from any thread. Part bodies are views into the
// body passed in, so the body must outlive the parts.
//
// Hostile input is expected: nothing is read out of bounds, the work is linear in the body
// size (the boundary cannot contain CR, so partial delimiter matches never overlap), and
// the limits below bound what a single body can make us allocate.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::http {

struct Part {
  std::string name;                     // Content-Disposition name (may be empty, must be present)
  std::optional<std::string> filename;  // filename* (RFC 5987, UTF-8 or ISO-8859-1) wins over filename
  std::string content_type;             // as sent (never empty), "text/plain" when absent (RFC 7578 §4.4)
  std::string_view data;                // into the body given to ParseMultipart
};

inline constexpr size_t kMaxMultipartParts = 100;
inline constexpr size_t kMaxPartHeaderBytes = 8 * 1024;

// The boundary parameter of a Content-Type header value ("multipart/form-data; boundary=…",
// quoted or not). nullopt when the media type is not multipart/form-data or the boundary is
// missing or not a valid RFC 2046 boundary (1–70 characters of the allowed set).
std::optional<std::string> MultipartBoundary(std::string_view content_type);

// Parses the whole body. nullopt when malformed: no opening or closing delimiter, a delimiter
// line not ended by CRLF, header lines that are not "Name: value" CRLF-terminated (folded
// lines included), a part without "Content-Disposition: form-data; name=…", a header block
// over kMaxPartHeaderBytes, an empty Content-Type, more than kMaxMultipartParts parts, or an
// invalid boundary.
// A delimiter-like line inside data ("--boundaryX") is data, as in Go's mime/multipart.
// Preamble and epilogue are ignored. A body made of the closing delimiter only gives an
// empty list.
std::optional<std::vector<Part>> ParseMultipart(std::string_view body, std::string_view boundary);

}  // namespace atelier::http
