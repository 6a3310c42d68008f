#include "http/types.h"

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/url/decode_view.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>

#include "common/error.h"
#include "common/json_util.h"

namespace atelier::http {

namespace urls = boost::urls;

namespace {
// Boost.JSON's own parser handler (boost/json/detail/handler.hpp) plus a count of the
// members the text had. Boost 1.81 keeps the last of duplicate keys silently and has no
// option to refuse them, so the caller compares the count with the members the built
// objects hold: fewer means a key repeated. Counting costs nothing per byte.
struct CountingHandler {
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();
  using ec_t = boost::system::error_code;
  using sv = boost::json::string_view;

  CountingHandler(boost::json::storage_ptr sp, unsigned char* buffer, std::size_t size)
      : st(std::move(sp), buffer, size) {}

  boost::json::value_stack st;
  std::size_t members = 0;

  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_object_begin(ec_t&) { return true; }
  bool on_object_end(std::size_t n, ec_t&) {
    members += n;
    st.push_object(n);
    return true;
  }
  bool on_array_begin(ec_t&) { return true; }
  bool on_array_end(std::size_t n, ec_t&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(sv s, std::size_t, ec_t&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(sv s, std::size_t, ec_t&) {
    st.push_key(s);
    return true;
  }
  bool on_string_part(sv s, std::size_t, ec_t&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(sv s, std::size_t, ec_t&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(sv, ec_t&) { return true; }
  bool on_int64(std::int64_t i, sv, ec_t&) {
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, sv, ec_t&) {
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, sv, ec_t&) {
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, ec_t&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(ec_t&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(sv, ec_t&) { return true; }
  bool on_comment(sv, ec_t&) { return true; }
};

// Members held by the objects in v (the body is at most 32 levels deep).
std::size_t CountMembers(const boost::json::value& v) {
  std::size_t n = 0;
  if (const auto* o = v.if_object()) {
    n += o->size();
    for (const auto& kv : *o) n += CountMembers(kv.value());
  } else if (const auto* a = v.if_array()) {
    for (const auto& e : *a) n += CountMembers(e);
  }
  return n;
}
}  // namespace

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

std::optional<std::string> Request::Query(std::string_view name) const {
  if (query_string.empty()) return std::nullopt;
  auto params = urls::parse_query(query_string);
  if (!params) return std::nullopt;
  const urls::encoding_opts form(/*space_as_plus=*/true);
  for (const auto& p : *params) {
    if (urls::decode_view(p.key, form) == name) return p.has_value ? p.value.decode(form) : std::string();
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
  unsigned char temp[BOOST_JSON_STACK_BUFFER_SIZE];  // as boost::json::parse does
  boost::json::basic_parser<CountingHandler> parser(opts, boost::json::storage_ptr{}, temp, sizeof temp);
  parser.handler().st.reset();
  boost::system::error_code ec;
  const std::size_t used = parser.write_some(false, body.data(), body.size(), ec);
  if (!ec && used != body.size()) ec = boost::json::error::extra_data;
  if (ec) throw BadRequest("The body is not valid JSON");
  boost::json::value v = parser.handler().st.release();
  if (!v.is_object()) throw BadRequest("The body must be a JSON object");
  // A repeated key would otherwise mean "the last one wins", which a proxy or another
  // parser may read differently.
  if (CountMembers(v) != parser.handler().members) throw BadRequest("The body has a duplicate key in an object");
  return std::move(v.get_object());
}

bool SseSink::Push(std::string event) {
  std::function<void()> waker;
  bool kept = true;
  {
    MutexLock lock(mu_);
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
    MutexLock lock(mu_);
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
    MutexLock lock(mu_);
    closed_ = true;
    waker = waker_;
  }
  if (waker) waker();
}

void SseSink::End(bool dropped) {
  std::function<void()> waker;
  {
    MutexLock lock(mu_);
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
  MutexLock lock(mu_);
  return closed_;
}

bool SseSink::Aborted() const {
  MutexLock lock(mu_);
  return aborted_;
}

bool SseSink::Dropped() const {
  MutexLock lock(mu_);
  return dropped_;
}

std::vector<std::string> SseSink::Take(bool& closed) {
  MutexLock lock(mu_);
  closed = closed_;
  queued_bytes_ = 0;
  return std::exchange(queue_, {});
}

void SseSink::SetWaker(std::function<void()> waker) {
  MutexLock lock(mu_);
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

std::int64_t PathId(const Request& req, std::string_view name) {
  auto id = ParseId(req.Param(name));
  if (!id) throw NotFound();
  return *id;
}

}  // namespace atelier::http
