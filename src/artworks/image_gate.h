#pragma once
// Admission of image decodes (uploads): bounds the memory all decodes hold at once, the
// decodes one user runs at once, and keeps small images from queueing behind large ones.
//
// Every upload asks Enter() with the ImageProbe read from its header, before decoding:
// - Light images (at most `light_pixels`) start at once: they take a fraction of a second
//   and little memory, and never wait behind a large one (the upload rate limit bounds how
//   many one user sends).
// - Per user: at most `per_user` heavy decodes at once (running or waiting); one more is
//   refused at once (kUserBusy → 429 rate_limited with Retry-After).
// - Heavy images start in arrival order when their decode_bytes fit in what is left of
//   `memory_budget` (light decodes in flight count too). At most `heavy_slots` heavy decodes
//   run or wait at once, and none waits longer than `max_wait`; beyond either, kBusy (503
//   busy with Retry-After). Waiting blocks the caller's thread: heavy_slots must be smaller
//   than the image pool, so that its other threads are always free for light uploads.
//
// Thread-safe. Enter blocks (heavy images only, up to max_wait); a Pass releases its share
// when destroyed, on any thread.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <variant>

#include "artworks/image.h"
#include "common/mutex.h"

namespace atelier::artworks {

class ImageGate {
 public:
  struct Options {
    std::size_t memory_budget = std::size_t{1} << 30;  // bytes of ImageProbe::decode_bytes at once
    int per_user = 2;                                  // heavy decodes
    int heavy_slots = 3;                               // heavy decodes running or waiting
    long long light_pixels = 4'000'000;                // at most this: light
    std::chrono::milliseconds max_wait{60'000};
  };
  enum class Refusal { kUserBusy, kBusy };

  // A running decode's share of the gate; move-only, released by its destructor.
  class Pass {
   public:
    Pass(Pass&& other) noexcept : gate_(other.gate_), user_(other.user_), bytes_(other.bytes_), heavy_(other.heavy_) {
      other.gate_ = nullptr;
    }
    Pass& operator=(Pass&&) = delete;
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;
    ~Pass() {
      if (gate_ != nullptr) gate_->Leave(user_, bytes_, heavy_);
    }

   private:
    friend class ImageGate;
    Pass(ImageGate* gate, std::int64_t user, std::size_t bytes, bool heavy)
        : gate_(gate), user_(user), bytes_(bytes), heavy_(heavy) {}
    ImageGate* gate_;
    std::int64_t user_;
    std::size_t bytes_;
    bool heavy_;
  };

  explicit ImageGate(Options options) : opt_(options) {}
  ImageGate(const ImageGate&) = delete;
  ImageGate& operator=(const ImageGate&) = delete;

  std::variant<Pass, Refusal> Enter(std::int64_t user_id, const ImageProbe& probe);

  // Seconds a refused caller should wait before retrying (Retry-After).
  static constexpr int kRetryAfterSeconds = 10;

  // For tests and metrics: what is admitted and queued now.
  struct Snapshot {
    int running = 0;
    int waiting = 0;
    std::size_t bytes = 0;
  };
  Snapshot Now() const;
  const Options& options() const { return opt_; }

 private:
  void Leave(std::int64_t user_id, std::size_t bytes, bool heavy);

  const Options opt_;
  mutable Mutex mu_;
  std::condition_variable cv_;
  // Heavy decodes running or waiting, by user.
  std::unordered_map<std::int64_t, int> per_user_ GUARDED_BY(mu_);
  std::deque<std::uint64_t> queue_ GUARDED_BY(mu_);  // heavy waiters, in arrival order
  std::uint64_t next_ticket_ GUARDED_BY(mu_) = 0;
  int running_ GUARDED_BY(mu_) = 0;
  int heavy_ GUARDED_BY(mu_) = 0;  // heavy decodes running or waiting
  std::size_t bytes_ GUARDED_BY(mu_) = 0;
};

}  // namespace atelier::artworks
