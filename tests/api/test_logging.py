"""Logging (issue 15): one JSON object per line in the server's output; every 5xx answer
logs a line with its request id; failures of background work (mail sender, scheduler,
LISTEN thread) are logged with their context; a constraint violation that a service did
not expect is a logged 500, not a blanket 409, while the races services expect keep their
SPEC codes (docs/operations.md, "Logs")."""
import json
import re
import socket
import subprocess
import threading
import time
import uuid

import pytest
import requests

from conftest import BACKEND, PASSWORD, problem, unique
from group_helpers import API, db_exec, new_group

TIME_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"


def log_lines(server):
    """Every line the server wrote, parsed: each must be one JSON object."""
    out = []
    for raw in server.log_path.read_text(errors="strict").splitlines():
        if not raw.strip():
            continue
        line = json.loads(raw)  # not JSON: the test fails here
        assert isinstance(line, dict), raw
        assert set(line) >= {"time", "level", "msg"}, raw
        assert line["level"] in ("debug", "info", "warn", "error", "fatal"), raw
        out.append(line)
    return out


def wait_line(server, pred, timeout=10):
    """The first log line for which pred holds, waiting for it to be written."""
    deadline = time.time() + timeout
    while True:
        found = [line for line in log_lines(server) if pred(line)]
        if found:
            return found[0]
        if time.time() > deadline:
            raise AssertionError(f"no such log line after {timeout}s:\n{server.log_path.read_text()}")
        time.sleep(0.1)


def rid():
    return "test-" + uuid.uuid4().hex[:16]


