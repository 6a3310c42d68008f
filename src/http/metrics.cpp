#include "http/metrics.h"

#include <cmath>
#include <sstream>

namespace atelier::http {

void Metrics::Observe(const std::string& route, int status, double seconds) {
  MutexLock lock(mu_);
  ++requests_[{route, status}];
  ++count_;
  sum_ += seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++bucket_counts_[i];
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
  MutexLock lock(mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

void Metrics::AddCounter(std::string name, std::string help, std::function<double()> read) {
  MutexLock lock(mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read), "counter"});
}

std::string Metrics::Render() const {
  std::ostringstream out;
  MutexLock lock(mu_);
  out << "# HELP atelier_http_requests_total HTTP requests by route pattern and status.\n"
      << "# TYPE atelier_http_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    out << "atelier_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
  out << "# HELP atelier_http_request_duration_seconds Time from request read to response ready.\n"
      << "# TYPE atelier_http_request_duration_seconds histogram\n";
  for (size_t i = 0; i < kBuckets.size(); ++i)
    out << "atelier_http_request_duration_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << bucket_counts_[i] << "\n";
  out << "atelier_http_request_duration_seconds_bucket{le=\"+Inf\"} " << count_ << "\n"
      << "atelier_http_request_duration_seconds_sum " << sum_ << "\n"
      << "atelier_http_request_duration_seconds_count " << count_ << "\n";
  for (const auto& g : gauges_) {
    out << "# HELP " << g.name << " " << g.help << "\n# TYPE " << g.name << " " << g.type << "\n" << g.name << " ";
    // Counts (bytes, connections) exactly: the stream's default precision would round them.
    const double v = g.read();
    if (v == std::floor(v) && std::fabs(v) < 9e15)
      out << static_cast<long long>(v) << "\n";
    else
      out << v << "\n";
  }
  return out.str();
}

}  // namespace atelier::http
