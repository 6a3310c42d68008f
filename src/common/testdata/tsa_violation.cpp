// Must NOT compile with -Wthread-safety -Werror: scripts/run-tests checks that the
// thread-safety build refuses a guarded member touched without its mutex, so the
// annotations in common/mutex.h cannot silently become no-ops.
#include "common/mutex.h"

namespace {
class Counter {
 public:
  void Bump() { ++n_; }  // the violation: mu_ is not held
  int Get() {
    atelier::MutexLock lock(mu_);
    return n_;
  }

 private:
  atelier::Mutex mu_;
  int n_ GUARDED_BY(mu_) = 0;
};
}  // namespace

int main() {
  Counter c;
  c.Bump();
  return c.Get();
}
