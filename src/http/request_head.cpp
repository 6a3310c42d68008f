#include "http/request_head.h"

#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/url_view.hpp>

namespace atelier::http {

namespace urls = boost::urls;

bool DecodePath(std::string_view in, std::string& out) {
  out.clear();
  auto encoded = urls::make_pct_string_view(in);
  if (!encoded) return false;
  out = encoded->decode();
  return out.find('\0') == std::string::npos;
}

bool BuildRequestHead(std::string_view method, std::string_view target, std::span<const HeaderField> fields,
                      Request& req) {
  req.method = std::string(method);
  req.target = std::string(target);
  req.headers.reserve(req.headers.size() + fields.size());
  for (const auto& f : fields) {
    std::string name(f.name);
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    req.headers.emplace_back(std::move(name), std::string(f.value));
  }
  req.path.clear();
  req.segments.clear();
  req.query_string.clear();
  auto url = urls::parse_origin_form(target);
  if (!url) return false;
  if (!DecodePath(url->encoded_path(), req.path)) {
    req.path.clear();
    return false;
  }
  const auto segments = url->segments();
  req.segments.assign(segments.begin(), segments.end());
  req.query_string = std::string(url->encoded_query());
  return true;
}

}  // namespace atelier::http
