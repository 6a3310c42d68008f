// multipart/form-data uploads. The first line of the input is the Content-Type header
// value (boundary extraction is fuzzed too); the rest is the body. Invariants: every part's
// data lies inside the body, at most kMaxMultipartParts parts, names and headers bounded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/multipart.h"

using namespace atelier::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  if (nl == std::string_view::npos) return 0;
  std::string_view content_type = in.substr(0, nl);
  std::string_view body = in.substr(nl + 1);
  auto boundary = MultipartBoundary(content_type);
  if (boundary && (boundary->empty() || boundary->size() > 70)) std::abort();
  auto parts = ParseMultipart(body, boundary ? std::string_view(*boundary) : std::string_view("XyZ"));
  if (!parts) return 0;
  if (parts->size() > kMaxMultipartParts) std::abort();
  for (const auto& p : *parts) {
    if (p.data.data() < body.data() || p.data.data() + p.data.size() > body.data() + body.size()) std::abort();
    if (p.name.size() > kMaxPartHeaderBytes || p.content_type.empty()) std::abort();
    if (p.filename && p.filename->size() > 2 * kMaxPartHeaderBytes) std::abort();
  }
  return 0;
}
