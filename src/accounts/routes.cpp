#include "accounts/routes.h"

#include "common/clock.h"
#include "common/crypto.h"
#include "common/json_util.h"
#include "http/client_ip.h"
#include "http/durable.h"
#include "http/json_response.h"

namespace atelier::accounts {

namespace {
using http::Pool;
using http::Request;
using http::Response;

std::string Ip(const http::TrustedProxies& proxies, const Request& req) {
  std::string ip = proxies.ClientIp(req);
  return ip.empty() ? "unknown" : ip;
}

void SetSessionCookies(Response& r, const std::string& token, Millis ttl_ms, bool secure) {
  std::string attrs = "; Path=/; SameSite=Lax; Max-Age=" + std::to_string(ttl_ms / 1000) + (secure ? "; Secure" : "");
  r.AddHeader("Set-Cookie", "atelier_session=" + token + attrs + "; HttpOnly");
  r.AddHeader("Set-Cookie", "atelier_csrf=" + RandomToken(24) + attrs);
}

void ClearSessionCookies(Response& r, bool secure) {
  std::string attrs = std::string("; Path=/; SameSite=Lax; Max-Age=0") + (secure ? "; Secure" : "");
  r.AddHeader("Set-Cookie", "atelier_session=" + attrs + "; HttpOnly");
  r.AddHeader("Set-Cookie", "atelier_csrf=" + attrs);
}
}  // namespace

void RegisterRoutes(http::Router& router, AccountService& svc, const Authenticator& auth,
                    const http::TrustedProxies& proxies, bool secure) {
  const std::string base = "/api/v1";
  router.Add("POST", base + "/auth/register",
             [&svc, &proxies](Request& req) {
               svc.Limit("register:ip:" + Ip(proxies, req), 10, 600'000);
               auto body = req.JsonBody();
               BodyReader in(body);
               auto username = in.RequireString("username");
               auto email = in.RequireString("email");
               auto password = in.RequireString("password");
               db::CommitToken durable;
               return http::Durable(http::JsonResponse(201, svc.Register(username, email, password, durable)), durable);
             },
             {.pool = Pool::kCrypto});
  router.Add("POST", base + "/auth/verify-email", [&svc](Request& req) {
    auto body = req.JsonBody();
    BodyReader in(body);
    db::CommitToken durable;
    return http::Durable(http::JsonResponse(200, svc.VerifyEmail(in.RequireString("token"), durable)), durable);
  });
  router.Add("POST", base + "/auth/resend-verification", [&svc, &proxies](Request& req) {
    svc.Limit("resend:ip:" + Ip(proxies, req), 10, 600'000);
    auto body = req.JsonBody();
    BodyReader in(body);
    db::CommitToken durable;
    svc.ResendVerification(in.RequireString("email"), durable);
    return http::Durable(http::JsonResponse(202, api::Accepted{}), durable);
  });
  router.Add("POST", base + "/auth/login",
             [&svc, &proxies, secure](Request& req) {
               svc.Limit("login:ip:" + Ip(proxies, req), 30, 60'000);
               auto body = req.JsonBody();
               BodyReader in(body);
               auto login = in.RequireString("login");
               auto password = in.RequireString("password");
               db::CommitToken durable;
               auto result = svc.Login(login, password, durable);
               auto r = http::JsonResponse(200, result);
               SetSessionCookies(r, result.token, AccountsConfig{}.session_ttl, secure);
               return http::Durable(std::move(r), durable);
             },
             {.pool = Pool::kCrypto});
  router.Add("POST", base + "/auth/logout", [&svc, &auth, secure](Request& req) {
    auto user = auth.Require(req);
    db::CommitToken durable;
    svc.Logout(user, durable);
    auto r = Response::NoContent();
    ClearSessionCookies(r, secure);
    return http::Durable(std::move(r), durable);
  });
  router.Add("POST", base + "/auth/password-reset/request", [&svc, &proxies](Request& req) {
    svc.Limit("reset:ip:" + Ip(proxies, req), 10, 600'000);
    auto body = req.JsonBody();
    BodyReader in(body);
    db::CommitToken durable;
    // `{login}` (username or email) or `{email}`; `login` wins when both are sent.
    const bool by_email = !in.Has("login");
    svc.RequestPasswordReset(in.RequireString(by_email ? "email" : "login"), by_email, durable);
    return http::Durable(http::JsonResponse(202, api::Accepted{}), durable);
  });
  router.Add("POST", base + "/auth/password-reset/confirm",
             [&svc, &proxies](Request& req) {
               svc.Limit("reset-confirm:ip:" + Ip(proxies, req), 20, 600'000);
               auto body = req.JsonBody();
               BodyReader in(body);
               auto token = in.RequireString("token");
               auto password = in.RequireString("password");
               db::CommitToken durable;
               svc.ConfirmPasswordReset(token, password, durable);
               return http::Durable(Response::NoContent(), durable);
             },
             {.pool = Pool::kCrypto});
  router.Add("GET", base + "/me", [&svc, &auth](Request& req) {
    return auth.RequireForRead(req, [&](const AuthUser& user) { return http::JsonResponse(200, svc.Me(user.id)); });
  });
  router.Add("PATCH", base + "/me", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    auto body = req.JsonBody();
    BodyReader in(body);
    auto display_name = in.String("displayName");
    auto bio = in.String("bio");
    bool url_null = in.IsNull("portfolioUrl");
    auto url = in.String("portfolioUrl");
    if (in.IsNull("displayName")) in.Errors().Add("displayName", "invalid", "must be a string");
    in.Finish();
    db::CommitToken durable;
    return http::Durable(http::JsonResponse(200, svc.UpdateProfile(user.id, display_name, bio, url, url_null, durable)),
                         durable);
  });
  router.Add("POST", base + "/me/password",
             [&svc, &auth](Request& req) {
               auto user = auth.Require(req);
               auto body = req.JsonBody();
               BodyReader in(body);
               auto current = in.RequireString("currentPassword");
               auto next = in.RequireString("newPassword");
               db::CommitToken durable;
               svc.ChangePassword(user, current, next, durable);
               return http::Durable(Response::NoContent(), durable);
             },
             {.pool = Pool::kCrypto});
  router.Add("DELETE", base + "/me",
             [&svc, &auth, secure](Request& req) {
               auto user = auth.Require(req);
               auto body = req.JsonBody();
               BodyReader in(body);
               auto password = in.RequireString("password");
               db::CommitToken durable;
               svc.DeleteAccount(user, password, durable);
               auto r = Response::NoContent();
               ClearSessionCookies(r, secure);
               return http::Durable(std::move(r), durable);
             },
             {.pool = Pool::kCrypto});
  router.Add("GET", base + "/me/export", [&svc, &auth](Request& req) {
    auto user = auth.Require(req);
    Response r;
    r.status = 200;
    r.content_type = "application/zip";
    r.file_path = svc.Export(user.id).string();
    r.AddHeader("Content-Disposition", "attachment; filename=\"atelier-" + user.username + ".zip\"");
    return r;
  });
  router.Add("GET", base + "/users/{username}", [&svc, &auth](Request& req) {
    auth.Require(req);
    return http::JsonResponse(200, svc.PublicProfile(req.Param("username")));
  });
}

}  // namespace atelier::accounts
