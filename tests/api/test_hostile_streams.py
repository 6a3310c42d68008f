"""Issue 16, items 2, 4 and 5: notification streams are bounded (per user, per process,
per slow client) and end with their session; a new password retires old reset tokens."""
import os
import re
import resource
import select
import socket
import time

import pytest
import requests

from conftest import BACKEND, PASSWORD, problem
from event_helpers import sql, wait_for
from group_helpers import API, invite, new_group

STREAM = f"{API}/notifications/stream"


# --- helpers ----------------------------------------------------------------------------

def open_stream(server, token, last_event_id=None, rcvbuf=None, wait_open=True):
    """A raw socket with GET /notifications/stream sent; with wait_open, the head and the
    ': stream open' comment have been read. Returns (socket, bytes read so far)."""
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)  # before connect: the window
    s.settimeout(30)
    s.connect((host, int(port)))
    head = f"GET {STREAM} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
    if last_event_id is not None:
        head += f"Last-Event-ID: {last_event_id}\r\n"
    s.sendall((head + "\r\n").encode())
    got = b""
    if wait_open:
        while b": stream open" not in got:
            chunk = s.recv(65536)
            assert chunk, f"stream closed before it opened: {got!r}"
            got += chunk
        assert got.startswith(b"HTTP/1.1 200"), got
    return s, got


def read_to_eof(sock, timeout=15):
    """Reads until the server ends the connection; fails if it is still open after
    `timeout` seconds. Returns what was read."""
    got = b""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"the stream is still open after {timeout}s: {got[-200:]!r}"
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return got
        except socket.timeout:
            continue
        if not chunk:
            return got
        got += chunk


def read_event(sock, timeout=15):
    """Reads until one notification event has arrived; returns the bytes read."""
    got = b""
    deadline = time.monotonic() + timeout
    while b"event: notification" not in got or not got.endswith(b"\n\n"):
        left = deadline - time.monotonic()
        assert left > 0, f"no notification within {timeout}s: {got!r}"
        sock.settimeout(left)
        chunk = sock.recv(65536)
        assert chunk, f"the stream ended: {got!r}"
        got += chunk
    return got


def still_open(sock, wait=0.3):
    """True when the server has not ended the connection (data, if any, is consumed)."""
    sock.setblocking(False)
    try:
        end = time.monotonic() + wait
        while time.monotonic() < end:
            poller = select.poll()  # not select(): descriptors above 1024 in the many-streams test
            poller.register(sock, select.POLLIN)
            if not poller.poll(max(0.0, end - time.monotonic()) * 1000):
                return True
            try:
                if not sock.recv(65536):
                    return False
            except (ConnectionResetError, BlockingIOError):
                return False
        return True
    finally:
        sock.setblocking(True)


def notify(server, user, owner=None):
    """One GROUP_INVITATION notification for `user` (a new group of `owner`, by default a
    new user)."""
    owner = owner or server.user()
    return invite(owner, new_group(owner)["id"], user)


def login(server, user, password=PASSWORD):
    """Another session of `user` (a Client with .user set)."""
    c = server.login(user.username, password)
    c.user = user.user
    return c


def metric(server, name):
    text = requests.get(server.url + "/metrics", timeout=10).text
    m = re.search(rf"^{name} (\S+)$", text, re.M)
    assert m, f"{name} not in /metrics"
    return float(m.group(1))


def fd_count(server):
    return len(os.listdir(f"/proc/{server.proc.pid}/fd"))


def client_connections(server):
    """How many sockets the server holds for its HTTP clients: the process's socket
    descriptors whose local port is the one it listens on. Database connections (a
    PostgreSQL pool grows when it is needed) do not count."""
    port = int(server.url.rsplit(":", 1)[1].split("/")[0])
    inodes = set()
    fd_dir = f"/proc/{server.proc.pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(f"{fd_dir}/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            next(f)
            for line in f:
                cols = line.split()
                local, state, inode = cols[1], cols[3], cols[9]
                # State 0A is LISTEN: the listening socket itself is not a client.
                if inode in inodes and int(local.rsplit(":", 1)[1], 16) == port and state != "0A":
                    count += 1
    return count


