"""docs/product.md §3: registration, verification, login with lockout, reset, sessions, profiles."""
import concurrent.futures
import re
import statistics
import time

import requests

from conftest import PASSWORD, field_error, problem, unique


def register(server, **body):
    return server.client().post("/api/v1/auth/register", json=body)


# --- registration -----------------------------------------------------------------------

def test_register_returns_private_user_and_sends_verification(server):
    name = unique("Reg")
    r = register(server, username=name, email=f"{name}@Example.TEST", password=PASSWORD)
    assert r.status_code == 201, r.text
    u = r.json()
    assert u["username"] == name.lower()
    assert u["email"] == f"{name.lower()}@example.test"
    assert u["emailVerified"] is False
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", u["createdAt"])
    assert u["profile"] == {"displayName": name.lower(), "bio": "", "portfolioUrl": None}
    assert isinstance(u["id"], str)
    msg = server.wait_mail(u["email"], "verify")[-1]
    for header in ["To", "From", "Subject", "Date", "Message-ID"]:
        assert msg[header], header
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert f"{server.url}/verify-email?token=" in body or "/verify-email?token=" in body


def test_register_validation_errors_change_nothing(server):
    r = register(server, username="ab", email="not-an-email", password="short")
    body = field_error(r, "username", "invalid")
    fields = {(e["field"], e["code"]) for e in body["errors"]}
    assert ("email", "invalid") in fields and ("password", "weak_password") in fields
    name = unique()
    field_error(register(server, username=name, email=f"{name}@x.test", password=name), "password", "weak_password")
    field_error(register(server, username=name, email=f"{name}@x.test", password=f"{name}@x.test"), "password",
                "weak_password")
    field_error(register(server, username=name, email=f"{name}@x.test", password="a" * 129), "password",
                "weak_password")
    # Nothing was created by the refused attempts: the name is still free.
    assert register(server, username=name, email=f"{name}@x.test", password=PASSWORD).status_code == 201


def test_register_missing_field_is_400(server):
    problem(register(server, username="someone"), 400, "bad_request")
    r = server.client().post("/api/v1/auth/register", json={"username": 5, "email": "a@b.cd", "password": PASSWORD})
    assert r.status_code == 422


def test_register_duplicates(server):
    name = unique()
    assert register(server, username=name, email=f"{name}@x.test", password=PASSWORD).status_code == 201
    problem(register(server, username=name.upper(), email=f"other_{name}@x.test", password=PASSWORD), 409,
            "username_taken")
    problem(register(server, username="o" + name, email=f"{name.upper()}@X.TEST", password=PASSWORD), 409,
            "email_taken")


def test_parallel_registrations_of_one_name_create_one_user(server):
    name = unique()

    def attempt(i):
        return register(server, username=name, email=f"{name}_{i}@x.test", password=PASSWORD).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        codes = list(ex.map(attempt, range(8)))
    assert codes.count(201) == 1, codes
    assert all(c in (201, 409) for c in codes), codes


# --- verification -----------------------------------------------------------------------

def test_verify_email_once(server):
    u = server.register()
    token = server.link_token(u["email"], "/verify-email")
    c = server.client()
    r = c.post("/api/v1/auth/verify-email", json={"token": token})
    assert r.status_code == 200 and r.json()["emailVerified"] is True
    problem(c.post("/api/v1/auth/verify-email", json={"token": token}), 400, "invalid_token")
    problem(c.post("/api/v1/auth/verify-email", json={"token": "nonsense"}), 400, "invalid_token")
    problem(c.post("/api/v1/auth/verify-email", json={}), 400, "bad_request")


def test_resend_verification_is_202_always_and_old_tokens_stay_valid(server):
    u = server.register()
    first = server.link_token(u["email"], "/verify-email")
    c = server.client()
    assert c.post("/api/v1/auth/resend-verification", json={"email": u["email"]}).status_code == 202
    server.wait_mail(u["email"], "verify", count=2)
    assert c.post("/api/v1/auth/resend-verification", json={"email": "nobody@nowhere.test"}).status_code == 202
    r = c.post("/api/v1/auth/verify-email", json={"token": first})
    assert r.status_code == 200


