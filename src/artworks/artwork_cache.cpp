#include "artworks/artwork_cache.h"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <vector>

namespace atelier::artworks {

namespace {
std::size_t Cost(const ArtworkHeadCache::Head& head) { return head->size() + ArtworkHeadCache::kEntryOverhead; }
}  // namespace

std::size_t ArtworkHeadCache::Find(std::int64_t epoch, std::span<const std::int64_t> ids, std::span<Head> heads) {
  std::size_t found = 0;
  bool from_old = false;
  {
    ReaderLock lock(mu_);
    if (epoch != epoch_) return 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (auto it = young_.find(ids[i]); it != young_.end()) {
        heads[i] = it->second;
        ++found;
      } else if (auto old = old_.find(ids[i]); old != old_.end()) {
        heads[i] = old->second;
        from_old = true;
        ++found;
      }
    }
  }
  if (from_old) {
    // What pages keep asking for comes back into the young map, so it survives the next turn.
    WriterLock lock(mu_);
    if (epoch == epoch_)
      for (std::size_t i = 0; i < ids.size(); ++i)
        if (heads[i] && !young_.contains(ids[i]) && old_.contains(ids[i])) InsertYoung(ids[i], heads[i]);
  }
  return found;
}

void ArtworkHeadCache::Store(std::int64_t epoch, std::int64_t id, Head head) {
  if (!head || head->empty() || Cost(head) > max_bytes_ / 2) return;
  WriterLock lock(mu_);
  if (epoch < epoch_) return;
  if (epoch > epoch_) {
    young_.clear();
    old_.clear();
    young_bytes_ = old_bytes_ = 0;
    epoch_ = epoch;
  }
  if (auto it = young_.find(id); it != young_.end()) {
    young_bytes_ -= Cost(it->second);
    young_.erase(it);
  }
  InsertYoung(id, std::move(head));
}

void ArtworkHeadCache::InsertYoung(std::int64_t id, Head head) {
  const std::size_t cost = Cost(head);
  if (young_bytes_ + cost > max_bytes_ / 2) {
    old_ = std::move(young_);
    old_bytes_ = young_bytes_;
    young_ = Map();
    young_bytes_ = 0;
  }
  young_bytes_ += cost;
  young_.emplace(id, std::move(head));
}

ArtworkHeadCache::Stats ArtworkHeadCache::GetStats() const {
  ReaderLock lock(mu_);
  Stats s;
  s.epoch = epoch_;
  s.bytes = young_bytes_ + old_bytes_;
  s.entries = young_.size() + old_.size();
  for (const auto& [id, head] : old_)
    if (young_.contains(id)) {
      --s.entries;
      s.bytes -= Cost(head);
    }
  return s;
}

EventKeys::EventKeys(std::int64_t epoch, bool with_counts, std::vector<std::int64_t> ids,
                     std::vector<std::int64_t> votes)
    : epoch_(epoch), with_counts_(with_counts), ids_(std::move(ids)), votes_(std::move(votes)) {
  if (!std::is_sorted(ids_.begin(), ids_.end(), std::greater<>()))
    throw std::invalid_argument("EventKeys: ids must be newest (largest) first");
  if (!with_counts_) {
    votes_.clear();
    return;
  }
  if (votes_.size() != ids_.size()) throw std::invalid_argument("EventKeys: one vote count per id");
  by_votes_.resize(ids_.size());
  for (std::uint32_t i = 0; i < by_votes_.size(); ++i) by_votes_[i] = i;
  // Most votes first, then the smallest (oldest) id first.
  std::sort(by_votes_.begin(), by_votes_.end(), [this](std::uint32_t a, std::uint32_t b) {
    return votes_[a] != votes_[b] ? votes_[a] > votes_[b] : ids_[a] < ids_[b];
  });
}

std::size_t EventKeys::Bytes() const { return EventKeysCache::Cost(ids_.size(), with_counts_); }

