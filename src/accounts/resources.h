#pragma once
// The account resources of the API, each described once (common/json_describe.h).
// Resource structs live in namespace atelier::api, one `resources.h` per feature, named
// as docs/openapi.yaml names the schema; their members are named as the JSON members.
// Plain values: no invariants, no thread-safety of their own.
#include <optional>
#include <string>
#include <string_view>

#include "common/json_describe.h"

namespace atelier::api {

// The public view of a user, used everywhere but /me, register and login
// (docs/product.md §3).
struct PublicUser {
  Id id;
  std::string username;
  std::string displayName;
};
BOOST_DESCRIBE_STRUCT(PublicUser, (), (id, username, displayName))

// The editable part of an account, inside User.
struct Profile {
  std::string displayName;
  std::string bio;
  std::optional<std::string> portfolioUrl;
};
BOOST_DESCRIBE_STRUCT(Profile, (), (displayName, bio, portfolioUrl))

// The private view of the caller's own account: /me, register, verify-email, login.
struct User {
  Id id;
  std::string username;
  std::string email;
  bool emailVerified = false;
  Time createdAt;
  Profile profile;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, username, email, emailVerified, createdAt, profile))

// GET /users/{username}: the public view plus bio and portfolio URL.
struct UserProfile : PublicUser {
  std::string bio;
  std::optional<std::string> portfolioUrl;
};
BOOST_DESCRIBE_STRUCT(UserProfile, (PublicUser), (bio, portfolioUrl))

// POST /auth/login: the session token (also set as a cookie) and the account.
struct LoginResponse {
  std::string token;
  Time expiresAt;
  User user;
};
BOOST_DESCRIBE_STRUCT(LoginResponse, (), (token, expiresAt, user))

// The 202 of requests whose outcome is not told (resend verification, password reset):
// {"status":"accepted"} whether or not the account exists.
struct Accepted {
  std::string_view status = "accepted";
};
BOOST_DESCRIBE_STRUCT(Accepted, (), (status))

}  // namespace atelier::api
