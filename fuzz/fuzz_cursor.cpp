// Pagination parameters from query strings: ?limit=, ?cursor=, and ids in paths.
// Only ApiError 400 may escape; a cursor that decodes re-encodes to itself (so a client
// cannot smuggle two spellings of one position), and ParseId accepts only canonical ids.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/error.h"
#include "common/json_util.h"

using namespace atelier;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  if (auto id = ParseId(s)) {
    if (*id <= 0 || IdStr(*id) != s) std::abort();
  }
  try {
    int limit = ParseLimit(s);
    if (limit < 1 || limit > 100) std::abort();
  } catch (const ApiError& e) {
    if (e.Status() != 400) std::abort();
  }
  for (size_t keys = 1; keys <= 3; ++keys) {
    try {
      auto decoded = DecodeCursor(s, keys);
      if (decoded.size() != keys) std::abort();
      auto again = DecodeCursor(EncodeCursor(decoded), keys);
      if (again != decoded) std::abort();
    } catch (const ApiError& e) {
      if (e.Status() != 400) std::abort();
    }
  }
  return 0;
}
