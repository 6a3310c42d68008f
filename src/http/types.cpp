#include "http/types.h"

#include <boost/json.hpp>

#include "common/error.h"
#include "common/text.h"

namespace atelier::http {

namespace {
std::string FormDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && HexDigitValue(s[i + 1]) >= 0 && HexDigitValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigitValue(s[i + 1]) * 16 + HexDigitValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}
}  // namespace

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

std::optional<std::string> Request::Query(std::string_view name) const {
  std::string_view qs = query_string;
  while (!qs.empty()) {
    size_t amp = qs.find('&');
    std::string_view pair = qs.substr(0, amp);
    size_t eq = pair.find('=');
    std::string key = FormDecode(pair.substr(0, eq));
    if (key == name) return eq == std::string_view::npos ? std::string() : FormDecode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    qs.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::string> Request::Cookie(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k != "cookie") continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view item = rest.substr(0, semi);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      size_t eq = item.find('=');
      if (eq != std::string_view::npos && item.substr(0, eq) == name) {
        std::string_view val = item.substr(eq + 1);
        while (!val.empty() && val.back() == ' ') val.remove_suffix(1);
        if (val.size() >= 2 && val.front() == '"' && val.back() == '"') val = val.substr(1, val.size() - 2);
        return std::string(val);
      }
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 1);
    }
  }
  return std::nullopt;
}

const std::string& Request::Param(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return kEmpty;
}

boost::json::object Request::JsonBody() const {
  std::string_view ct = Header("content-type");
  auto semi = ct.find(';');
  std::string_view mime = ct.substr(0, semi);
  while (!mime.empty() && mime.back() == ' ') mime.remove_suffix(1);
  std::string lowered(mime);
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lowered != "application/json" && !(lowered.starts_with("application/") && lowered.ends_with("+json")))
    throw BadRequest("Content-Type must be application/json");
  boost::json::parse_options opts;
  opts.max_depth = 32;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec, {}, opts);
  if (ec) throw BadRequest("The body is not valid JSON");
  if (!v.is_object()) throw BadRequest("The body must be a JSON object");
  return std::move(v.get_object());
}

bool SseSink::Push(std::string event) {
  std::function<void()> waker;
  bool kept = true;
  {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    if (queued_bytes_ + event.size() > max_queued_) {
      // The writer has not taken what was queued: the client stopped reading.
      closed_ = aborted_ = dropped_ = true;
      queue_.clear();
      queued_bytes_ = 0;
      kept = false;
    } else {
      queued_bytes_ += event.size();
      queue_.push_back(std::move(event));
    }
    waker = waker_;
  }
  if (waker) waker();
  return kept;
}

void SseSink::PushUnbounded(std::string event) {
  std::function<void()> waker;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    queued_bytes_ += event.size();
    queue_.push_back(std::move(event));
    waker = waker_;
  }
  if (waker) waker();
}

void SseSink::Close() {
  std::function<void()> waker;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    waker = waker_;
  }
  if (waker) waker();
}

void SseSink::End(bool dropped) {
  std::function<void()> waker;
  {
    std::lock_guard lock(mu_);
    if (aborted_) return;
    closed_ = aborted_ = true;
    dropped_ = dropped;
    queue_.clear();
    queued_bytes_ = 0;
    waker = waker_;
  }
  if (waker) waker();
}

void SseSink::Abort() { End(false); }

void SseSink::Drop() { End(true); }

bool SseSink::Closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

bool SseSink::Aborted() const {
  std::lock_guard lock(mu_);
  return aborted_;
}

bool SseSink::Dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

std::vector<std::string> SseSink::Take(bool& closed) {
  std::lock_guard lock(mu_);
  closed = closed_;
  queued_bytes_ = 0;
  return std::exchange(queue_, {});
}

void SseSink::SetWaker(std::function<void()> waker) {
  std::lock_guard lock(mu_);
  waker_ = std::move(waker);
}

Response Response::Json(int status, const boost::json::value& v) { return JsonText(status, boost::json::serialize(v)); }

Response Response::JsonText(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

Response Response::NoContent() {
  Response r;
  r.status = 204;
  return r;
}

}  // namespace atelier::http