def test_verification_token_expires_after_24_hours(make_server):
    srv = make_server("--rate-limits", "off", env={"ATELIER_TEST_CLOCK_OFFSET_MS": "0"})
    u = srv.register()
    token = srv.link_token(u["email"], "/verify-email")
    srv.stop()
    # The same database, a day later.
    later = type(srv)(srv.db_url, srv.workdir, [], env={"ATELIER_TEST_CLOCK_OFFSET_MS": str(25 * 3600 * 1000)})
    try:
        problem(later.client().post("/api/v1/auth/verify-email", json={"token": token}), 410, "token_expired")
    finally:
        later.stop()


# --- login, sessions, cookies, CSRF -----------------------------------------------------

def test_login_by_username_or_email_and_token_works(server):
    u = server.register()
    for login in [u["username"], u["email"].upper()]:
        r = server.client().post("/api/v1/auth/login", json={"login": login, "password": PASSWORD})
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["token"]) >= 22 and body["user"]["id"] == u["id"] and body["expiresAt"].endswith("Z")
        me = server.client(body["token"]).get("/api/v1/me")
        assert me.status_code == 200 and me.json()["username"] == u["username"]


def test_wrong_password_and_unknown_login_are_indistinguishable(server):
    u = server.register()
    c = server.client()
    a = c.post("/api/v1/auth/login", json={"login": u["username"], "password": "wrong password!"})
    b = c.post("/api/v1/auth/login", json={"login": unique("ghost"), "password": "wrong password!"})
    pa, pb = problem(a, 401, "invalid_credentials"), problem(b, 401, "invalid_credentials")
    assert pa == pb

    def timed(login):
        t = time.perf_counter()
        c.post("/api/v1/auth/login", json={"login": login, "password": "wrong password!"})
        return time.perf_counter() - t

    # Interleaved, so that a change in the machine's load weighs on both alike; spread over
    # three accounts, so that none reaches the lockout (5 failures) and answers 423 early.
    known_logins = [u["username"], server.register()["username"], server.register()["username"]]
    pairs = [(timed(known_logins[i % 3]), timed(unique("ghost"))) for i in range(7)]
    known = statistics.median(k for k, _ in pairs)
    unknown = statistics.median(g for _, g in pairs)
    # Both hash a password (tens of ms); an early return for unknown users would be ~1 ms.
    assert unknown > known * 0.5, (known, unknown)


def test_unauthenticated_and_bad_tokens(server):
    c = server.client()
    problem(c.get("/api/v1/me"), 401, "unauthenticated")
    problem(server.client("not-a-token").get("/api/v1/me"), 401, "unauthenticated")
    problem(c.post("/api/v1/auth/logout"), 401, "unauthenticated")


def test_logout_ends_the_token_at_once(server):
    c = server.user()
    assert c.post("/api/v1/auth/logout").status_code == 204
    problem(c.get("/api/v1/me"), 401, "unauthenticated")


