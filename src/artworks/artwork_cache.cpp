#include "artworks/artwork_cache.h"

#include <vector>

namespace atelier::artworks {

namespace {
std::size_t Cost(const ArtworkHeadCache::Text& head) { return head->size() + ArtworkHeadCache::kEntryOverhead; }
}  // namespace

std::size_t ArtworkHeadCache::Find(std::int64_t epoch, std::span<const std::int64_t> ids, std::span<Text> heads) {
  std::size_t found = 0;
  std::vector<std::size_t> from_old;
  {
    std::shared_lock lock(mu_);
    if (epoch != epoch_) return 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (auto it = young_.find(ids[i]); it != young_.end()) {
        heads[i] = it->second;
        ++found;
      } else if (auto old = old_.find(ids[i]); old != old_.end()) {
        heads[i] = old->second;
        from_old.push_back(i);
        ++found;
      }
    }
  }
  if (!from_old.empty()) {
    std::unique_lock lock(mu_);
    if (epoch == epoch_)
      for (std::size_t i : from_old)
        if (!young_.contains(ids[i])) InsertYoung(ids[i], heads[i]);
  }
  return found;
}

void ArtworkHeadCache::Store(std::int64_t epoch, std::int64_t id, Text head) {
  if (!head || Cost(head) > max_bytes_ / 2) return;
  std::unique_lock lock(mu_);
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

void ArtworkHeadCache::InsertYoung(std::int64_t id, Text head) {
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
  std::shared_lock lock(mu_);
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

}  // namespace atelier::artworks
