#pragma once
// The one place where errors become HTTP answers (application/problem+json, docs/product.md §2).
#include <string>

#include "common/error.h"
#include "http/types.h"

namespace atelier::http {

Response Problem(const ApiError& e);
Response Problem(int status, std::string code, std::string detail);
// A short English title for a status ("Not Found").
const char* StatusTitle(int status);

}  // namespace atelier::http
