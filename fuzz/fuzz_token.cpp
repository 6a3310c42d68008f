// Tokens as clients send them (bearer tokens, cookies, email links): base64url decoding,
// hashing and constant-time comparison. A decodable token re-encodes to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/crypto.h"

using namespace atelier;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  InitCrypto();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  std::string out = "leftover";
  if (Base64UrlDecode(s, out)) {
    if (out.size() > s.size()) std::abort();
    if (Base64UrlEncode(out) != s) std::abort();
  }
  std::string hash = Sha256Hex(s);
  if (hash.size() != 64) std::abort();
  if (!ConstantTimeEquals(s, s)) std::abort();
  (void)ConstantTimeEquals(hash, s);
  return 0;
}
