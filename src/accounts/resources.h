#pragma once
// The account resources of the API, each described once (common/json_describe.h).
// Resource structs live in namespace atelier::api, one `resources.h` per feature, named
// as docs/openapi.yaml names the schema; their members are named as the JSON members.
#include <string>

#include "common/json_describe.h"

namespace atelier::api {

// The public view of a user, used everywhere but /me (docs/product.md §3).
struct PublicUser {
  Id id;
  std::string username;
  std::string displayName;
};
BOOST_DESCRIBE_STRUCT(PublicUser, (), (id, username, displayName))

}  // namespace atelier::api
