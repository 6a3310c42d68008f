#include "http/problem.h"

#include <boost/json.hpp>

namespace atelier::http {

const char* StatusTitle(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 423:
      return "Locked";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

Response Problem(const ApiError& e) {
  boost::json::object o;
  o["type"] = "https://atelier.invalid/problems/" + e.Code();
  o["title"] = StatusTitle(e.Status());
  o["status"] = e.Status();
  o["detail"] = e.what();
  o["code"] = e.Code();
  if (!e.Fields().empty()) {
    boost::json::array errors;
    for (const auto& f : e.Fields()) errors.push_back({{"field", f.field}, {"code", f.code}, {"message", f.message}});
    o["errors"] = std::move(errors);
  }
  Response r = Response::Json(e.Status(), o);
  r.content_type = "application/problem+json";
  if (e.RetryAfter() > 0) r.AddHeader("Retry-After", std::to_string(e.RetryAfter()));
  return r;
}

Response Problem(int status, std::string code, std::string detail) {
  return Problem(ApiError(status, std::move(code), std::move(detail)));
}

}  // namespace atelier::http
