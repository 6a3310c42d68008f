"""Database outage (hardening issue, docs/product.md §1 /readyz): with PostgreSQL stopped mid-run,
requests answer 503 `unavailable` quickly and /readyz says so; when PostgreSQL is back on
the same port, service resumes by itself (no restart of atelier), background work included.
PostgreSQL only: SQLite is a file in the process and cannot go away like this."""
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from conftest import BACKEND, ROOT, problem, unique

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="needs PostgreSQL (ATELIER_TEST_BACKEND=postgres)")

PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
QUICK = 2.0  # seconds: an answer during an outage must not hang


def as_postgres(*cmd):
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return list(cmd)


class OwnCluster:
    """A cluster of this test's own (it is stopped and started again, so it cannot be the
    session's shared one)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="atelier-outage-pg-")
        out = subprocess.run([str(ROOT / "scripts" / "pg-cluster"), "start", self.dir], check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()
        self.url = out[-1]
        self.port = int(re.search(r":(\d+)/", self.url).group(1))

    def stop(self):
        subprocess.run(as_postgres(str(PGBIN / "pg_ctl"), "-D", self.dir, "-m", "immediate", "stop"),
                       check=True, capture_output=True)

    def start(self):
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
        subprocess.run(as_postgres(str(PGBIN / "pg_ctl"), "-D", self.dir, "-l", f"{self.dir}/server.log", "-w",
                                   "-t", "30", "-o", opts, "start"), check=True, capture_output=True)

    def remove(self):
        subprocess.run([str(ROOT / "scripts" / "pg-cluster"), "stop", self.dir], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster():
    c = OwnCluster()
    yield c
    c.remove()


def timed(fn):
    t0 = time.monotonic()
    r = fn()
    return r, time.monotonic() - t0


def wait_until(pred, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if pred():
                return time.monotonic()
        except requests.RequestException:
            pass
        time.sleep(0.1)
    return None


def test_postgres_outage_answers_503_quickly_and_recovers_by_itself(make_server, cluster):
    s = make_server("--rate-limits", "off", db_url=cluster.url)
    alice = s.user()
    assert alice.get("/api/v1/me").status_code == 200
    assert requests.get(s.url + "/readyz", timeout=5).status_code == 200

    cluster.stop()
    down_at = time.monotonic()

    # Reads, writes, logins (crypto pool) and /readyz: all 503, all quick. A few rounds, so
    # that both pooled connections (now dead) and fresh connects (refused) are exercised.
    for _ in range(3):
        r, took = timed(lambda: alice.get("/api/v1/me", timeout=10))
        problem(r, 503, "unavailable")
        assert took < QUICK, f"GET /me took {took:.2f}s during the outage"
        assert r.headers.get("Retry-After")
        r, took = timed(lambda: alice.patch("/api/v1/me", json={"displayName": "Down"}, timeout=10))
        problem(r, 503, "unavailable")
        assert took < QUICK
        r, took = timed(lambda: s.client().post("/api/v1/auth/login",
                                                json={"login": alice.username, "password": "whatever it is"},
                                                timeout=10))
        problem(r, 503, "unavailable")
        assert took < QUICK
        r, took = timed(lambda: requests.get(s.url + "/readyz", timeout=10))
        assert r.status_code == 503, r.text
        assert took < QUICK + 1  # /readyz may spend its own 2 s ping deadline
        # liveness is not readiness: the process itself is fine
        r, took = timed(lambda: requests.get(s.url + "/healthz", timeout=10))
        assert r.status_code == 200 and took < 0.5
    assert s.proc.poll() is None, "atelier exited during the outage"
    print(f"\n{3 * 5} requests answered during the outage in {time.monotonic() - down_at:.2f}s")

    cluster.start()
    up_at = time.monotonic()
    ok = wait_until(lambda: alice.get("/api/v1/me", timeout=5).status_code == 200, 10)
    assert ok is not None, "service did not resume within 10 s of PostgreSQL coming back"
    print(f"service resumed {ok - up_at:.2f}s after PostgreSQL came back")
    assert wait_until(lambda: requests.get(s.url + "/readyz", timeout=5).status_code == 200, 5)
    # writes work again, and the session from before the outage is still valid
    r = alice.patch("/api/v1/me", json={"displayName": "Back"})
    assert r.status_code == 200, r.text
    assert alice.get("/api/v1/me").json()["profile"]["displayName"] == "Back"
    # background work resumed too: a new registration's verification mail goes out
    name = unique()
    r = s.client().post("/api/v1/auth/register",
                        json={"username": name, "email": f"{name}@example.test", "password": "correct horse battery"})
    assert r.status_code == 201, r.text
    s.wait_mail(f"{name}@example.test", timeout=15)
    assert s.proc.poll() is None

