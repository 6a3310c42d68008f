#include "accounts/passwords.h"

#include <sodium.h>

#include <stdexcept>

namespace atelier::accounts {

namespace {
constexpr unsigned long long kOps = 2;
constexpr size_t kMem = 19ull * 1024 * 1024;
}  // namespace

std::string HashPassword(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOps, kMem, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("out of memory while hashing a password");
  return out;
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  std::string h(hash);  // needs NUL termination
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

void VerifyDummy(std::string_view password) {
  static const std::string dummy = HashPassword("not a real password, only for timing");
  (void)VerifyPassword(dummy, password);
}

}  // namespace atelier::accounts