def reset_tokens(server, email):
    """Every reset token mailed to `email`, oldest first."""
    tokens = []
    for msg in server.mails(email):
        body = msg.get_body(preferencelist=("plain",)).get_content()
        tokens += re.findall(r"/reset-password\?token=([A-Za-z0-9_-]+)", body)
    return tokens


@pytest.fixture(scope="module")
def srv(make_server):
    return make_server("--rate-limits", "off", "--lockout-attempts", "2")


# --- item 2: how many streams -------------------------------------------------------------

def test_a_sixth_stream_closes_the_oldest(srv):
    bob = srv.user()
    streams = [open_stream(srv, bob.token)[0] for _ in range(5)]
    try:
        assert all(still_open(s) for s in streams)
        sixth, _ = open_stream(srv, bob.token)
        streams.append(sixth)
        data = read_to_eof(streams[0])
        assert b"event: notification" not in data
        # The five others stay and get what comes next.
        notify(srv, bob)
        for s in streams[1:]:
            read_event(s)
        assert metric(srv, "atelier_streams_replaced") >= 1
    finally:
        for s in streams:
            s.close()


def test_over_the_process_cap_a_stream_is_refused_with_busy(make_server):
    capped = make_server("--rate-limits", "off", "--max-streams", "2")
    ann, bob = capped.user(), capped.user()
    a, _ = open_stream(capped, ann.token)
    b, _ = open_stream(capped, bob.token)
    try:
        r = bob.get(STREAM, timeout=10)
        body = problem(r, 503, "busy")
        assert int(r.headers["Retry-After"]) > 0, r.headers
        assert "stream" in body["detail"]
        assert metric(capped, "atelier_streams_refused") == 1
        assert metric(capped, "atelier_streams_open") == 2
        # Other requests are served; a stream that ends makes room for another.
        assert capped.client().get("/healthz").status_code == 200
        assert ann.post(f"{API}/auth/logout").status_code == 204
        read_to_eof(a)
        assert wait_for(lambda: metric(capped, "atelier_streams_open") == 1)
        c, _ = open_stream(capped, bob.token)
        c.close()
    finally:
        a.close()
        b.close()


def test_thousands_of_streams_of_one_account_take_no_more_than_five(make_server):
    # Every socket here comes from 127.0.0.1, as the other clients' do: without the
    # per-address cap (tested in test_hostile_http.py) this tests the per-user one alone.
    attacker_server = make_server("--rate-limits", "off", "--max-connections-per-ip", "0")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    n = 3000
    if soft < n + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 500), hard))
    victim = attacker_server.register()
    attacker = attacker_server.user(verified=False)
    baseline = fd_count(attacker_server)
    socks = []
    try:
        for i in range(n):
            socks.append(open_stream(attacker_server, attacker.token, wait_open=False)[0])
            if i % 1000 == 999:
                # Others are served meanwhile: /healthz and a login.
                assert requests.get(attacker_server.url + "/healthz", timeout=15).status_code == 200
                attacker_server.login(victim["username"])
        # Only the newest five streams stay: the process does not hold a descriptor per
        # stream asked for.
        assert wait_for(lambda: fd_count(attacker_server) < baseline + 50, timeout=120, interval=0.5), \
            fd_count(attacker_server)
        assert metric(attacker_server, "atelier_streams_open") <= 5
        assert metric(attacker_server, "atelier_streams_replaced") >= n - 5
        assert requests.get(attacker_server.url + "/healthz", timeout=15).status_code == 200
        attacker_server.login(victim["username"])
        alive = [s for s in socks[-20:] if still_open(s, 0.05)]
        assert 1 <= len(alive) <= 5, len(alive)
    finally:
        for s in socks:
            s.close()


# --- item 4: streams end with their session -------------------------------------------------

def test_logout_ends_the_streams_of_that_session_only(srv):
    bob = srv.user()
    other = login(srv, bob)
    mine, _ = open_stream(srv, bob.token)
    theirs, _ = open_stream(srv, other.token)
    try:
        assert bob.post(f"{API}/auth/logout").status_code == 204
        read_to_eof(mine)
        notify(srv, other)
        read_event(theirs)  # the other session's stream goes on
        assert metric(srv, "atelier_streams_revoked") >= 1
    finally:
        mine.close()
        theirs.close()


