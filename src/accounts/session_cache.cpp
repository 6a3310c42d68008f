#include "accounts/session_cache.h"

#include <algorithm>
#include <charconv>

namespace atelier::accounts {

std::optional<AuthUser> SessionCache::Find(std::string_view hash, Millis now) {
  MutexLock lk(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return std::nullopt;
  if (now >= it->second.expires_at) {
    EraseLocked(it);
    return std::nullopt;
  }
  return it->second.user;
}

std::uint64_t SessionCache::Generation() const {
  MutexLock lk(mu_);
  return generation_;
}

void SessionCache::Insert(const AuthUser& user, Millis expires_at, std::uint64_t generation) {
  MutexLock lk(mu_);
  if (!listening_ || generation != generation_) return;
  if (auto it = by_hash_.find(user.session_hash); it != by_hash_.end()) EraseLocked(it);
  while (by_hash_.size() >= capacity_ && !oldest_.empty()) EraseLocked(by_hash_.find(oldest_.front()));
  oldest_.push_back(user.session_hash);
  by_user_[user.id].push_back(user.session_hash);
  by_hash_.emplace(user.session_hash, Entry{user, expires_at, std::prev(oldest_.end())});
}

void SessionCache::DropUser(std::int64_t user_id) {
  MutexLock lk(mu_);
  ++generation_;
  auto u = by_user_.find(user_id);
  if (u == by_user_.end()) return;
  std::vector<std::string> hashes = std::move(u->second);
  by_user_.erase(u);
  for (const auto& h : hashes) {
    auto it = by_hash_.find(h);
    if (it == by_hash_.end()) continue;
    oldest_.erase(it->second.age);
    by_hash_.erase(it);
  }
}

void SessionCache::OnSignal(std::string_view payload) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(payload.data(), payload.data() + payload.size(), id);
  if (ec != std::errc() || end != payload.data() + payload.size()) {
    MutexLock lk(mu_);
    ClearLocked();
    return;
  }
  DropUser(id);
}

void SessionCache::SetListening(bool listening) {
  MutexLock lk(mu_);
  listening_ = listening;
  ClearLocked();
}

std::size_t SessionCache::Size() const {
  MutexLock lk(mu_);
  return by_hash_.size();
}

void SessionCache::EraseLocked(std::unordered_map<std::string, Entry, Hash, std::equal_to<>>::iterator it) {
  if (auto u = by_user_.find(it->second.user.id); u != by_user_.end()) {
    auto& v = u->second;
    v.erase(std::remove(v.begin(), v.end(), it->first), v.end());
    if (v.empty()) by_user_.erase(u);
  }
  oldest_.erase(it->second.age);
  by_hash_.erase(it);
}

void SessionCache::ClearLocked() {
  ++generation_;
  by_hash_.clear();
  oldest_.clear();
  by_user_.clear();
}

}  // namespace atelier::accounts
