#include "artworks/image.h"

#include <vips/vips8>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <tuple>

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

// What each decode holds at once, in bytes per pixel of the stored image (measured with
// libvips 8.14 and rounded up). Streaming decodes hold a few rows; these do not:
constexpr double kGifFrameBytes = 7;         // libnsgif's RGBA frame plus libvips' copy of it, with room
constexpr double kWebpFrameBytes = 12;       // the frame decoded whole, then libwebp's encoder
constexpr double kWebpAlphaExtraBytes = 10;  // the encoder's alpha plane work
constexpr std::size_t kFixedDecodeBytes = std::size_t{32} << 20;  // codec state, row buffers

std::size_t BytesPerSample(VipsBandFormat format) {
  return format == VIPS_FORMAT_UCHAR || format == VIPS_FORMAT_CHAR ? 1 : format == VIPS_FORMAT_FLOAT ? 4 : 2;
}

int OrientationOf(const VImage& image) {
  const int orientation = image.get_typeof(VIPS_META_ORIENTATION) != 0 ? image.get_int(VIPS_META_ORIENTATION) : 1;
  return orientation >= 2 && orientation <= 8 ? orientation : 1;
}

bool Interlaced(const VImage& image) { return image.get_typeof("interlaced") != 0 && image.get_int("interlaced") != 0; }

// The bound of ImageProbe::decode_bytes, from the header alone. `raw` is the image
// uncompressed; a format or a rotation that needs the whole image holds it (libvips keeps a
// random-access decode over 100 MB in a temporary file instead: that is disk, still counted).
std::size_t EstimateDecodeBytes(Format format, const VImage& header, std::size_t input_bytes) {
  const double pixels = static_cast<double>(header.width()) * header.height();
  const double raw = pixels * header.bands() * static_cast<double>(BytesPerSample(header.format()));
  double whole = 0;  // what the decoder itself holds beyond a few rows
  switch (format) {
    case Format::kGif:
      whole = pixels * kGifFrameBytes;
      break;
    case Format::kWebp:
      whole = pixels * (kWebpFrameBytes + (header.bands() == 4 ? kWebpAlphaExtraBytes : 0));
      break;
    case Format::kPng:
      if (Interlaced(header)) whole = raw;  // libpng needs every pass before the first row
      break;
    case Format::kJpeg:
      // A progressive JPEG keeps every DCT coefficient (2 bytes a sample) until the last scan.
      if (Interlaced(header) || (header.get_typeof("jpeg-multiscan") != 0 && header.get_int("jpeg-multiscan") != 0))
        whole = pixels * header.bands() * 2;
      break;
    case Format::kUnknown:
      break;
  }
  if (OrientationOf(header) != 1) whole += raw;  // rotating needs the decoded image whole
  // The display rendition of a larger image: its WebP encoder holds the output frame (at
  // most kDisplaySide² pixels). ProcessImage lets go of the decode before making it, so
  // the two are never held at once: the larger counts.
  const int longest = std::max(header.width(), header.height());
  if (longest > kDisplaySide) {
    const double scale = static_cast<double>(kDisplaySide) / longest;
    const double display_pixels = std::ceil(header.width() * scale) * std::ceil(header.height() * scale);
    whole = std::max(whole, display_pixels * (kWebpFrameBytes + (header.bands() == 4 ? kWebpAlphaExtraBytes : 0)));
  }
  // The re-encoded file, held twice while it is copied out of libvips: at worst as large as
  // the pixels, in practice a few times the upload.
  const double encoded = std::min(raw, 4.0 * static_cast<double>(input_bytes) + raw / 16);
  return kFixedDecodeBytes + static_cast<std::size_t>(whole + 2 * encoded);
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
    // libvips 8.14 keeps idle worker threads and does not stop them at exit. Left
    // running, one can wake while exit() tears down the objects it uses and abort the
    // process after its work is done (seen as a test binary "aborted" after passing).
    // Registered here, after the statics it could touch were built, so it runs before
    // their destructors.
    std::atexit([] { vips_shutdown(); });
  });
}

