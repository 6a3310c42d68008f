#pragma once
// A response whose body is one described resource (common/json_describe.h): the way
// routes answer with JSON.
#include <utility>

#include "common/json_describe.h"
#include "http/types.h"

namespace atelier::http {

template <typename T>
Response JsonResponse(int status, const T& value) {
  return Response::JsonText(status, ToJsonText(value));
}

}  // namespace atelier::http
