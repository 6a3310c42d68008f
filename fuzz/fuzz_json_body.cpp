// A JSON request body as handlers read it: Request::JsonBody (content type, syntax, depth,
// UTF-8), then BodyReader's typed getters, as the request structs of every feature use them.
// Invariants: only ApiError 400/422 escapes; every string that comes out is valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/error.h"
#include "common/json_util.h"
#include "common/text.h"
#include "http/types.h"

using namespace atelier;

namespace {

void CheckUtf8(const boost::json::value& v, int depth) {
  if (depth > 64) std::abort();  // JsonBody caps the depth far below this
  switch (v.kind()) {
    case boost::json::kind::string:
      if (!IsValidUtf8(v.get_string())) std::abort();
      (void)Utf8Length(v.get_string());
      (void)CaseFoldKey(v.get_string());
      break;
    case boost::json::kind::array:
      for (const auto& e : v.get_array()) CheckUtf8(e, depth + 1);
      break;
    case boost::json::kind::object:
      for (const auto& kv : v.get_object()) {
        if (!IsValidUtf8(kv.key())) std::abort();
        CheckUtf8(kv.value(), depth + 1);
      }
      break;
    default:
      break;
  }
}

void ReadFields(const boost::json::object& obj) {
  BodyReader r(obj);
  const char* keys[] = {"username",      "email",       "password", "login",          "name",
                        "title",         "description", "token",    "votesPerMember", "expiresInHours",
                        "emailVerified", "to",          "role",     "portfolioUrl"};
  for (const char* k : keys) {
    (void)r.Has(k);
    (void)r.IsNull(k);
    if (auto s = r.String(k)) {
      if (!IsValidUtf8(*s)) std::abort();
      (void)Trim(*s);
      (void)Utf8Length(*s);
    }
    (void)r.Int(k);
    (void)r.Bool(k);
    if (const auto* o = r.Object(k)) (void)o->size();
  }
  try {
    (void)r.RequireString("name");
  } catch (const ApiError& e) {
    if (e.Status() != 400 && e.Status() != 422) std::abort();
  }
  try {
    r.Finish();
  } catch (const ApiError& e) {
    if (e.Status() != 422) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  http::Request req;
  req.headers = {{"content-type", "application/json; charset=utf-8"}};
  req.body.assign(reinterpret_cast<const char*>(data), size);
  boost::json::object obj;
  try {
    obj = req.JsonBody();
  } catch (const ApiError& e) {
    if (e.Status() != 400) std::abort();
    return 0;
  }
  CheckUtf8(obj, 0);
  ReadFields(obj);
  return 0;
}