def test_cookies_and_csrf(server):
    u = server.register()
    s = requests.Session()
    r = s.post(server.url + "/api/v1/auth/login", json={"login": u["username"], "password": PASSWORD})
    assert r.status_code == 200
    cookies = r.headers.get("Set-Cookie", "")
    assert "atelier_session=" in cookies and "HttpOnly" in cookies and "SameSite=Lax" in cookies
    assert s.get(server.url + "/api/v1/me").status_code == 200  # cookie alone authenticates reads
    problem(s.patch(server.url + "/api/v1/me", json={"bio": "x"}), 403, "csrf_failed")
    problem(s.patch(server.url + "/api/v1/me", json={"bio": "x"}, headers={"X-CSRF-Token": "wrong"}), 403,
            "csrf_failed")
    csrf = s.cookies.get("atelier_csrf")
    r = s.patch(server.url + "/api/v1/me", json={"bio": "with csrf"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["profile"]["bio"] == "with csrf"
    # A Bearer token needs no CSRF header.
    token = server.login(u["username"]).token
    r = requests.patch(server.url + "/api/v1/me", json={"bio": "bearer"}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    r = s.post(server.url + "/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    assert s.get(server.url + "/api/v1/me").status_code == 401


# --- lockout ----------------------------------------------------------------------------

def test_lockout_after_consecutive_failures_even_with_right_password(make_server):
    srv = make_server("--rate-limits", "off", "--lockout-attempts", "3", "--lockout-seconds", "2")
    u = srv.register()
    c = srv.client()
    bad = {"login": u["username"], "password": "wrong password!"}
    good = {"login": u["username"], "password": PASSWORD}
    # A success resets the count.
    for _ in range(2):
        problem(c.post("/api/v1/auth/login", json=bad), 401, "invalid_credentials")
    assert c.post("/api/v1/auth/login", json=good).status_code == 200
    for _ in range(3):
        problem(c.post("/api/v1/auth/login", json=bad), 401, "invalid_credentials")
    problem(c.post("/api/v1/auth/login", json=good), 423, "account_locked")
    problem(c.post("/api/v1/auth/login", json=bad), 423, "account_locked")
    alert = srv.wait_mail(u["email"], "security alert")[-1]
    assert "/reset-password?token=" in alert.get_body(preferencelist=("plain",)).get_content()
    time.sleep(2.2)
    assert c.post("/api/v1/auth/login", json=good).status_code == 200


def test_parallel_failed_logins_count_exactly(make_server):
    srv = make_server("--rate-limits", "off", "--lockout-attempts", "5")
    u = srv.register()

    def attempt(_):
        return srv.client().post("/api/v1/auth/login",
                                 json={"login": u["username"], "password": "wrong password!"}).status_code

    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        codes = list(ex.map(attempt, range(24)))
    assert codes.count(401) == 5, codes
    assert codes.count(423) == 19, codes
    time.sleep(1)
    assert len(srv.wait_mail(u["email"], "security alert")) == 1


def test_reset_clears_the_lock(make_server):
    srv = make_server("--rate-limits", "off", "--lockout-attempts", "2")
    u = srv.register()
    c = srv.client()
    for _ in range(2):
        c.post("/api/v1/auth/login", json={"login": u["username"], "password": "wrong password!"})
    problem(c.post("/api/v1/auth/login", json={"login": u["username"], "password": PASSWORD}), 423, "account_locked")
    token = srv.link_token(u["email"], "/reset-password", "security alert")
    assert c.post("/api/v1/auth/password-reset/confirm",
                  json={"token": token, "password": "a brand new password"}).status_code == 204
    assert c.post("/api/v1/auth/login",
                  json={"login": u["username"], "password": "a brand new password"}).status_code == 200


# --- password reset ---------------------------------------------------------------------

def test_password_reset_flow(server):
    u = server.register()
    old = server.login(u["username"])
    c = server.client()
    assert c.post("/api/v1/auth/password-reset/request", json={"email": u["email"]}).status_code == 202
    assert c.post("/api/v1/auth/password-reset/request", json={"email": "ghost@nowhere.test"}).status_code == 202
    token = server.link_token(u["email"], "/reset-password", "reset")
    field_error(c.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "short"}),
                "password", "weak_password")
    r = c.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "another good password"})
    assert r.status_code == 204
    problem(c.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "another one here"}),
            400, "invalid_token")
    problem(c.post("/api/v1/auth/password-reset/confirm", json={"token": "nope", "password": "another one here"}),
            400, "invalid_token")
    # Every session ended; the email counts as verified; the new password works.
    problem(old.get("/api/v1/me"), 401, "unauthenticated")
    fresh = server.login(u["username"], "another good password")
    assert fresh.get("/api/v1/me").json()["emailVerified"] is True
    problem(c.post("/api/v1/auth/login", json={"login": u["username"], "password": PASSWORD}), 401,
            "invalid_credentials")


def test_reset_token_expires_after_an_hour(make_server):
    srv = make_server("--rate-limits", "off")
    u = srv.register()
    srv.client().post("/api/v1/auth/password-reset/request", json={"email": u["email"]})
    token = srv.link_token(u["email"], "/reset-password", "reset")
    srv.stop()
    later = type(srv)(srv.db_url, srv.workdir, [], env={"ATELIER_TEST_CLOCK_OFFSET_MS": str(61 * 60 * 1000)})
    try:
        problem(later.client().post("/api/v1/auth/password-reset/confirm",
                                    json={"token": token, "password": "a fine new password"}), 410, "token_expired")
    finally:
        later.stop()


# --- profile and password change --------------------------------------------------------