def test_a_password_change_ends_the_streams_of_the_other_sessions(srv):
    bob = srv.user()
    other = login(srv, bob)
    mine, _ = open_stream(srv, bob.token)
    theirs, _ = open_stream(srv, other.token)
    try:
        r = bob.post(f"{API}/me/password", json={"currentPassword": PASSWORD, "newPassword": "the next password"})
        assert r.status_code == 204
        data = read_to_eof(theirs)
        notify(srv, bob)
        read_event(mine)  # the session that changed it keeps its stream
        assert b"event: notification" not in data
    finally:
        mine.close()
        theirs.close()


def test_a_reset_ends_every_stream_of_the_user(srv):
    bob = srv.user()
    other = login(srv, bob)
    streams = [open_stream(srv, bob.token)[0], open_stream(srv, other.token)[0]]
    try:
        c = srv.client()
        assert c.post(f"{API}/auth/password-reset/request", json={"email": bob.user["email"]}).status_code == 202
        token = srv.link_token(bob.user["email"], "/reset-password", "reset")
        assert c.post(f"{API}/auth/password-reset/confirm",
                      json={"token": token, "password": "a brand new password"}).status_code == 204
        for s in streams:
            read_to_eof(s)
        # A new login opens a stream that gets what comes next.
        fresh = login(srv, bob, "a brand new password")
        s, _ = open_stream(srv, fresh.token)
        streams.append(s)
        notify(srv, fresh)
        read_event(s)
    finally:
        for s in streams:
            s.close()


def test_locking_the_account_ends_every_stream_of_the_user(srv):
    bob = srv.user()
    s, _ = open_stream(srv, bob.token)
    try:
        bad = {"login": bob.username, "password": "wrong password!"}
        problem(srv.client().post(f"{API}/auth/login", json=bad), 401, "invalid_credentials")
        assert still_open(s)  # one failure locks nothing
        problem(srv.client().post(f"{API}/auth/login", json=bad), 401, "invalid_credentials")
        problem(srv.client().post(f"{API}/auth/login", json=bad), 423, "account_locked")
        data = read_to_eof(s)
        assert b"event: notification" not in data
    finally:
        s.close()


def test_a_refused_password_change_or_logout_of_another_user_ends_nothing(srv):
    bob, eve = srv.user(), srv.user()
    s, _ = open_stream(srv, bob.token)
    try:
        problem(bob.post(f"{API}/me/password", json={"currentPassword": "not it at all", "newPassword": "x" * 12}),
                403, "wrong_password")
        assert eve.post(f"{API}/auth/logout").status_code == 204
        problem(srv.client().get(STREAM, timeout=10), 401, "unauthenticated")
        problem(eve.get(STREAM, timeout=10), 401, "unauthenticated")  # a logged-out token opens none
        notify(srv, bob)
        read_event(s)
    finally:
        s.close()


@pytest.mark.skipif(BACKEND != "postgres", reason="several processes share a database only on PostgreSQL")
def test_a_logout_through_one_process_ends_the_stream_held_by_another(make_server):
    first = make_server("--rate-limits", "off")
    bob = first.user()
    other = make_server("--rate-limits", "off", db_url=first.db_url)
    try:
        s, _ = open_stream(other, bob.token)
        try:
            assert bob.post(f"{API}/auth/logout").status_code == 204
            read_to_eof(s)
            assert metric(other, "atelier_streams_revoked") == 1
        finally:
            s.close()
    finally:
        other.stop()


# --- clients that stop reading -------------------------------------------------------------

def many_notifications(server, user, doublings=9):
    """2**doublings notifications for `user` (copies of one, written to the database)."""
    notify(server, user)
    cols = "user_id, type, message, data, created_at, is_read, rendered, rendered_version"
    for _ in range(doublings):
        sql(server, f"INSERT INTO notifications ({cols}) SELECT {cols} FROM notifications "
                    f"WHERE user_id = {int(user.id)}")


