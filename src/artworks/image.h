#pragma once
// Decoding, checking and re-encoding uploaded images (libvips). Everything here is
// thread-safe: ProcessImage keeps no state between calls and may run on many worker
// threads at once.
#include <string>
#include <string_view>
#include <variant>

namespace atelier::artworks {

// Sets the environment libvips will start in (see image.cpp); call it at start-up, before
// threads that might read the environment run.
void PrepareImages();
// Starts libvips once (later calls do nothing): blocks the loaders libvips marks untrusted
// (ImageMagick, PDF, …), one worker thread per pipeline (the server runs several requests
// at once instead), and no operation cache (every upload is new data). ProcessImage calls
// it, so libvips and its codecs (much of the idle footprint) load at the first upload.
void InitImages();

struct ProcessedImage {
  std::string image;       // the original re-encoded without metadata (EXIF, GPS, XMP, ICC, comments)
  std::string image_type;  // "image/jpeg", "image/png" or "image/webp"
  std::string thumb;       // longest side 480 px, never enlarged
  std::string thumb_type;  // "image/webp"
  int width = 0;           // of `image`: the original after EXIF orientation was applied
  int height = 0;
};

// kUnsupported → 415 unsupported_image; kTooLarge → 413 payload_too_large.
enum class ImageError { kUnsupported, kTooLarge };

inline constexpr long long kMaxImagePixels = 100'000'000;

// Accepts PNG, JPEG, WebP and GIF, recognised by their first bytes (a name or a declared
// type is never trusted), and refuses everything else. The size is checked from the header,
// before any pixel is decoded, so a decompression bomb costs nothing; then the whole image
// must decode without error (a truncated file is kUnsupported).
//
// JPEG stays JPEG (quality 90), PNG stays PNG, WebP stays WebP (lossy, quality 90); a GIF
// becomes its first frame as PNG, and an animated WebP its first frame. EXIF orientation is
// applied, CMYK and embedded ICC profiles are converted to sRGB, then all metadata is dropped.
//
// Costs: about one decode and encode of the image plus one shrink-on-load decode for the
// thumbnail; memory stays near a few rows of pixels except for EXIF-rotated images, which
// are decoded whole (at most max_pixels).
std::variant<ProcessedImage, ImageError> ProcessImage(std::string_view bytes, long long max_pixels = kMaxImagePixels);

}  // namespace atelier::artworks
