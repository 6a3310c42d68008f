#include "artworks/image.h"

#include <vips/vips8>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace atelier::artworks {
namespace {

using vips::VError;
using vips::VImage;
using vips::VOption;

constexpr int kThumbSide = 480;

enum class Format { kUnknown, kPng, kJpeg, kWebp, kGif };

Format Sniff(std::string_view b) {
  if (b.starts_with("\x89PNG\r\n\x1a\n")) return Format::kPng;
  if (b.starts_with("\xff\xd8\xff")) return Format::kJpeg;
  if (b.starts_with("GIF87a") || b.starts_with("GIF89a")) return Format::kGif;
  if (b.size() >= 12 && b.starts_with("RIFF") && b.substr(8, 4) == "WEBP") return Format::kWebp;
  return Format::kUnknown;
}

uint32_t Be32(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(b[at])) << 24 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

// libpng stops reading after the last pixel row, so a PNG cut after its image data (no
// IEND) decodes "completely". We still call it truncated: walk the chunks to IEND.
bool PngHasEnd(std::string_view b) {
  for (size_t at = 8; b.size() - at >= 12;) {
    const size_t length = Be32(b, at);
    if (length > 0x7fffffffu || length > b.size() - at - 12) return false;
    if (b.substr(at + 4, 4) == "IEND") return true;
    at += 12 + length;
  }
  return false;
}

// Owns one reference to a VipsBlob (what *_buffer calls take and return).
class Blob {
 public:
  explicit Blob(VipsBlob* blob) : blob_(blob) {
    if (blob_ == nullptr) throw VError("no blob");
  }
  ~Blob() { vips_area_unref(VIPS_AREA(blob_)); }
  Blob(const Blob&) = delete;
  Blob& operator=(const Blob&) = delete;

  VipsBlob* get() const { return blob_; }
  std::string ToString() const {
    size_t length = 0;
    const void* data = vips_blob_get(blob_, &length);
    return std::string(static_cast<const char*>(data), length);
  }

