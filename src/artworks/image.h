#pragma once
// Decoding, checking and re-encoding uploaded images (libvips). Everything here is
// thread-safe: ProcessImage keeps no state between calls and may run on many worker
// threads at once.
#include <cstddef>
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
  // Sized for screens: longest side kDisplaySide px, made only when the image is larger
  // than that (empty otherwise: the original serves as it).
  std::string display;
  std::string display_type;  // "image/webp", when display is not empty
  int display_width = 0;
  int display_height = 0;
};

// The longest side of the display rendition (ProcessedImage::display).
inline constexpr int kDisplaySide = 1600;

// kUnsupported → 415 unsupported_image; kTooLarge (over max_pixels) and kTooCostly (a
// decode that would need more than max_decode_bytes) → 413 payload_too_large.
enum class ImageError { kUnsupported, kTooLarge, kTooCostly };

inline constexpr long long kMaxImagePixels = 100'000'000;
// Enough for every image of at most 100 megapixels but large WebPs, whose decoder and
// encoder hold the whole frame (12 bytes a pixel, 22 with alpha): a WebP over about 85
// megapixels (45 with alpha) is refused as kTooCostly unless this is raised.
inline constexpr std::size_t kDefaultMaxDecodeBytes = std::size_t{1} << 30;

struct ImageLimits {
  long long max_pixels = kMaxImagePixels;
  std::size_t max_decode_bytes = kDefaultMaxDecodeBytes;
};

// What the header says, and what decoding it will cost: read before any pixel is decoded.
struct ImageProbe {
  int width = 0;  // as stored, before EXIF orientation
  int height = 0;
  long long pixels = 0;
  // A bound on the memory (and temporary disk) ProcessImage needs for this image: the
  // buffers its decoder, rotation, encoder and thumbnail hold at once (see image.cpp).
  std::size_t decode_bytes = 0;
};

// Reads only the header: the format from the first bytes, the size, the layout that
// decides what decoding must hold whole (interlaced PNG, progressive JPEG, GIF and WebP
// frames, EXIF rotation). kUnsupported for anything that is not a PNG, JPEG, WebP or GIF
// header; kTooLarge or kTooCostly when over a limit. Costs microseconds, never a decode.
std::variant<ImageProbe, ImageError> ProbeImage(std::string_view bytes, const ImageLimits& limits = {});

// Accepts PNG, JPEG, WebP and GIF, recognised by their first bytes (a name or a declared
// type is never trusted), and refuses everything else. ProbeImage runs first, so a
// decompression bomb or a too costly decode costs nothing; then the whole image must decode
// without error (a truncated file is kUnsupported).
//
// JPEG stays JPEG (quality 90), PNG stays PNG, WebP stays WebP (lossy, quality 90); a GIF
// becomes its first frame as PNG, and an animated WebP its first frame. EXIF orientation is
// applied, CMYK and embedded ICC profiles are converted to sRGB, then all metadata is dropped.
//
// Costs: one streaming decode and encode of the image (a few rows of pixels in memory
// unless the format or a rotation needs the whole image, which libvips keeps on disk past
// 100 MB), plus two shrink-on-load decodes of the re-encoded file, for the display rendition
// (larger images only) and the thumbnail (JPEG decodes at 1/2, 1/4 or 1/8 scale, WebP at the
// target's scale; PNG streams its rows); each is encoded as WebP, whose encoder holds the
// whole output frame (counted in ImageProbe::decode_bytes).
std::variant<ProcessedImage, ImageError> ProcessImage(std::string_view bytes, const ImageLimits& limits = {});

}  // namespace atelier::artworks
