#include "http/request_head.h"

#include "common/text.h"

namespace atelier::http {

bool DecodePath(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size() || HexDigitValue(in[i + 1]) < 0 || HexDigitValue(in[i + 2]) < 0) return false;
      char c = static_cast<char>(HexDigitValue(in[i + 1]) * 16 + HexDigitValue(in[i + 2]));
      if (c == '\0') return false;
      out.push_back(c);
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return true;
}

bool BuildRequestHead(std::string_view method, std::string_view target, std::span<const HeaderField> fields,
                      Request& req) {
  req.method = std::string(method);
  req.target = std::string(target);
  size_t q = target.find('?');
  bool path_ok = DecodePath(target.substr(0, q), req.path);
  if (q != std::string_view::npos) req.query_string = std::string(target.substr(q + 1));
  req.headers.reserve(req.headers.size() + fields.size());
  for (const auto& f : fields) {
    std::string name(f.name);
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    req.headers.emplace_back(std::move(name), std::string(f.value));
  }
  return path_ok;
}

}  // namespace atelier::http