 private:
  VipsBlob* blob_;
};

VImage Load(Format format, VipsBlob* blob, VipsAccess access) {
  // fail_on=error: a truncated or corrupt file is an error, not a grey bottom half. Benign
  // warnings (extra bytes after a JPEG marker, say) do not refuse a real photo.
  VOption* options = VImage::option()->set("access", access)->set("fail_on", VIPS_FAIL_ON_ERROR);
  switch (format) {
    case Format::kPng:
      return VImage::pngload_buffer(blob, options);
    case Format::kJpeg:
      return VImage::jpegload_buffer(blob, options);
    case Format::kWebp:
      return VImage::webpload_buffer(blob, options);
    case Format::kGif:
      return VImage::gifload_buffer(blob, options);
    case Format::kUnknown:
      break;
  }
  delete options;
  throw VError("unsupported format");
}

// Brings colours to sRGB so that dropping the profile does not change how they look
// (phone photos are often Display P3; print files CMYK).
VImage ToSrgb(VImage image) {
  if (image.interpretation() == VIPS_INTERPRETATION_CMYK) {
    return image.colourspace(VIPS_INTERPRETATION_sRGB);
  }
  const bool rgb =
      image.interpretation() == VIPS_INTERPRETATION_sRGB || image.interpretation() == VIPS_INTERPRETATION_RGB16;
  if (rgb && image.bands() >= 3 && image.get_typeof(VIPS_META_ICC_NAME) != 0) {
    try {
      return image.icc_transform("srgb", VImage::option()->set("embedded", true));
    } catch (const VError&) {
      vips_error_clear();  // an unreadable profile: keep the pixels as they are
    }
  }
  return image;
}

// Drops every metadata field, so that no saver can rebuild EXIF from them.
VImage WithoutMetadata(const VImage& image) {
  VImage out = image.copy();
  char** fields = vips_image_get_fields(out.get_image());
  for (char** field = fields; *field != nullptr; ++field) {
    if (vips_image_get_typeof(out.get_image(), *field) != 0) vips_image_remove(out.get_image(), *field);
  }
  g_strfreev(fields);
  return out;
}

uint32_t Le32(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(b[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24;
}

void PutLe32(std::string& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<char>(v >> (8 * i));
}

// libvips 8.14's webpsave ignores strip=true and always writes an EXIF chunk (libvips issue
// #3340); after WithoutMetadata it holds only resolution and pixel size, but we promise no
// EXIF at all. Removes EXIF and XMP chunks from a WebP we just wrote and clears their VP8X
// flags. Throws VError on anything but a well-formed RIFF (it is our own output).
std::string StripWebpMetadata(std::string_view webp) {
  if (webp.size() < 12 || !webp.starts_with("RIFF") || webp.substr(8, 4) != "WEBP") throw VError("bad webp");
  std::string out(webp.substr(0, 12));
  size_t vp8x_flags = std::string::npos;
  for (size_t at = 12; at < webp.size();) {
    if (webp.size() - at < 8) throw VError("bad webp chunk");
    const std::string_view fourcc = webp.substr(at, 4);
    const size_t padded = (static_cast<size_t>(Le32(webp, at + 4)) + 1) & ~size_t{1};
    if (padded > webp.size() - at - 8) throw VError("bad webp chunk size");
    if (fourcc != "EXIF" && fourcc != "XMP ") {
      if (fourcc == "VP8X") vp8x_flags = out.size() + 8;
      out.append(webp.substr(at, 8 + padded));
    }
    at += 8 + padded;
  }
  if (vp8x_flags != std::string::npos) out[vp8x_flags] = static_cast<char>(out[vp8x_flags] & ~0x0c);
  PutLe32(out, 4, static_cast<uint32_t>(out.size() - 8));
  return out;
}

}  // namespace

void PrepareImages() {
  // libvips loads its optional modules (HEIF, JPEG XL, ImageMagick, OpenSlide, PDF) from
  // <VIPSHOME>/lib/vips-modules-*. Atelier accepts only PNG, JPEG, WebP and GIF, whose
  // loaders are built in, so pointing VIPSHOME at a directory without modules keeps those
  // libraries, their memory and their attack surface out of the process. An
  // operator's own VIPSHOME is left alone.
  setenv("VIPSHOME", "/nonexistent/atelier-without-vips-modules", 0);
}

void InitImages() {
  static std::once_flag once;
  std::call_once(once, [] {
    PrepareImages();  // (again, for callers that start libvips directly, like the tests)
    if (VIPS_INIT("atelier") != 0) {
      std::string message = vips_error_buffer();
      vips_error_clear();
      throw std::runtime_error("libvips failed to start: " + message);
    }
    vips_block_untrusted_set(TRUE);
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
  });
}

std::variant<ProcessedImage, ImageError> ProcessImage(std::string_view bytes, long long max_pixels) {
  InitImages();
  const Format format = Sniff(bytes);
  if (format == Format::kUnknown || (format == Format::kPng && !PngHasEnd(bytes))) return ImageError::kUnsupported;
  try {
    // A copy that libvips owns: no image or operation can outlive the caller's buffer.
    const Blob input(vips_blob_copy(bytes.data(), bytes.size()));

    // Only the header is read here.
    VImage image = Load(format, input.get(), VIPS_ACCESS_SEQUENTIAL);
    if (static_cast<long long>(image.width()) * image.height() > max_pixels) return ImageError::kTooLarge;

    const int orientation = image.get_typeof(VIPS_META_ORIENTATION) != 0 ? image.get_int(VIPS_META_ORIENTATION) : 1;
    if (orientation >= 2 && orientation <= 8) {
      // Rotating needs random access, so this one image is decoded whole (size checked above).
      image = Load(format, input.get(), VIPS_ACCESS_RANDOM).autorot();
    }
    image = WithoutMetadata(ToSrgb(image));

    ProcessedImage out;
    out.width = image.width();
    out.height = image.height();
    VOption* save = VImage::option()->set("strip", true);
    switch (format) {
      case Format::kJpeg:
        out.image = Blob(image.jpegsave_buffer(save->set("Q", 90)->set("optimize_coding", true))).ToString();
        out.image_type = "image/jpeg";
        break;
      case Format::kWebp:
        out.image = StripWebpMetadata(Blob(image.webpsave_buffer(save->set("Q", 90))).ToString());
        out.image_type = "image/webp";
        break;
      default:  // PNG, and the first frame of a GIF
        out.image = Blob(image.pngsave_buffer(save->set("compression", 6))).ToString();
        out.image_type = "image/png";
        break;
    }

    // The thumbnail comes from our own re-encoded bytes (known-good, oriented, sRGB);
    // JPEG and WebP shrink while decoding, so this is cheap for them.
    const Blob encoded(vips_blob_copy(out.image.data(), out.image.size()));
    VImage thumb = VImage::thumbnail_buffer(encoded.get(), kThumbSide,
                                            VImage::option()->set("height", kThumbSide)->set("size", VIPS_SIZE_DOWN));
    out.thumb = StripWebpMetadata(
        Blob(WithoutMetadata(thumb).webpsave_buffer(VImage::option()->set("Q", 80)->set("strip", true))).ToString());
    out.thumb_type = "image/webp";
    return out;
  } catch (const VError&) {
    vips_error_clear();
    return ImageError::kUnsupported;
  }
}

}  // namespace atelier::artworks