def in_parallel(fns):
    """Runs the functions at the same moment (one thread each); their results in order."""
    barrier = threading.Barrier(len(fns))
    results = [None] * len(fns)

    def run(i):
        barrier.wait()
        results[i] = fns[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def codes(responses):
    return sorted((r.status_code, r.json().get("code") if r.status_code >= 400 else None) for r in responses)


# --- the format -------------------------------------------------------------------------

def test_startup_line_and_every_line_is_json(make_server):
    s = make_server("--rate-limits", "off")
    s.user()
    lines = log_lines(s)
    start = [line for line in lines if "listening on" in line["msg"]]
    assert start and start[-1]["level"] == "info" and start[-1]["url"] == s.url, lines
    assert all(re.match(TIME_RE, line["time"]) for line in lines), lines


def test_access_log_is_a_json_line_per_request_without_query_or_credentials(make_server):
    s = make_server("--rate-limits", "off")
    s.stop()  # the test servers run with --access-log off: this one with it on
    s.args[s.args.index("--access-log") + 1] = "on"
    s.start()
    alice = s.user()
    request_id = rid()
    r = alice.get("/api/v1/me", params={"token": "query-secret-123"},
                  headers={"X-Request-Id": request_id, "Cookie": "atelier_session=cookie-secret-456"})
    assert r.status_code == 200 and r.headers["X-Request-Id"] == request_id
    line = wait_line(s, lambda l: l.get("request_id") == request_id)
    assert line["level"] == "info" and line["msg"] == "request", line
    assert line["method"] == "GET" and line["path"] == "/api/v1/me" and line["route"] == "/api/v1/me", line
    assert line["status"] == 200 and line["bytes"] == len(r.content) and line["ms"] >= 0, line
    assert line["ip"] == "127.0.0.1", line
    text = s.log_path.read_text()
    for secret in ("query-secret-123", "cookie-secret-456", alice.token, PASSWORD):
        assert secret not in text


# --- 5xx answers ------------------------------------------------------------------------

def provoke_constraint(server, table, event, condition):
    """A trigger that fails the statement with a constraint error the services do not
    expect (SQLite: RAISE in a trigger is SQLITE_CONSTRAINT; PostgreSQL: SQLSTATE 23514)."""
    name = "provoke_" + uuid.uuid4().hex[:8]
    if BACKEND == "sqlite":
        db_exec(server, f"CREATE TRIGGER {name} BEFORE {event} ON {table} WHEN {condition.replace('$', 'NEW.')} "
                        f"BEGIN SELECT RAISE(ABORT, 'provoked by the test'); END")
    else:
        db_exec(server, f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN "
                        f"IF {condition.replace('$', 'NEW.')} THEN RAISE EXCEPTION 'provoked by the test' "
                        f"USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $f$")
        db_exec(server, f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")


def assert_logged_500(server, request_id, method, route):
    line = wait_line(server, lambda l: l.get("request_id") == request_id)
    assert line["level"] == "error" and line["msg"] == "request failed", line
    assert line["method"] == method and line["route"] == route and line["status"] == 500, line
    assert "provoked by the test" in line["error"], line


def test_unexpected_constraint_violation_is_a_logged_500_not_a_409(make_server):
    s = make_server("--rate-limits", "off")
    alice = s.user()
    provoke_constraint(s, "users", "UPDATE", "$bio = 'boom'")
    request_id = rid()
    r = alice.patch("/api/v1/me", json={"bio": "boom"}, headers={"X-Request-Id": request_id})
    problem(r, 500, "internal_error")
    assert r.headers["X-Request-Id"] == request_id
    assert "provoked" not in r.text  # the client does not see the internals
    assert_logged_500(s, request_id, "PATCH", "/api/v1/me")
    # The rest of the service is unaffected.
    assert alice.patch("/api/v1/me", json={"bio": "fine"}).status_code == 200


def test_group_create_maps_only_the_name_race_to_group_name_taken(make_server):
    s = make_server("--rate-limits", "off")
    alice = s.user()
    provoke_constraint(s, "art_groups", "INSERT", "$description = 'boom'")
    request_id = rid()
    r = alice.post(f"{API}/groups", json={"name": unique("grp"), "description": "boom"},
                   headers={"X-Request-Id": request_id})
    problem(r, 500, "internal_error")
    assert_logged_500(s, request_id, "POST", "/api/v1/groups")
    new_group(alice, description="fine")


def test_group_rename_maps_only_the_name_race_to_group_name_taken(make_server):
    s = make_server("--rate-limits", "off")
    alice = s.user()
    gid = new_group(alice)["id"]
    provoke_constraint(s, "art_groups", "UPDATE", "$description = 'boom'")
    request_id = rid()
    r = alice.patch(f"{API}/groups/{gid}", json={"name": unique("grp"), "description": "boom"},
                    headers={"X-Request-Id": request_id})
    problem(r, 500, "internal_error")
    assert_logged_500(s, request_id, "PATCH", "/api/v1/groups/{id}")


# --- races that keep their SPEC codes ---------------------------------------------------

def register(server, username, email):
    return lambda: server.client().post("/api/v1/auth/register",
                                        json={"username": username, "email": email, "password": PASSWORD})


def test_parallel_registrations_of_one_username_answer_username_taken(server):
    name = unique()
    rs = in_parallel([register(server, name, f"{name}_{i}@x.test") for i in range(10)])
    assert codes(rs) == [(201, None)] + [(409, "username_taken")] * 9, codes(rs)


def test_parallel_registrations_of_one_email_answer_email_taken(server):
    name = unique()
    rs = in_parallel([register(server, f"{name}_{i}", f"{name}@x.test") for i in range(10)])
    assert codes(rs) == [(201, None)] + [(409, "email_taken")] * 9, codes(rs)


def test_parallel_group_creates_of_one_name_answer_group_name_taken(server):
    users = [server.user() for _ in range(6)]
    name = unique("grp")
    # Names are unique ignoring case: each creator spells it differently.
    spellings = [name, name.upper(), name.title(), name.capitalize(), name.swapcase(), name]
    rs = in_parallel([lambda u=u, n=n: u.post(f"{API}/groups", json={"name": n}) for u, n in zip(users, spellings)])
    assert codes(rs) == [(201, None)] + [(409, "group_name_taken")] * 5, codes(rs)


def test_parallel_renames_to_one_name_answer_group_name_taken(server):
    owner = server.user()
    gids = [new_group(owner)["id"] for _ in range(6)]
    name = unique("grp")
    rs = in_parallel([lambda g=g: owner.patch(f"{API}/groups/{g}", json={"name": name}) for g in gids])
    assert codes(rs) == [(200, None)] + [(409, "group_name_taken")] * 5, codes(rs)


def test_parallel_email_invitations_answer_already_invited(server):
    owner = server.user()
    gid = new_group(owner)["id"]
    address = f"{unique()}@nobody.test"  # no account: the pending-by-address index
    rs = in_parallel([lambda: owner.post(f"{API}/groups/{gid}/invitations", json={"email": address})
                      for _ in range(8)])
    assert codes(rs) == [(201, None)] + [(409, "already_invited")] * 7, codes(rs)


# --- background work --------------------------------------------------------------------

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_mail_delivery_failure_is_logged_with_context_and_no_secrets(make_server):
    closed = free_port()  # nothing listens there
    s = make_server("--rate-limits", "off", "--smtp-url", f"smtp://127.0.0.1:{closed}")
    u = s.register()
    line = wait_line(s, lambda l: l.get("component") == "mail")
    assert line["level"] == "error" and line["msg"] == "mail delivery failed", line
    assert isinstance(line["mail_id"], int) and line["attempt"] == 1 and line["retry_in_ms"] > 0, line
    assert "SMTP" in line["error"], line
    text = s.log_path.read_text()
    assert u["email"] not in text and "token=" not in text and str(closed) not in line["error"]
    # Still queued and retried, not dropped: the row says so.
    s.stop()
    if BACKEND == "sqlite":
        import sqlite3
        con = sqlite3.connect(s.db_url[len("sqlite:"):])
        attempts, sent = con.execute("SELECT attempts, sent_at FROM mail_outbox WHERE id = ?",
                                     (line["mail_id"],)).fetchone()
        con.close()
    else:
        out = subprocess.run(["/usr/bin/psql", s.db_url, "-Atc",
                              f"SELECT attempts, sent_at IS NULL FROM mail_outbox WHERE id = {line['mail_id']}"],
                             check=True, capture_output=True, text=True).stdout.strip().split("|")
        attempts, sent = int(out[0]), None if out[1] == "t" else 1
    assert attempts >= 1 and sent is None


@pytest.mark.skipif(BACKEND != "postgres", reason="needs PostgreSQL (ATELIER_TEST_BACKEND=postgres)")
def test_database_outage_logs_503_warnings_and_background_failures(make_server):
    from test_outage import OwnCluster
    cluster = OwnCluster()
    try:
        s = make_server("--rate-limits", "off", db_url=cluster.url)
        alice = s.user()
        cluster.stop()
        request_id = rid()
        r = alice.get("/api/v1/me", headers={"X-Request-Id": request_id}, timeout=10)
        problem(r, 503, "unavailable")
        line = wait_line(s, lambda l: l.get("request_id") == request_id)
        assert line["level"] == "warn" and line["msg"] == "request failed", line
        assert line["method"] == "GET" and line["route"] == "/api/v1/me" and line["status"] == 503, line
        assert line["error"], line
        # Background work says what fails, once per interval rather than once per pass.
        for component in ("pg_listen", "mail", "scheduler"):
            bg = wait_line(s, lambda l, c=component: l.get("component") == c and l["level"] in ("warn", "error"),
                           timeout=15)
            assert bg["error"], bg
        time.sleep(2)
        per_component = {}
        for l in log_lines(s):
            if l.get("component") in ("pg_listen", "mail", "scheduler"):
                per_component[l["component"]] = per_component.get(l["component"], 0) + 1
        # --scheduler-interval-ms 100 and the mail sender's 2 s retry would give many more.
        assert all(n <= 3 for n in per_component.values()), per_component
        cluster.start()
        deadline = time.time() + 15
        while time.time() < deadline:
            try:
                if alice.get("/api/v1/me", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        assert alice.get("/api/v1/me").status_code == 200
    finally:
        cluster.remove()
