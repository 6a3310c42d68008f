#include "artworks/upload_form.h"

#include "common/error.h"

namespace atelier::artworks {

namespace {
[[noreturn]] void Twice(const std::string& name) {
  throw BadRequest("The form field '" + name + "' is given more than once");
}
}  // namespace

UploadForm ReadUploadForm(const std::vector<http::Part>& parts) {
  UploadForm form;
  bool has_title = false, has_image = false;
  for (const auto& part : parts) {
    if (part.name == "title") {
      if (has_title) Twice(part.name);
      form.title = std::string(part.data);
      has_title = true;
    } else if (part.name == "description") {
      if (form.description) Twice(part.name);
      form.description = std::string(part.data);
    } else if (part.name == "image") {
      if (has_image) Twice(part.name);
      form.image = part.data;
      has_image = true;
    }
  }
  if (!has_title) throw BadRequest("Missing form field: title");
  if (!has_image) throw BadRequest("Missing form field: image (a file)");
  if (form.image.size() > kMaxImageBytes) throw ApiError(413, "payload_too_large", "The image is larger than 20 MiB");
  return form;
}

}  // namespace atelier::artworks
