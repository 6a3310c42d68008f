#pragma once
// Mutexes that clang's -Wthread-safety can check. libstdc++'s std::mutex carries no
// capability attributes, so members guarded by one cannot be annotated; these thin
// wrappers can. Declare `Mutex mu_;` and `int n_ GUARDED_BY(mu_);`, lock with
// `MutexLock lock(mu_);`, and the thread-safety build (`make test`) refuses code that
// touches `n_` without holding `mu_`. With GCC the attributes expand to nothing and the
// wrappers cost nothing.
//
// Condition variables wait on MutexLock::Native() (a std::unique_lock over the same
// std::mutex); the analysis treats the lock as held across the wait, as it is on return.
#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define ATELIER_TSA(x) __attribute__((x))
#else
#define ATELIER_TSA(x)
#endif

#define CAPABILITY(x) ATELIER_TSA(capability(x))
#define SCOPED_CAPABILITY ATELIER_TSA(scoped_lockable)
#define GUARDED_BY(x) ATELIER_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) ATELIER_TSA(pt_guarded_by(x))
#define REQUIRES(...) ATELIER_TSA(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) ATELIER_TSA(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) ATELIER_TSA(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) ATELIER_TSA(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) ATELIER_TSA(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) ATELIER_TSA(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) ATELIER_TSA(release_generic_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) ATELIER_TSA(try_acquire_capability(__VA_ARGS__))
#define EXCLUDES(...) ATELIER_TSA(locks_excluded(__VA_ARGS__))
#define RETURN_CAPABILITY(x) ATELIER_TSA(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS ATELIER_TSA(no_thread_safety_analysis)

namespace atelier {

class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  bool try_lock() TRY_ACQUIRE(true) { return mu_.try_lock(); }
  // Tells the analysis that the caller holds this mutex where it cannot see it (e.g. in a
  // callback that runs under the lock).
  void AssertHeld() const ATELIER_TSA(assert_capability(this)) {}
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

// Holds a Mutex for its scope; Unlock()/Lock() may release and take it again inside it.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : lock_(mu.native()) {}
  ~MutexLock() RELEASE() {}
  void Unlock() RELEASE() { lock_.unlock(); }
  void Lock() ACQUIRE() { lock_.lock(); }
  // For std::condition_variable::wait and friends.
  std::unique_lock<std::mutex>& Native() { return lock_; }

  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  std::unique_lock<std::mutex> lock_;
};

class CAPABILITY("shared mutex") SharedMutex {
 public:
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  void lock_shared() ACQUIRE_SHARED() { mu_.lock_shared(); }
  void unlock_shared() RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

class SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~WriterLock() RELEASE() { mu_.unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex& mu_;
};

class SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_.lock_shared(); }
  ~ReaderLock() RELEASE() { mu_.unlock_shared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mu_;
};

}  // namespace atelier
