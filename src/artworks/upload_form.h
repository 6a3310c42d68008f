#pragma once
// Reading the parts of an artwork upload (docs/product.md §6: multipart/form-data with `title`,
// optional `description`, and the `image` file). Pure; safe from any thread.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/multipart.h"

namespace atelier::artworks {

inline constexpr size_t kMaxImageBytes = 20 * 1024 * 1024;  // docs/product.md §2: uploads ≤ 20 MiB
// The route's body limit: the image plus room for the other fields and the multipart
// framing (each part's header block is at most 8 KiB, title and description ≤ 8 KiB).
inline constexpr size_t kMaxUploadBody = kMaxImageBytes + 256 * 1024;

struct UploadForm {
  std::string title;
  std::optional<std::string> description;
  std::string_view image;  // into the request body
};

// Picks the fields out of the parts. Throws ApiError 400 bad_request when `title` or
// `image` is missing or a field comes twice, and 413 payload_too_large when the image is
// over kMaxImageBytes. Unknown parts are ignored. The text is not validated here.
UploadForm ReadUploadForm(const std::vector<http::Part>& parts);

}  // namespace atelier::artworks
