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

// Sets req.method, target, headers (names lowercased, in order) and, from the target read
// as an RFC 3986 origin-form (Boost.URL), path (percent-decoded), segments (each
// percent-decoded, so "%2F" stays inside its segment) and query_string (as sent, without
// '?'). Returns false when the target is not a valid origin-form (a malformed escape in the
// path or the query, a character RFC 3986 does not allow there) or its path has an
// encoded NUL: the server then answers 400 without routing, and path, segments and
// query_string are left empty.
bool BuildRequestHead(std::string_view method, std::string_view target, std::span<const HeaderField> fields,
                      Request& req);

}  // namespace atelier::http
