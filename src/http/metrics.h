#pragma once
// Prometheus metrics: requests by route and status, a latency histogram, and gauges that
// other parts register (pool use). Thread-safe.
#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>
#include "common/mutex.h"

namespace atelier::http {

class Metrics {
 public:
  void Observe(const std::string& route, int status, double seconds);
  void AddGauge(std::string name, std::string help, std::function<double()> read);
  // Like AddGauge, for a value that only grows (rendered with TYPE counter).
  void AddCounter(std::string name, std::string help, std::function<double()> read);
  std::string Render() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  5.0};
  mutable Mutex mu_;
  std::map<std::pair<std::string, int>, long long> requests_ GUARDED_BY(mu_);
  std::array<long long, kBuckets.size()> bucket_counts_ GUARDED_BY(mu_){};
  long long count_ GUARDED_BY(mu_) = 0;
  double sum_ GUARDED_BY(mu_) = 0;
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
    const char* type = "gauge";
  };
  std::vector<Gauge> gauges_ GUARDED_BY(mu_);
};

}  // namespace atelier::http
