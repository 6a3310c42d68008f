#pragma once
// Turning a parsed request line and header block into an http::Request, as the server
// does before routing. Plain types only (no Beast), so the fuzzers can drive it directly.
#include <span>
#include <string>
#include <string_view>

#include "http/types.h"

namespace atelier::http {

struct HeaderField {
  std::string_view name;
  std::string_view value;
};

// Percent-decodes a path; false on a malformed escape or an encoded NUL.
bool DecodePath(std::string_view in, std::string& out);

// Sets req.method, target, path (percent-decoded), query_string (raw, without '?') and
// headers (names lowercased, in order). Returns false when the path is malformed: the
// server then answers 400 without routing.
bool BuildRequestHead(std::string_view method, std::string_view target, std::span<const HeaderField> fields,
                      Request& req);

}  // namespace atelier::http