namespace {

struct Header {
  Format format = Format::kUnknown;
  VImage image;  // header only: no pixel has been decoded
  ImageProbe probe;
};

// Throws VError on a header libvips cannot read.
std::variant<Header, ImageError> ReadHeader(std::string_view bytes, VipsBlob* blob, const ImageLimits& limits) {
  Header h;
  h.format = Sniff(bytes);
  if (h.format == Format::kUnknown || (h.format == Format::kPng && !PngHasEnd(bytes))) return ImageError::kUnsupported;
  h.image = Load(h.format, blob, VIPS_ACCESS_SEQUENTIAL);
  h.probe.width = h.image.width();
  h.probe.height = h.image.height();
  h.probe.pixels = static_cast<long long>(h.probe.width) * h.probe.height;
  if (h.probe.pixels > limits.max_pixels) return ImageError::kTooLarge;
  h.probe.decode_bytes = EstimateDecodeBytes(h.format, h.image, bytes.size());
  if (h.probe.decode_bytes > limits.max_decode_bytes) return ImageError::kTooCostly;
  return h;
}

// A blob that borrows `bytes` (no copy): only for calls that end before `bytes` does.
VipsBlob* BorrowBlob(std::string_view bytes) { return vips_blob_new(nullptr, bytes.data(), bytes.size()); }

}  // namespace

std::variant<ImageProbe, ImageError> ProbeImage(std::string_view bytes, const ImageLimits& limits) {
  InitImages();
  try {
    const Blob input(BorrowBlob(bytes));
    auto header = ReadHeader(bytes, input.get(), limits);
    if (auto* error = std::get_if<ImageError>(&header)) return *error;
    return std::get<Header>(header).probe;
  } catch (const VError&) {
    vips_error_clear();
    return ImageError::kUnsupported;
  }
}

std::variant<ProcessedImage, ImageError> ProcessImage(std::string_view bytes, const ImageLimits& limits) {
  InitImages();
  try {
    // A copy that libvips owns: no image or operation can outlive the caller's buffer.
    const Blob input(vips_blob_copy(bytes.data(), bytes.size()));

    auto header = ReadHeader(bytes, input.get(), limits);
    if (auto* error = std::get_if<ImageError>(&header)) return *error;
    const Format format = std::get<Header>(header).format;
    VImage image = std::get<Header>(header).image;

    if (OrientationOf(image) != 1) {
      // Rotating needs random access, so this one image is decoded whole: in memory up to
      // libvips' disc threshold (100 MB), in a temporary file beyond (counted in the estimate).
      image = Load(format, input.get(), VIPS_ACCESS_RANDOM).autorot();
    }
    image = WithoutMetadata(ToSrgb(image));

    ProcessedImage out;
    out.width = image.width();
    out.height = image.height();
    VOption* save = VImage::option()->set("strip", true);
    switch (format) {
      case Format::kJpeg:
        // No optimize_coding: libjpeg's two-pass Huffman optimisation buffers every DCT
        // coefficient of the image (6 bytes a pixel), to save a few percent of the file.
        out.image = Blob(image.jpegsave_buffer(save->set("Q", 90))).ToString();
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
    // The decode is done: its buffers (a GIF's frames, a rotated copy, a progressive JPEG's
    // coefficients) go now, before the renditions' encoders take theirs (the estimate counts
    // the larger of the two, not both).
    image = VImage();
    std::get<Header>(header).image = VImage();

    // The display rendition and the thumbnail come from our own re-encoded bytes
    // (known-good, oriented, sRGB); thumbnail_buffer shrinks on load: JPEG decodes at 1/2,
    // 1/4 or 1/8 scale and WebP at the target's own scale, so only PNG reads every row
    // (streaming). The blob borrows out.image, which outlives this block and every image
    // made from it.
    {
      const Blob encoded(BorrowBlob(out.image));
      const auto shrink = [&encoded](int side, int quality) {
        VImage small = VImage::thumbnail_buffer(encoded.get(), side,
                                                VImage::option()->set("height", side)->set("size", VIPS_SIZE_DOWN));
        small = WithoutMetadata(small);
        return std::make_tuple(
            StripWebpMetadata(
                Blob(small.webpsave_buffer(VImage::option()->set("Q", quality)->set("strip", true))).ToString()),
            small.width(), small.height());
      };
      if (std::max(out.width, out.height) > kDisplaySide) {
        std::tie(out.display, out.display_width, out.display_height) = shrink(kDisplaySide, 82);
        out.display_type = "image/webp";
      }
      out.thumb = std::get<0>(shrink(kThumbSide, 80));
    }
    out.thumb_type = "image/webp";
    return out;
  } catch (const VError&) {
    vips_error_clear();
    return ImageError::kUnsupported;
  }
}

}  // namespace atelier::artworks
