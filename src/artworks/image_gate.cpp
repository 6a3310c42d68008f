#include "artworks/image_gate.h"

#include <algorithm>

namespace atelier::artworks {

std::variant<ImageGate::Pass, ImageGate::Refusal> ImageGate::Enter(std::int64_t user_id, const ImageProbe& probe) {
  const bool heavy = probe.pixels > opt_.light_pixels;
  // One decode over the whole budget could never start; ProbeImage's per-decode limit is
  // meant to refuse those, and this keeps a misconfiguration from blocking forever.
  const std::size_t bytes = std::min(probe.decode_bytes, opt_.memory_budget);
  MutexLock lock(mu_);
  if (!heavy) {
    ++running_;
    bytes_ += bytes;
    return Pass(this, user_id, bytes, false);
  }
  int& mine = per_user_[user_id];
  if (mine >= opt_.per_user) return Refusal::kUserBusy;
  if (heavy_ >= opt_.heavy_slots) {
    if (mine == 0) per_user_.erase(user_id);
    return Refusal::kBusy;
  }
  ++mine;
  ++heavy_;
  const std::uint64_t ticket = next_ticket_++;
  queue_.push_back(ticket);
  const auto until = std::chrono::steady_clock::now() + opt_.max_wait;
  bool admitted = false;
  while (!(admitted = queue_.front() == ticket && bytes_ + bytes <= opt_.memory_budget)) {
    if (cv_.wait_until(lock.Native(), until) == std::cv_status::timeout) {
      admitted = queue_.front() == ticket && bytes_ + bytes <= opt_.memory_budget;
      break;
    }
  }
  queue_.erase(std::find(queue_.begin(), queue_.end(), ticket));
  if (!admitted) {
    --heavy_;
    if (--per_user_[user_id] == 0) per_user_.erase(user_id);
    cv_.notify_all();  // the next in line may be at the front now
    return Refusal::kBusy;
  }
  ++running_;
  bytes_ += bytes;
  cv_.notify_all();  // the next in line may fit too
  return Pass(this, user_id, bytes, true);
}

void ImageGate::Leave(std::int64_t user_id, std::size_t bytes, bool heavy) {
  {
    MutexLock lock(mu_);
    --running_;
    bytes_ -= bytes;
    if (heavy) {
      --heavy_;
      if (--per_user_[user_id] == 0) per_user_.erase(user_id);
    }
  }
  cv_.notify_all();
}

ImageGate::Snapshot ImageGate::Now() const {
  MutexLock lock(mu_);
  return {running_, static_cast<int>(queue_.size()), bytes_};
}

}  // namespace atelier::artworks
