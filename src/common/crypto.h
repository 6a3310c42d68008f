#pragma once
// Random tokens and hashes (libsodium). Call InitCrypto() once before anything else here.
#include <string>
#include <string_view>

namespace atelier {

void InitCrypto();
// A URL-safe token (base64url, no padding) of `bytes` random bytes: 32 bytes = 256 bits.
std::string RandomToken(size_t bytes = 32);
// Hex SHA-256 of s: how tokens are stored (only hashes are kept).
std::string Sha256Hex(std::string_view s);
// Constant-time comparison of two strings (false when lengths differ).
bool ConstantTimeEquals(std::string_view a, std::string_view b);
std::string Base64UrlEncode(std::string_view bytes);
// Standard base64 with padding (MIME).
std::string Base64Encode(std::string_view bytes);
// Empty optional-like: returns false when s is not valid unpadded base64url.
bool Base64UrlDecode(std::string_view s, std::string& out);

}  // namespace atelier
