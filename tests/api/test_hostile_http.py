"""Hostile clients at the HTTP layer (issue 16, items 1 and 9): who may send a body is
decided from the request head, bodies held in memory are bounded across connections,
connections per client address are capped, and every answer carries the browser
hardening headers."""
import json
import re
import socket
import time

import pytest
import requests

from conftest import problem
from event_helpers import API, Community, advance, make_event, png, submit

UPLOAD_LENGTH = 20 * 1024 * 1024 + 128 * 1024  # within the upload route's limit (20 MiB + 256 KiB)
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def addr(server):
    host, port = server.url.removeprefix("http://").split(":")
    return host, int(port)


def connect(server, timeout=15):
    s = socket.create_connection(addr(server), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def read_response(sock):
    """One HTTP response (status, lowercased headers, body) read from sock; raises
    socket.timeout when the server does not answer."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"closed before a response: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.setdefault(k.strip().lower(), []).append(v.strip())
    length = int(headers.get("content-length", ["0"])[0])
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, {k: ", ".join(v) for k, v in headers.items()}, body[:length]


def upload_head(eid, length=UPLOAD_LENGTH, token=None, extra=b""):
    h = (f"POST {API}/events/{eid}/artworks HTTP/1.1\r\nHost: x\r\n"
         f"Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: {length}\r\n").encode()
    if token:
        h += f"Authorization: Bearer {token}\r\n".encode()
    return h + extra + b"\r\n"


def refused_from_head(server, head, status, code, body=b"--xyz\r\n" + b"a" * 4096):
    """Sends a request head and the first bytes of its body, never the rest: the answer
    must come anyway, say `status`/`code`, and close the connection."""
    s = connect(server)
    try:
        s.sendall(head + body)
        st, headers, payload = read_response(s)
        assert st == status, payload
        assert json.loads(payload)["code"] == code, payload
        assert headers.get("connection", "").lower() == "close", headers
        return headers
    finally:
        s.close()


def metric(server, name):
    text = requests.get(server.url + "/metrics", timeout=10).text
    m = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    assert m, f"{name} not in /metrics"
    return float(m.group(1))


def wait_metric(server, name, pred, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        v = metric(server, name)
        if pred(v):
            return v
        assert time.monotonic() < deadline, f"{name} = {v}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def com(server):
    return Community(server)


# --- item 1: the head decides ------------------------------------------------------------

def test_anonymous_uploads_get_401_from_the_head_and_memory_stays_bounded(make_server):
    s = make_server("--rate-limits", "off")
    c = Community(s, members=1)
    eid = make_event(c.owner, c.gid)["id"]
    pid = s.proc.pid
    requests.get(s.url + "/healthz", timeout=10)
    before = rss_kib(pid)
    socks = []
    try:
        for _ in range(30):
            sock = connect(s)
            sock.sendall(upload_head(eid) + b"--xyz\r\n" + b"a" * 65536)
            socks.append(sock)
        # Each is answered without the rest of its body...
        for sock in socks:
            st, headers, payload = read_response(sock)
            assert st == 401 and json.loads(payload)["code"] == "unauthenticated", payload
            assert headers["connection"].lower() == "close"
        # ... and what they send afterwards is not kept.
        chunk = b"b" * (1 << 20)
        for sock in socks:
            try:
                for _ in range(4):
                    sock.sendall(chunk)
            except OSError:
                pass  # the server closed it: fine
        after = rss_kib(pid)
        assert after - before < 64 * 1024, f"RSS {before} KiB -> {after} KiB"
    finally:
        for sock in socks:
            sock.close()
    assert metric(s, "atelier_http_head_refusals_total") >= 30
    assert metric(s, "atelier_http_body_bytes_held") == 0
    # A member's upload is still read and accepted.
    submit(c.members[0], eid)


def test_uploads_the_route_would_refuse_are_answered_from_the_head(server, com):
    ev = make_event(com.owner, com.gid)
    eid = ev["id"]
    member = com.members[0]
    # not a member of the event's group: the event does not exist for them
    refused_from_head(server, upload_head(eid, token=com.outsider.token), 404, "not_found")
    refused_from_head(server, upload_head(999999999, token=member.token), 404, "not_found")
    refused_from_head(server, upload_head(eid, token="not-a-session-token"), 401, "unauthenticated")
    # a session cookie without the CSRF header
    refused_from_head(server, upload_head(eid, extra=f"Cookie: atelier_session={member.token}\r\n".encode()),
                      403, "csrf_failed")
    # over the member's artwork limit
    submit(member, eid)
    refused_from_head(server, upload_head(eid, token=member.token), 409, "artwork_limit_reached")
    # past OPEN
    advance(com.owner, eid, "VOTING")
    refused_from_head(server, upload_head(eid, token=com.members[1].token), 409, "wrong_phase")
    # A member who may submit is not answered before the body has arrived.
    open_ev = make_event(com.owner, com.gid)
    sock = connect(server, timeout=1.5)
    try:
        sock.sendall(upload_head(open_ev["id"], token=member.token) + b"--xyz\r\n")
        with pytest.raises(socket.timeout):
            sock.recv(1)
    finally:
        sock.close()


def test_other_private_routes_refuse_anonymous_bodies_from_the_head(server, com):
    head = (f"POST {API}/groups HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: 900000\r\n\r\n").encode()
    refused_from_head(server, head, 401, "unauthenticated", body=b'{"name":"')
    head = (f"PATCH {API}/me HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Transfer-Encoding: chunked\r\n\r\n").encode()
    refused_from_head(server, head, 401, "unauthenticated", body=b"5\r\n{\"a\":\r\n")
    # Public routes read their bodies: login gets to judge this one (400, not 401).
    body = b'{"login":"' + b"x" * 100000 + b'"'
    r = requests.post(server.url + f"{API}/auth/login", data=body,
                      headers={"Content-Type": "application/json"}, timeout=30)
    problem(r, 400, "bad_request")
    # and small bodies of signed-in callers work as before
    r = com.members[0].patch(f"{API}/me", json={"bio": "x" * 1000})
    assert r.status_code == 200, r.text


# --- item 1: bodies held in memory ----------------------------------------------------------

def test_body_memory_bound_gives_503_busy_with_retry_after(make_server):
    s = make_server("--rate-limits", "off", "--max-body-memory-mb", "30")
    c = Community(s, members=2)
    eid = make_event(c.owner, c.gid)["id"]
    a, b = c.members
    length = 20 * 1024 * 1024
    first = connect(s)
    try:
        first.sendall(upload_head(eid, length=length, token=a.token) + b"--xyz\r\n")
        wait_metric(s, "atelier_http_body_bytes_held", lambda v: v >= length)
        headers = refused_from_head(s, upload_head(eid, length=length, token=b.token), 503, "busy")
        assert int(headers["retry-after"]) >= 1
        assert metric(s, "atelier_http_body_memory_refusals_total") >= 1
        # A small body still fits next to the held one.
        r = b.patch(f"{API}/me", json={"bio": "still here"})
        assert r.status_code == 200, r.text
    finally:
        first.close()
    wait_metric(s, "atelier_http_body_bytes_held", lambda v: v == 0)
    submit(b, eid)


# --- item 1: connections per address --------------------------------------------------------

def test_connections_per_address_are_capped(make_server):
    s = make_server("--rate-limits", "off", "--max-connections-per-ip", "4")
    held = []
    try:
        for _ in range(4):
            sock = connect(s)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_response(sock)[0] == 200
            held.append(sock)
        extra = connect(s)
        extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        st, headers, payload = read_response(extra)
        assert st == 503 and json.loads(payload)["code"] == "busy", payload
        assert int(headers["retry-after"]) >= 1 and headers["connection"].lower() == "close"
        assert extra.recv(1) == b""  # and it is closed
        extra.close()
        # One leaves: a new connection gets in.
        held.pop().close()
        deadline = time.monotonic() + 10
        while True:
            try:
                r = requests.get(s.url + "/metrics", timeout=10)
                if r.status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, r.status_code
            time.sleep(0.05)
        assert re.search(r"^atelier_http_connections_refused_total [1-9]", r.text, re.M), r.text
    finally:
        for sock in held:
            sock.close()


# --- item 9: browser hardening headers ------------------------------------------------------

def assert_hardened(r):
    assert r.headers.get("Content-Security-Policy") == CSP, r.headers
    assert r.headers.get("X-Frame-Options") == "DENY"
    assert r.headers.get("Referrer-Policy") == "same-origin"
    assert r.headers.get("X-Content-Type-Options") == "nosniff"


def test_hardening_headers_on_every_kind_of_answer(server, com):
    member = com.members[0]
    r = member.get(f"{API}/me")
    assert r.status_code == 200
    assert_hardened(r)
    assert r.headers["Cache-Control"] == "no-store"
    # errors, from a handler and from the router
    for r in (server.client().get(f"{API}/me"), member.get(f"{API}/no/such/thing"), member.get(f"{API}/groups/x1")):
        assert r.status_code in (401, 404), r.text
        assert_hardened(r)
        assert r.headers["Cache-Control"] == "no-store"
    # the web UI and its files keep their own caching
    index = requests.get(server.url + "/events/1", timeout=10)
    assert index.status_code == 200 and index.headers["Content-Type"].startswith("text/html")
    assert_hardened(index)
    assert index.headers["Cache-Control"] == "no-cache"
    script = re.search(r'src="(/assets/[^"]+\.js)"', index.text)
    if script:
        js = requests.get(server.url + script.group(1), timeout=10)
        assert js.status_code == 200
        assert_hardened(js)
        assert js.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        # the UI has no inline script the policy would block
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", index.text), index.text
    fav = requests.get(server.url + "/favicon.svg", timeout=10)
    if fav.status_code == 200:
        assert_hardened(fav)
        assert fav.headers["Cache-Control"] == "no-cache"
    # an image keeps its own Cache-Control
    ev = make_event(com.owner, com.gid)
    art = submit(member, ev["id"], png(30, 20))
    img = member.get(art["imageUrl"])
    assert img.status_code == 200
    assert_hardened(img)
    assert img.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    # an error written by the server itself (header block too large)
    sock = connect(server)
    try:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
        st, headers, _ = read_response(sock)
    finally:
        sock.close()
    assert st == 431
    assert headers["content-security-policy"] == CSP and headers["x-frame-options"] == "DENY"
    # the event stream's head (Beast's serializer writes it, no length: the body runs
    # until the connection closes)
    sock = connect(server)
    try:
        sock.sendall(f"GET {API}/notifications/stream HTTP/1.1\r\nHost: x\r\n"
                     f"Authorization: Bearer {member.token}\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(4096)
    finally:
        sock.close()
    head = data.split(b"\r\n\r\n")[0].decode().lower()
    assert head.startswith("http/1.1 200")
    assert f"content-security-policy: {CSP.lower()}" in head and "x-frame-options: deny" in head
    assert "referrer-policy: same-origin" in head and "x-content-type-options: nosniff" in head
    lines = head.split("\r\n")[1:]
    fields = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    assert len(fields) == len(lines), head  # no field twice
    assert fields["content-type"] == "text/event-stream" and fields["cache-control"] == "no-cache", head
    assert fields["x-accel-buffering"] == "no" and fields["connection"] == "close", head
    assert re.fullmatch(r"[0-9]+-[0-9]+", fields["x-request-id"]), head
    assert "content-length" not in fields and "transfer-encoding" not in fields, head


def test_trusted_proxies_are_not_capped(make_server):
    # Behind a load balancer every connection comes from its address.
    s = make_server("--rate-limits", "off", "--max-connections-per-ip", "2", "--trusted-proxies", "127.0.0.1")
    held = []
    try:
        for _ in range(5):
            sock = connect(s)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_response(sock)[0] == 200
            held.append(sock)
    finally:
        for sock in held:
            sock.close()
    assert metric(s, "atelier_http_connections_refused_total") == 0
