#pragma once
// The sessions one process has resolved, so a request with a known token needs no
// transaction of its own (accounts/auth.h; PostgreSQL only, see docs/architecture.md).
// Correct only together with its invalidation, which comes from the database, never from
// feature code: the triggers of migration 016 signal kSessionCacheChannel with the user's
// id whenever a session is deleted or changed, or a user's row is deleted or changes in a
// column a session resolves to; each process drops that user's entries (DropUser). The
// Authenticator serves a hit only once the signals committed before the request are in
// (db::AwaitSignals, or db::SyncSignals after the handler's own statements), so a change
// committed before the request has dropped it by then. While the signals cannot arrive (the
// listening connection is lost) the cache is off and empty (SetListening).
//
// Races: an entry read from a snapshot older than an invalidation must not be inserted after
// that invalidation has passed. Readers take Generation() before their snapshot and Insert()
// refuses the entry if any invalidation came meanwhile.
//
// Thread-safety: every member function may be called from any thread.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "accounts/auth.h"
#include "common/clock.h"
#include "common/mutex.h"

namespace atelier::accounts {

// The signal's channel; the payload is the user's id in decimal.
inline constexpr std::string_view kSessionCacheChannel = "atelier_session_cache";

class SessionCache {
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

 public:
  static constexpr std::size_t kDefaultCapacity = 100'000;

  // Starts off (not listening): Insert refuses until SetListening(true).
  explicit SessionCache(std::size_t capacity = kDefaultCapacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // The user of the session whose token hashes to `hash`, if cached and now < its expiry
  // (an expired entry is dropped: never served past sessions.expires_at).
  std::optional<AuthUser> Find(std::string_view hash, Millis now);
  // To read before the snapshot whose result is inserted.
  std::uint64_t Generation() const;
  // Caches `user` (user.session_hash is the key) until `expires_at`, unless the cache is off
  // or an invalidation came after `generation` was read. The oldest entry goes when full.
  void Insert(const AuthUser& user, Millis expires_at, std::uint64_t generation);
  // Every entry of the user goes (a kSessionCacheChannel signal).
  void DropUser(std::int64_t user_id);
  // The payload of a signal: DropUser of its id; anything malformed drops everything.
  void OnSignal(std::string_view payload);
  // false: signals may be missed from now on; the cache empties and refuses entries until
  // true (every entry read before that is refused then as well).
  void SetListening(bool listening);
  std::size_t Size() const;

 private:
  struct Entry {
    AuthUser user;
    Millis expires_at = 0;
    std::list<std::string>::iterator age;  // its place in oldest_
  };
  void EraseLocked(std::unordered_map<std::string, Entry, Hash, std::equal_to<>>::iterator it) REQUIRES(mu_);
  void ClearLocked() REQUIRES(mu_);

  const std::size_t capacity_;
  mutable Mutex mu_;
  bool listening_ GUARDED_BY(mu_) = false;
  std::uint64_t generation_ GUARDED_BY(mu_) = 0;  // moves with every invalidation
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> by_hash_ GUARDED_BY(mu_);
  std::list<std::string> oldest_ GUARDED_BY(mu_);  // hashes, oldest insertion first
  std::unordered_map<std::int64_t, std::vector<std::string>> by_user_ GUARDED_BY(mu_);
};

}  // namespace atelier::accounts
