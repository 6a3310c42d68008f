"""Black-box API tests: the real build/atelier binary on an ephemeral port.

The backend comes from ATELIER_TEST_BACKEND: "sqlite" (a temporary file) or "postgres"
(a throwaway PostgreSQL cluster that this file starts with scripts/pg-cluster and removes
at the end; every server gets a database of its own in it).
"""
import email
import email.policy
import itertools
import os
import re
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

import openapi_contract
from openapi_contract import ContractViolation, check_response

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("ATELIER_BIN", ROOT / "build" / "atelier"))
BACKEND = os.environ.get("ATELIER_TEST_BACKEND", "sqlite")
PASSWORD = "correct horse battery"

_counter = itertools.count(1)
_counter_lock = threading.Lock()


def unique(prefix="u"):
    """A name no other test uses (usernames allow [a-z0-9_])."""
    with _counter_lock:
        n = next(_counter)
    return f"{prefix}{n}_{uuid.uuid4().hex[:8]}"


# ── the contract check ────────────────────────────────────────────────────────────────
# Every answer that any `requests` call of these tests receives (Client, requests.get,
# requests.Session(): all go through Session.send) is checked against docs/openapi.yaml.
# A mismatch raises ContractViolation at the call, and is also remembered so that a test
# that swallows it (a thread, a retry loop, pytest.raises(Exception)) still fails.
# ATELIER_CONTRACT_LOG=FILE writes the mismatches to FILE instead and fails nothing (to
# survey a whole run after changing the document).
_CONTRACT_LOG = os.environ.get("ATELIER_CONTRACT_LOG")
_original_send = requests.Session.send


def _checked_send(self, request, **kwargs):
    response = _original_send(self, request, **kwargs)
    try:
        check_response(response, streamed=kwargs.get("stream", False))
    except ContractViolation as e:
        if _CONTRACT_LOG:  # survey mode: note every mismatch, fail nothing
            with open(_CONTRACT_LOG, "a", encoding="utf-8") as f:
                f.write(str(e) + "\n")
            return response
        openapi_contract.violations.append(str(e))
        raise
    return response


requests.Session.send = _checked_send


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    openapi_contract.violations.clear()
    outcome = yield
    if openapi_contract.violations and outcome.excinfo is None:
        found = list(openapi_contract.violations)
        openapi_contract.violations.clear()
        raise ContractViolation(f"{len(found)} answer(s) broke docs/openapi.yaml:\n" + "\n".join(found))



