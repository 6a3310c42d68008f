#include "db/listeners.h"

#include "common/log.h"

namespace atelier::db::internal {

void Listeners::Add(std::string channel, Callback callback) {
  MutexLock lk(mu_);
  by_channel_[std::move(channel)].push_back(std::move(callback));
}

std::vector<std::string> Listeners::Channels() const {
  std::vector<std::string> out;
  MutexLock lk(mu_);
  out.reserve(by_channel_.size());
  for (const auto& [name, callbacks] : by_channel_) out.push_back(name);
  return out;
}

void Listeners::Deliver(std::string_view channel, std::string_view payload) const {
  std::vector<Callback> callbacks;
  {
    MutexLock lk(mu_);
    auto it = by_channel_.find(channel);
    if (it == by_channel_.end()) return;
    callbacks = it->second;
  }
  for (const auto& cb : callbacks) {
    try {
      cb(payload);
    } catch (...) {
      log::Error("notification listener failed",
                 {{"component", component_}, {"channel", channel}, {"error", log::CurrentError()}});
    }
  }
}

}  // namespace atelier::db::internal