def test_profile_update_and_validation(server):
    c = server.user()
    r = c.patch("/api/v1/me", json={"displayName": "Ada ✓", "bio": "paints", "portfolioUrl": "https://ada.example/"})
    assert r.status_code == 200, r.text
    p = r.json()["profile"]
    assert p == {"displayName": "Ada ✓", "bio": "paints", "portfolioUrl": "https://ada.example/"}
    field_error(c.patch("/api/v1/me", json={"displayName": ""}), "displayName", "invalid")
    field_error(c.patch("/api/v1/me", json={"displayName": "x" * 65}), "displayName", "invalid")
    assert c.patch("/api/v1/me", json={"displayName": "é" * 64}).status_code == 200  # characters, not bytes
    field_error(c.patch("/api/v1/me", json={"bio": "b" * 2001}), "bio", "too_long")
    field_error(c.patch("/api/v1/me", json={"portfolioUrl": "javascript:alert(1)"}), "portfolioUrl", "invalid")
    field_error(c.patch("/api/v1/me", json={"portfolioUrl": "https://x.example/" + "a" * 2048}), "portfolioUrl",
                "invalid")
    assert c.get("/api/v1/me").json()["profile"]["bio"] == "paints"  # refused patches changed nothing
    r = c.patch("/api/v1/me", json={"portfolioUrl": None})
    assert r.json()["profile"]["portfolioUrl"] is None
    pub = server.user().get(f"/api/v1/users/{c.username}")
    assert pub.status_code == 200
    assert set(pub.json()) == {"id", "username", "displayName", "bio", "portfolioUrl"}
    assert "email" not in pub.json()
    problem(c.get("/api/v1/users/nobody_" + unique()), 404, "not_found")
    problem(server.client().get(f"/api/v1/users/{c.username}"), 401, "unauthenticated")


def test_change_password_ends_other_sessions(server):
    c = server.user()
    other = server.login(c.username)
    problem(c.post("/api/v1/me/password", json={"currentPassword": "wrong password", "newPassword": "x" * 12}), 403,
            "wrong_password")
    field_error(c.post("/api/v1/me/password", json={"currentPassword": PASSWORD, "newPassword": "short"}),
                "newPassword", "weak_password")
    assert other.get("/api/v1/me").status_code == 200  # refused changes end nothing
    r = c.post("/api/v1/me/password", json={"currentPassword": PASSWORD, "newPassword": "the next password"})
    assert r.status_code == 204
    assert c.get("/api/v1/me").status_code == 200
    problem(other.get("/api/v1/me"), 401, "unauthenticated")
    server.login(c.username, "the next password")


# --- rate limits ------------------------------------------------------------------------

def test_rate_limits_answer_429_with_retry_after(make_server):
    srv = make_server()  # rate limits on (the default)
    c = srv.client()
    codes = []
    for i in range(12):
        r = c.post("/api/v1/auth/password-reset/request", json={"email": f"someone{i}@x.test"})
        codes.append(r.status_code)
        if r.status_code == 429:
            problem(r, 429, "rate_limited")
            assert int(r.headers["Retry-After"]) >= 1
    assert codes[:10] == [202] * 10 and 429 in codes, codes
    # Per account: the same address is limited sooner.
    srv2 = make_server()
    codes = [srv2.client().post("/api/v1/auth/password-reset/request", json={"email": "same@x.test"}).status_code
             for _ in range(5)]
    assert codes[:3] == [202] * 3 and codes[3] == 429, codes


def test_rate_limits_behind_a_trusted_proxy_count_each_client(make_server):
    def reset_codes(srv, forwarded_for, n):
        return [srv.client().post("/api/v1/auth/password-reset/request", json={"email": f"{unique('x')}@x.test"},
                                  headers={"X-Forwarded-For": forwarded_for}).status_code for _ in range(n)]

    behind = make_server("--trusted-proxies", "127.0.0.1,10.9.9.9")
    assert reset_codes(behind, "198.51.100.1", 11)[-1] == 429  # one client is limited …
    assert reset_codes(behind, "198.51.100.2", 10) == [202] * 10  # … another is not
    # A forged entry on the left does not give a client a fresh budget.
    assert reset_codes(behind, "6.6.6.6, 198.51.100.1", 1) == [429]
    direct = make_server()  # no trusted proxies: the header is ignored
    codes = [c for ip in range(11) for c in reset_codes(direct, f"203.0.113.{ip}", 1)]
    assert codes[-1] == 429, codes