std::vector<ArtworkRow> EventKeys::Newest(std::optional<std::int64_t> before_id, std::size_t n) const {
  // ids_ descends: the first id below before_id.
  auto it = before_id ? std::upper_bound(ids_.begin(), ids_.end(), *before_id, std::greater<>()) : ids_.begin();
  const std::size_t from = static_cast<std::size_t>(it - ids_.begin());
  const std::size_t to = std::min(ids_.size(), from + n);
  std::vector<ArtworkRow> out(to - from);
  for (std::size_t i = from; i < to; ++i) {
    out[i - from].id = ids_[i];
    if (with_counts_) out[i - from].vote_count = votes_[i];
  }
  return out;
}

std::vector<ArtworkRow> EventKeys::ByVotes(std::optional<std::pair<std::int64_t, std::int64_t>> after,
                                           std::size_t n) const {
  if (!with_counts_) throw std::logic_error("EventKeys::ByVotes needs counts");
  std::size_t from = 0;
  if (after) {
    // The first item ordered after (votes, id): fewer votes, or as many and a larger id.
    auto it = std::partition_point(by_votes_.begin(), by_votes_.end(), [&](std::uint32_t i) {
      return votes_[i] > after->first || (votes_[i] == after->first && ids_[i] <= after->second);
    });
    from = static_cast<std::size_t>(it - by_votes_.begin());
  }
  const std::size_t to = std::min(by_votes_.size(), from + n);
  std::vector<ArtworkRow> out(to - from);
  for (std::size_t k = from; k < to; ++k) {
    out[k - from].id = ids_[by_votes_[k]];
    out[k - from].vote_count = votes_[by_votes_[k]];
  }
  return out;
}

int EventKeys::RankOf(std::int64_t votes) const {
  if (!with_counts_) throw std::logic_error("EventKeys::RankOf needs counts");
  auto it =
      std::partition_point(by_votes_.begin(), by_votes_.end(), [&](std::uint32_t i) { return votes_[i] > votes; });
  return static_cast<int>(it - by_votes_.begin()) + 1;
}

EventKeysCache::Ptr EventKeysCache::Find(std::int64_t event_id, std::int64_t epoch, bool with_counts) {
  MutexLock lock(mu_);
  auto it = entries_.find(event_id);
  if (it == entries_.end()) return nullptr;
  const EventKeys& k = *it->second.keys;
  if (k.Epoch() != epoch || (with_counts && !k.WithCounts())) return nullptr;
  it->second.used = ++use_clock_;
  return it->second.keys;
}

std::optional<bool> EventKeysCache::StoredWithCounts(std::int64_t event_id) const {
  MutexLock lock(mu_);
  auto it = entries_.find(event_id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.keys->WithCounts();
}

bool EventKeysCache::BeginLoad(std::int64_t event_id, std::size_t artworks, bool with_counts) {
  if (Cost(artworks, with_counts) > max_bytes_ / 2) return false;
  MutexLock lock(mu_);
  return loading_.insert(event_id).second;
}

void EventKeysCache::Store(std::int64_t event_id, Ptr keys) {
  MutexLock lock(mu_);
  loading_.erase(event_id);
  if (!keys || keys->Bytes() > max_bytes_ / 2) return;
  if (auto it = entries_.find(event_id); it != entries_.end()) {
    // Keep the newer epoch (a reader with an older snapshot may finish its load last), and
    // of one epoch the keys with counts.
    const EventKeys& old = *it->second.keys;
    if (old.Epoch() > keys->Epoch() || (old.Epoch() == keys->Epoch() && old.WithCounts() && !keys->WithCounts()))
      return;
    bytes_ -= it->second.keys->Bytes();
    entries_.erase(it);
  }
  while (bytes_ + keys->Bytes() > max_bytes_ && !entries_.empty()) {
    auto victim = std::min_element(entries_.begin(), entries_.end(),
                                   [](const auto& a, const auto& b) { return a.second.used < b.second.used; });
    bytes_ -= victim->second.keys->Bytes();
    entries_.erase(victim);
  }
  bytes_ += keys->Bytes();
  entries_[event_id] = Entry{std::move(keys), ++use_clock_};
}

void EventKeysCache::EndLoad(std::int64_t event_id) {
  MutexLock lock(mu_);
  loading_.erase(event_id);
}

std::size_t EventKeysCache::Bytes() const {
  MutexLock lock(mu_);
  return bytes_;
}

}  // namespace atelier::artworks
