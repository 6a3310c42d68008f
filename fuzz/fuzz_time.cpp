// RFC 3339 times in request bodies (event phase times). A parsed time formats to a string
// that parses back to the same instant.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/clock.h"

using namespace atelier;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  auto t = ParseTime(s);
  if (!t) return 0;
  auto again = ParseTime(FormatTime(*t));
  if (!again || *again != *t) std::abort();
  return 0;
}