class PgCluster:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="atelier-pg-")
        out = subprocess.run([str(ROOT / "scripts" / "pg-cluster"), "start", self.dir],
                             check=True, capture_output=True, text=True).stdout.strip().splitlines()
        self.url = out[-1]
        self.base = self.url.rsplit("/", 1)[0]

    def new_database(self):
        name = "t_" + uuid.uuid4().hex[:12]
        port = re.search(r":(\d+)/", self.url).group(1)
        subprocess.run(["/usr/bin/psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "postgres",
                        "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
        return f"{self.base}/{name}"

    def stop(self):
        subprocess.run([str(ROOT / "scripts" / "pg-cluster"), "stop", self.dir], capture_output=True)


class Server:
    """One atelier process with its own database, data dir and mail dir."""

    def __init__(self, db_url, workdir, extra_args=(), env=None, log_name="server.log", data_dir=None):
        self.workdir = Path(workdir)
        self.data_dir = Path(data_dir) if data_dir else self.workdir / "data"
        self.mail_dir = self.workdir / "mail"
        self.log_path = self.workdir / log_name
        self.db_url = db_url
        self.args = ["serve", "--listen", "127.0.0.1:0", "--db", db_url, "--data-dir", str(self.data_dir),
                     "--mail-dir", str(self.mail_dir), "--access-log", "off", "--scheduler-interval-ms", "100",
                     *extra_args]
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.url = None
        self.start()

    def start(self):
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "ab")
        offset = self.log.tell()
        self.proc = subprocess.Popen([str(BIN), *self.args], stdout=self.log, stderr=subprocess.STDOUT,
                                     env=self.env)
        deadline = time.time() + 20
        while time.time() < deadline:
            text = self.log_path.read_bytes()[offset:].decode(errors="replace")
            m = re.findall(r"listening on (http://[0-9.:]+)", text)
            if m:
                self.url = m[-1]
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"atelier exited with {self.proc.returncode}:\n{text}")
            time.sleep(0.02)
        raise RuntimeError("atelier did not start:\n" + self.log_path.read_text(errors="replace"))

    def stop(self, sig=None):
        if self.proc and self.proc.poll() is None:
            if sig is None:
                self.proc.terminate()
            else:
                self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def client(self, token=None):
        return Client(self, token)

    def logged_errors(self):
        """The log lines of this server's process(es) at level warn or above, for a failure
        message: a 500 says only "something went wrong", the log says what."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return [line for line in text.splitlines() if '"level":"info"' not in line and line.strip()]

    # --- mail -------------------------------------------------------------------------
    def mails(self, to=None):
        out = []
        if not self.mail_dir.exists():
            return out
        # Files are named by outbox id: oldest first means numeric order ("100" after "99").
        for p in sorted(self.mail_dir.glob("*.eml"), key=lambda f: (len(f.stem), f.stem)):
            msg = email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            if to is None or to.lower() in str(msg["To"]).lower():
                out.append(msg)
        return out

    def wait_mail(self, to, subject_contains="", count=1, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = [m for m in self.mails(to) if subject_contains.lower() in str(m["Subject"]).lower()]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no mail to {to} with {subject_contains!r} after {timeout}s "
                             f"(have: {[str(m['Subject']) for m in self.mails(to)]})")

    def link_token(self, to, path, subject_contains=""):
        """The token of the newest link {publicUrl}{path}?token=… mailed to `to`."""
        msgs = self.wait_mail(to, subject_contains)
        body = msgs[-1].get_body(preferencelist=("plain",)).get_content()
        tokens = re.findall(re.escape(path) + r"\?token=([A-Za-z0-9_-]+)", body)
        assert tokens, body
        return tokens[-1]

    # --- users ------------------------------------------------------------------------
    def register(self, username=None, email=None, password=PASSWORD):
        username = username or unique()
        email = email or f"{username}@example.test"
        r = self.client().post("/api/v1/auth/register",
                               json={"username": username, "email": email, "password": password})
        assert r.status_code == 201, r.text
        return r.json()

    def login(self, login, password=PASSWORD):
        r = self.client().post("/api/v1/auth/login", json={"login": login, "password": password})
        assert r.status_code == 200, r.text
        return self.client(r.json()["token"])

    def user(self, verified=True, username=None):
        """A registered (and by default verified) user, logged in with a Bearer token."""
        u = self.register(username=username)
        if verified:
            token = self.link_token(u["email"], "/verify-email")
            r = self.client().post("/api/v1/auth/verify-email", json={"token": token})
            assert r.status_code == 200, r.text
        c = self.login(u["username"])
        c.user = c.get("/api/v1/me").json()
        return c


class Client:
    """requests with the server's base URL and an optional Bearer token."""

    def __init__(self, server, token=None):
        self.server = server
        self.token = token
        self.session = requests.Session()
        self.user = None

    def request(self, method, path, **kw):
        headers = dict(kw.pop("headers", {}) or {})
        if self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        kw.setdefault("timeout", 30)
        return self.session.request(method, self.server.url + path, headers=headers, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    @property
    def id(self):
        return self.user["id"]

    @property
    def username(self):
        return self.user["username"]


def problem(r, status, code):
    """Asserts r is a problem+json answer with this status and code."""
    assert r.status_code == status, f"expected {status} {code}, got {r.status_code}: {r.text}"
    assert r.headers["Content-Type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert body["status"] == status and body["code"] == code, body
    assert body.get("title") and "detail" in body and "type" in body, body
    return body


def field_error(r, field, code):
    body = problem(r, 422, "validation_failed")
    assert any(e["field"] == field and e["code"] == code for e in body["errors"]), body
    return body


@pytest.fixture(scope="session")
def pg_cluster():
    if BACKEND != "postgres":
        yield None
        return
    cluster = PgCluster()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def make_server(pg_cluster, tmp_path_factory):
    """Starts a new server with extra flags; all are stopped at the end of the session."""
    servers = []

    def make(*extra_args, env=None, db_url=None, workdir=None, data_dir=None):
        """workdir: another server's workdir, to share its data dir and mail dir (each
        process still writes a log of its own there); data_dir: a data dir of its own
        instead (the mail dir stays the workdir's)."""
        log_name = "server.log"
        if workdir is None:
            workdir = tmp_path_factory.mktemp("atelier")
        else:
            log_name = f"server-{uuid.uuid4().hex[:8]}.log"
        if db_url is None:
            db_url = pg_cluster.new_database() if pg_cluster else f"sqlite:{workdir}/atelier.db"
        s = Server(db_url, workdir, extra_args, env, log_name=log_name, data_dir=data_dir)
        servers.append(s)
        return s

    make.pg_cluster = pg_cluster
    yield make
    for s in servers:
        s.stop()


@pytest.fixture(scope="session")
def server(make_server):
    """The shared server most tests use (rate limits off, default lockout)."""
    return make_server("--rate-limits", "off")
