#pragma once
// A bounded pool of connections, each lent to one thread at a time: the part of connection
// handling both backends share (SQLite for its readers, PostgreSQL for all its
// connections). What differs is chosen by the backend: whether the connections are opened
// at start (Fill) or on demand, how long Acquire may wait, and which connections are kept
// when they come back (`reusable`).
//
// Thread-safety: every member function may be called from any thread.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "common/mutex.h"

namespace atelier::db::internal {

template <typename C>
class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;

  // A lent connection; gives it back to the pool when destroyed. Empty when Acquire
  // timed out.
  class Lease {
   public:
    Lease() = default;
    Lease(ConnectionPool* pool, std::unique_ptr<C> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& o) noexcept : pool_(std::exchange(o.pool_, nullptr)), conn_(std::move(o.conn_)) {}
    Lease& operator=(Lease&& o) noexcept {
      if (this != &o) {
        Return();
        pool_ = std::exchange(o.pool_, nullptr);
        conn_ = std::move(o.conn_);
      }
      return *this;
    }
    ~Lease() { Return(); }
    explicit operator bool() const { return conn_ != nullptr; }
    C& operator*() const { return *conn_; }
    C* operator->() const { return conn_.get(); }
    // Gives the connection back now (the pool keeps it if it is reusable).
    void Return() {
      if (pool_ != nullptr) pool_->Release(std::move(conn_));
      pool_ = nullptr;
    }

   private:
    ConnectionPool* pool_ = nullptr;
    std::unique_ptr<C> conn_;
  };

  // At most `capacity` connections exist at once; `open` makes one (it may throw);
  // `reusable` tells whether one that comes back may be lent again (else it is closed and
  // a new one is opened when needed).
  ConnectionPool(
      int capacity, std::function<std::unique_ptr<C>()> open,
      std::function<bool(const C&)> reusable = [](const C&) { return true; })
      : capacity_(capacity), open_(std::move(open)), reusable_(std::move(reusable)) {}
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Opens connections until `capacity` exist, so that a failure to open shows now.
  void Fill() {
    for (;;) {
      {
        MutexLock lk(mu_);
        if (created_ >= capacity_) return;
        ++created_;
      }
      std::unique_ptr<C> conn;
      try {
        conn = open_();
      } catch (...) {
        MutexLock lk(mu_);
        --created_;
        throw;
      }
      MutexLock lk(mu_);
      idle_.push_back(std::move(conn));
    }
  }

  // Lends an idle connection, or opens one when fewer than `capacity` exist; otherwise
  // waits for one to come back, until `deadline` (none: as long as it takes). An empty
  // Lease when the deadline passed; what `open` throws goes on.
  Lease Acquire(std::optional<Clock::time_point> deadline = std::nullopt) {
    MutexLock lk(mu_);
    while (idle_.empty() && created_ >= capacity_) {
      if (!deadline) {
        cv_.wait(lk.Native());
      } else if (cv_.wait_until(lk.Native(), *deadline) == std::cv_status::timeout && idle_.empty() &&
                 created_ >= capacity_) {
        return Lease();
      }
    }
    ++in_use_;
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
    ++created_;
    lk.Unlock();
    try {
      return Lease(this, open_());
    } catch (...) {
      lk.Lock();
      --created_;
      --in_use_;
      lk.Unlock();
      cv_.notify_one();
      throw;
    }
  }

  int Capacity() const { return capacity_; }
  int InUse() const {
    MutexLock lk(mu_);
    return in_use_;
  }

 private:
  void Release(std::unique_ptr<C> conn) {
    const bool keep = conn != nullptr && reusable_(*conn);
    if (!keep) conn.reset();  // closed outside the lock
    {
      MutexLock lk(mu_);
      --in_use_;
      if (keep) {
        idle_.push_back(std::move(conn));
      } else {
        --created_;
      }
    }
    cv_.notify_one();
  }

  const int capacity_;
  const std::function<std::unique_ptr<C>()> open_;
  const std::function<bool(const C&)> reusable_;
  mutable Mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<C>> idle_ GUARDED_BY(mu_);
  int created_ GUARDED_BY(mu_) = 0;  // idle or lent
  int in_use_ GUARDED_BY(mu_) = 0;
};

}  // namespace atelier::db::internal
