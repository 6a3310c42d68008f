#pragma once
// Argon2id password hashing (libsodium), OWASP's parameters: 19 MiB, 2 passes, 1 lane.
// Each call takes tens of milliseconds of CPU: call only from the crypto worker pool.
#include <string>
#include <string_view>

namespace atelier::accounts {

std::string HashPassword(std::string_view password);
// False for a wrong password or a malformed hash.
bool VerifyPassword(std::string_view hash, std::string_view password);
// Spends the same time as VerifyPassword against a real hash, for logins to unknown
// users, so that they cannot be told apart by timing.
void VerifyDummy(std::string_view password);

}  // namespace atelier::accounts