def test_a_client_that_stops_reading_is_dropped_after_the_write_timeout(make_server):
    slow_server = make_server("--rate-limits", "off", env={"ATELIER_STREAM_WRITE_TIMEOUT_S": "2"})
    bob = slow_server.user()
    many_notifications(slow_server, bob)
    baseline = client_connections(slow_server)
    # A replay of hundreds of KB to a client that reads nothing.
    s, _ = open_stream(slow_server, bob.token, last_event_id=0, rcvbuf=4096, wait_open=False)
    try:
        assert wait_for(lambda: metric(slow_server, "atelier_streams_dropped") == 1, timeout=30, interval=0.3)
        assert metric(slow_server, "atelier_streams_open") == 0
        assert requests.get(slow_server.url + "/healthz", timeout=10).status_code == 200
        assert wait_for(lambda: client_connections(slow_server) <= baseline, timeout=10), \
            client_connections(slow_server)
        # A client that reads gets the replay in full.
        r, got = open_stream(slow_server, bob.token, last_event_id=0)
        try:
            while got.count(b"event: notification") < 512:
                chunk = r.recv(65536)
                assert chunk
                got += chunk
        finally:
            r.close()
    finally:
        s.close()


def test_a_client_that_stops_reading_is_dropped_at_the_queue_bound(make_server):
    slow_server = make_server("--rate-limits", "off", env={"ATELIER_STREAM_QUEUE_BYTES": "4096"})
    bob = slow_server.user()
    many_notifications(slow_server, bob)
    s, _ = open_stream(slow_server, bob.token, last_event_id=0, rcvbuf=4096, wait_open=False)
    try:
        # The replay fills what the kernel holds for this client; live events then queue
        # up until the bound is passed (the write timeout is far off).
        assert wait_for(lambda: metric(slow_server, "atelier_streams_open") == 1)
        owner = slow_server.user()
        for _ in range(30):
            notify(slow_server, bob, owner)
            if metric(slow_server, "atelier_streams_dropped") == 1:
                break
        assert metric(slow_server, "atelier_streams_dropped") == 1
        assert wait_for(lambda: metric(slow_server, "atelier_streams_open") == 0)
        assert requests.get(slow_server.url + "/healthz", timeout=10).status_code == 200
    finally:
        s.close()


# --- item 5: reset tokens -----------------------------------------------------------------

def test_confirming_one_reset_token_retires_the_others(srv):
    u = srv.register()
    c = srv.client()
    for _ in range(2):
        assert c.post(f"{API}/auth/password-reset/request", json={"email": u["email"]}).status_code == 202
    srv.wait_mail(u["email"], "reset", count=2)
    a, b = reset_tokens(srv, u["email"])[-2:]
    assert a != b
    assert c.post(f"{API}/auth/password-reset/confirm",
                  json={"token": b, "password": "the password of b"}).status_code == 204
    problem(c.post(f"{API}/auth/password-reset/confirm", json={"token": a, "password": "the password of a"}),
            400, "invalid_token")
    srv.login(u["username"], "the password of b")
    problem(c.post(f"{API}/auth/login", json={"login": u["username"], "password": "the password of a"}), 401,
            "invalid_credentials")
    # A token asked for after the reset works.
    assert c.post(f"{API}/auth/password-reset/request", json={"email": u["email"]}).status_code == 202
    srv.wait_mail(u["email"], "reset", count=3)
    newest = reset_tokens(srv, u["email"])[-1]
    assert c.post(f"{API}/auth/password-reset/confirm",
                  json={"token": newest, "password": "the password of c"}).status_code == 204


def test_a_password_change_retires_reset_tokens_asked_for_before(srv):
    bob = srv.user()
    c = srv.client()
    assert c.post(f"{API}/auth/password-reset/request", json={"email": bob.user["email"]}).status_code == 202
    token = srv.link_token(bob.user["email"], "/reset-password", "reset")
    problem(bob.post(f"{API}/me/password", json={"currentPassword": "not the password", "newPassword": "x" * 12}),
            403, "wrong_password")
    r = bob.post(f"{API}/me/password", json={"currentPassword": PASSWORD, "newPassword": "the changed password"})
    assert r.status_code == 204
    problem(c.post(f"{API}/auth/password-reset/confirm", json={"token": token, "password": "the attacker's pick"}),
            400, "invalid_token")
    srv.login(bob.username, "the changed password")
