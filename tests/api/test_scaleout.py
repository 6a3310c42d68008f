"""docs/product.md §1, §5, §8: several `atelier serve` processes behind a load balancer.

A real nginx (Debian's /usr/sbin/nginx, configured from docs/nginx.conf.example) in front
of two atelier processes that share one PostgreSQL database and one mail dir, each with a
data dir of its own (images are in the database: --images db, the default on PostgreSQL).
Sessions work on both, a notification made through one process reaches a stream held by
the other, a scheduled phase change happens once, every mail is sent once, and an image
uploaded through one is served by the other.
PostgreSQL only: on SQLite one process owns the database.
"""
import copy
import hashlib
import json
import os
import re
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import BACKEND, PASSWORD, ROOT, problem, unique
from event_helpers import API, advance, make_event, make_group, iso, notifications, png, submit, wait_for
from group_helpers import db_exec, invite, new_group
from test_mail import SmtpServer
from test_notifications import SseReader

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="several processes share a database only on PostgreSQL")

NGINX = "/usr/sbin/nginx"
TEMPLATE = ROOT / "docs" / "nginx.conf.example"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hostport(url):
    return url.split("://", 1)[1]


class Nginx:
    """nginx -p <prefix> with the example config, listening on 127.0.0.1:<free port>."""

    def __init__(self, prefix, backends):
        self.prefix = Path(prefix)
        self.prefix.mkdir(parents=True, exist_ok=True)
        text = TEMPLATE.read_text()
        lines = []
        for line in text.splitlines():
            if "__BACKEND__" in line and not line.lstrip().startswith("#"):
                lines += [line.replace("__BACKEND__", b) for b in backends]
            else:
                lines.append(line)
        self.template_lines = "\n".join(lines) + "\n"
        self.proc = None
        for _ in range(5):  # a free port can be taken between the probe and the bind
            self.port = free_port()
            conf = self.prefix / "nginx.conf"
            conf.write_text(self.template_lines.replace("listen __LISTEN__;", f"listen 127.0.0.1:{self.port};"))
            globals_ = "daemon off; master_process on;"
            if os.geteuid() == 0:
                globals_ += " user root;"  # workers must reach a prefix under a 0700 tmp dir
            self.log = open(self.prefix / "nginx.out", "ab")
            self.proc = subprocess.Popen([NGINX, "-p", str(self.prefix), "-e", "error.log", "-c", str(conf),
                                          "-g", globals_], stdout=self.log, stderr=subprocess.STDOUT)
            if self._wait_listening():
                self.url = f"http://127.0.0.1:{self.port}"
                return
            self.stop()
        raise RuntimeError("nginx did not start:\n" + self.error_log())

    def _wait_listening(self):
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def error_log(self):
        p = self.prefix / "error.log"
        return p.read_text(errors="replace") if p.exists() else ""

    def access_log(self):
        p = self.prefix / "access.log"
        return p.read_text(errors="replace").splitlines() if p.exists() else []

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: fast shutdown
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Cluster:
    def __init__(self, a, b, nginx):
        self.a, self.b, self.nginx = a, b, nginx
        # A Server-like view whose URL is nginx: its clients talk through the balancer, and
        # its mail helpers read the shared mail dir.
        self.lb = copy.copy(a)
        self.lb.url = nginx.url
        self.addr = {hostport(a.url): a, hostport(b.url): b}

    def other(self, upstream):
        """The process that is not `upstream` (an X-Upstream value)."""
        assert upstream in self.addr, upstream
        return self.b if self.addr[upstream] is self.a else self.a


@pytest.fixture(scope="module")
def cluster(make_server, tmp_path_factory):
    a = make_server("--rate-limits", "off")
    b = make_server("--rate-limits", "off", db_url=a.db_url, workdir=a.workdir, data_dir=a.workdir / "data-b")
    assert a.data_dir != b.data_dir and a.mail_dir == b.mail_dir and a.db_url == b.db_url
    nginx = Nginx(tmp_path_factory.mktemp("nginx"), [hostport(a.url), hostport(b.url)])
    try:
        yield Cluster(a, b, nginx)
    finally:
        nginx.stop()
        b.stop()
        a.stop()


def test_nginx_config_sets_every_temp_path():
    text = TEMPLATE.read_text()
    for directive in ["client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path", "uwsgi_temp_path",
                      "scgi_temp_path"]:
        assert re.search(rf"^\s*{directive}\s+\S+;", text, re.M), directive
    assert "proxy_buffering off;" in text and "client_max_body_size 21m;" in text
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in text


def cached_files(server):
    return sorted(p.name for p in (server.data_dir / "image-cache").glob("*/*/*") if not p.name.startswith("."))


def test_an_image_uploaded_through_one_process_is_served_by_the_other(cluster):
    a, b = cluster.a, cluster.b
    owner, artist = a.user(), a.user()
    gid = make_group(a, owner, members=[artist])
    ev = make_event(owner, gid, maxArtworksPerMember=3)
    data = png(2000, 300, (12, 34, 56))  # longer than 1600 px: a display rendition too
    art = submit(artist, ev["id"], data)  # through a
    assert art["displayUrl"]
    keys = {}
    for kind in ("image", "display", "thumbnail"):
        got_a = a.client(owner.token).get(f"{API}/artworks/{art['id']}/{kind}")
        r = b.client(owner.token).get(f"{API}/artworks/{art['id']}/{kind}")  # not in b's cache: from the database
        assert r.status_code == 200, r.text
        assert r.content == got_a.content and r.headers["ETag"] == got_a.headers["ETag"], kind
        assert hashlib.sha256(r.content).hexdigest() == r.headers["ETag"].strip('"')
        for h in ("Content-Type", "Cache-Control"):
            assert r.headers[h] == got_a.headers[h], (kind, h)
        keys[kind] = r.headers["ETag"].strip('"')
        # A conditional GET is answered 304 without the bytes, on either process.
        for server in (a, b):
            r304 = server.client(owner.token).get(f"{API}/artworks/{art['id']}/{kind}",
                                                  headers={"If-None-Match": r.headers["ETag"]})
            assert r304.status_code == 304 and r304.content == b"", r304.status_code
            assert r304.headers["ETag"] == r.headers["ETag"]
    # Each process has its own data dir: b now caches what it served, and the two never
    # shared a file.
    assert set(keys.values()) <= set(cached_files(b))
    assert set(keys.values()) <= set(cached_files(a))
    # Outsiders get 404 from both.
    stranger = b.user()
    for server in (a, b):
        assert server.client(stranger.token).get(f"{API}/artworks/{art['id']}/image").status_code == 404


def test_sessions_work_on_every_process(cluster):
    lb = cluster.lb
    alice = lb.user()  # register, verify and log in, all through nginx
    seen = Counter()
    for _ in range(8):
        r = alice.get(f"{API}/me")
        assert r.status_code == 200, r.text
        assert r.json()["id"] == alice.id
        seen[r.headers["X-Upstream"]] += 1
    # Consecutive requests are balanced over both processes, and both know the session.
    assert set(seen) == set(cluster.addr), seen
    for server in (cluster.a, cluster.b):
        assert server.client(alice.token).get(f"{API}/me").json()["id"] == alice.id
    # nginx's access log names the upstream of each request as well.
    upstreams = {m for line in cluster.nginx.access_log() for m in re.findall(r"upstream=(\S+)", line)}
    assert set(cluster.addr) <= upstreams
    # A logout through either process ends the session on both, at once.
    r = cluster.b.client(alice.token).post(f"{API}/auth/logout")
    assert r.status_code == 204
    for server in (cluster.a, cluster.b):
        assert server.client(alice.token).get(f"{API}/me").status_code == 401
    assert alice.get(f"{API}/me").status_code == 401


def test_stream_through_one_process_gets_notifications_made_through_the_other(cluster):
    lb = cluster.lb
    bob, owner = lb.user(), lb.user()
    gid = new_group(owner)["id"]
    reader = SseReader(bob.session, f"{lb.url}{API}/notifications/stream",
                       headers={"Authorization": f"Bearer {bob.token}"})
    try:
        assert reader.response.status_code == 200
        assert reader.response.headers["Content-Type"].startswith("text/event-stream")
        assert reader.opened.wait(10)
        holder = reader.response.headers["X-Upstream"]
        other = cluster.other(holder)
        # Caused by a request sent straight to the process that does not hold the stream.
        r = other.client(owner.token).post(f"{API}/groups/{gid}/invitations", json={"username": bob.username})
        assert r.status_code == 201, r.text
        ev = reader.next(timeout=10)
        assert ev["event"] == "notification"
        assert json.loads(ev["data"])["data"]["invitationId"] == r.json()["id"]
        # And through nginx: with the stream open, least_conn sends the request to the other.
        gid2 = new_group(owner)["id"]
        r = owner.post(f"{API}/groups/{gid2}/invitations", json={"username": bob.username})
        assert r.status_code == 201, r.text
        assert r.headers["X-Upstream"] != holder
        ev = reader.next(timeout=10)
        assert json.loads(ev["data"])["data"]["invitationId"] == r.json()["id"]
        assert reader.events.empty()
    finally:
        reader.close()


def test_a_scheduled_phase_change_happens_once(cluster):
    lb = cluster.lb
    owner = lb.user()
    members = [lb.user() for _ in range(3)]
    gid = make_group(lb, owner, members=members)
    everyone = [owner, *members]
    # Both processes run the scheduler every 100 ms; the events fall due together.
    events = [make_event(owner, gid, votingStartsAt=iso(3)) for _ in range(3)]
    for ev in events:
        assert ev["phase"] == "OPEN"
        assert wait_for(lambda: owner.get(f"{API}/events/{ev['id']}").json()["phase"] == "VOTING", timeout=15)
    time.sleep(1.0)  # many more scheduler passes on both processes: nothing more may happen
    for ev in events:
        for server in (cluster.a, cluster.b):
            assert server.client(owner.token).get(f"{API}/events/{ev['id']}").json()["phase"] == "VOTING"
        for c in everyone:
            updates = [n for n in notifications(c, "EVENT_STATUS_UPDATE") if n["data"]["eventId"] == ev["id"]]
            assert sorted(n["data"]["phase"] for n in updates) == ["OPEN", "VOTING"], (c.username, updates)


def test_every_mail_lands_once_in_the_shared_mail_dir(cluster):
    lb = cluster.lb
    owner = lb.user()
    gid = new_group(owner)["id"]
    invitees = [lb.user() for _ in range(5)]
    for u in invitees:
        invite(owner, gid, u)  # through nginx: the requests alternate between the processes
    for u in invitees:
        lb.wait_mail(u.user["email"], "join")
    time.sleep(1.5)  # both senders poll many times more
    for u in invitees:
        subjects = Counter(str(m["Subject"]) for m in lb.mails(u.user["email"]))
        assert len(subjects) == 2 and set(subjects.values()) == {1}, subjects  # verification + invitation
    ids = Counter(str(m["Message-ID"]) for m in lb.mails())
    assert ids and max(ids.values()) == 1


def test_every_mail_is_sent_once_over_smtp_by_two_processes(make_server, tmp_path):
    # The mail dir names a file after its outbox row, so a second delivery would overwrite
    # the first; an SMTP server keeps every message it receives, so duplicates would show.
    port = free_port()
    smtp = SmtpServer(tmp_path / "maildir", port)
    try:
        args = ("--rate-limits", "off", "--smtp-url", f"smtp://127.0.0.1:{port}")
        a = make_server(*args)
        b = make_server(*args, db_url=a.db_url, workdir=a.workdir)
        owner = a.register()
        db_exec(a, f"UPDATE users SET email_verified = 1 WHERE id = {int(owner['id'])}")
        owner_token = b.login(owner["username"]).token
        gid = a.client(owner_token).post(f"{API}/groups", json={"name": unique("smtp")}).json()["id"]
        recipients = [f"{unique('guest')}@example.test" for _ in range(5)]
        for i, rcpt in enumerate(recipients):
            server = (a, b)[i % 2]
            r = server.client(owner_token).post(f"{API}/groups/{gid}/invitations", json={"email": rcpt})
            assert r.status_code == 201, r.text

        def all_there():
            got = Counter(str(m["To"]) for m in smtp.messages())
            return all(any(rcpt in to for to in got) for rcpt in recipients)

        assert wait_for(all_there, timeout=20)
        time.sleep(1.5)
        per_recipient = Counter()
        for m in smtp.messages():
            per_recipient[str(m["To"])] += 1
        for rcpt in recipients:
            assert sum(n for to, n in per_recipient.items() if rcpt in to) == 1, per_recipient
        assert sum(n for to, n in per_recipient.items() if owner["email"] in to) == 1, per_recipient  # verification
        b.stop()
        a.stop()
    finally:
        smtp.stop()


def test_pages_cached_by_one_process_show_changes_made_through_the_other(cluster):
    """Each process keeps rendered artworks in memory; a change made through the other
    process (a new display name, an edited or deleted artwork) shows on its next page."""
    a, b = cluster.a, cluster.b
    owner, artist = a.user(), a.user()
    gid = make_group(a, owner, members=[artist])
    ev = make_event(owner, gid, maxArtworksPerMember=3)
    first = submit(artist, ev["id"], title="First")
    second = submit(artist, ev["id"], title="Second")
    url = f"{API}/events/{ev['id']}/artworks"

    def page(server):
        return [(x["id"], x["title"], x["artist"]["displayName"])
                for x in server.client(owner.token).get(url).json()["items"]]

    name = artist.user["profile"]["displayName"]
    for server in (a, b):
        assert page(server) == [(second["id"], "Second", name), (first["id"], "First", name)]
    r = b.client(artist.token).patch(f"{API}/me", json={"displayName": "Renamed Through B"})
    assert r.status_code == 200, r.text
    assert page(a) == [(second["id"], "Second", "Renamed Through B"), (first["id"], "First", "Renamed Through B")]
    r = a.client(artist.token).patch(f"{API}/artworks/{first['id']}", json={"title": "First, edited through A"})
    assert r.status_code == 200, r.text
    assert page(b)[1] == (first["id"], "First, edited through A", "Renamed Through B")
    assert b.client(artist.token).delete(f"{API}/artworks/{second['id']}").status_code == 204
    assert page(a) == [(first["id"], "First, edited through A", "Renamed Through B")]


def test_a_rate_limit_is_counted_across_processes(make_server):
    """Logins to one account are limited to 10 a minute (a bucket that refills one every 6 s):
    16 alternating between two processes, so neither sees more than 8. Counted per process,
    all 16 would pass; counted together, 10 pass plus one per 6 s the run took."""
    a = make_server()
    b = make_server(db_url=a.db_url, workdir=a.workdir)
    u = a.register()
    answers = []
    start = time.monotonic()
    for i in range(16):
        srv = a if i % 2 == 0 else b
        answers.append(srv.client().post(f"{API}/auth/login", json={"login": u["username"], "password": PASSWORD}))
    elapsed = time.monotonic() - start
    codes = [r.status_code for r in answers]
    assert codes[:10] == [200] * 10 and set(codes) == {200, 429}, [r.text for r in answers]
    assert codes.count(200) <= 10 + int(elapsed / 6), (codes, elapsed)
    refused = [r for r in answers if r.status_code == 429]
    assert all(int(r.headers["Retry-After"]) >= 1 and r.json()["code"] == "rate_limited" for r in refused)
    # Another account's budget is its own.
    v = b.register()
    assert a.client().post(f"{API}/auth/login", json={"login": v["username"], "password": PASSWORD}).status_code == 200


def test_a_logout_through_one_process_ends_the_session_cached_by_the_other_at_once(cluster):
    """Each process caches the sessions it resolved; the database tells every process when
    one ends (docs/architecture.md), so the other process refuses it on the next request."""
    a, b = cluster.a, cluster.b
    alice = a.user()
    other = a.login(alice.username)  # a second session of the same user
    for _ in range(3):  # B resolves (and caches) both sessions
        assert b.client(alice.token).get(f"{API}/me").status_code == 200
        assert b.client(other.token).get(f"{API}/me").status_code == 200
    assert a.client(alice.token).post(f"{API}/auth/logout").status_code == 204
    problem(b.client(alice.token).get(f"{API}/me"), 401, "unauthenticated")
    # Only that session ended.
    assert b.client(other.token).get(f"{API}/me").json()["id"] == alice.id


def test_pages_read_through_the_other_process_refuse_a_session_ended_a_moment_ago(cluster):
    """The gallery, the feed and /me read while the session cache confirms the session
    (Authenticator::RequireForRead): their answers, errors included, are still refused at
    once after a logout through the other process."""
    a, b = cluster.a, cluster.b
    owner = a.user()
    gid = make_group(a, owner)
    ev = make_event(owner, gid)
    submit(owner, ev["id"], title="Mine")
    other = a.login(owner.username)  # a second session of the same user
    reads = [f"{API}/events/{ev['id']}/artworks", f"{API}/notifications", f"{API}/me"]
    missing = f"{API}/events/999999999/artworks"
    for _ in range(3):  # B resolves (and caches) the session
        for url in reads:
            assert b.client(owner.token).get(url).status_code == 200, url
        assert b.client(owner.token).get(missing).status_code == 404
    assert a.client(owner.token).post(f"{API}/auth/logout").status_code == 204
    for url in reads + [missing]:
        problem(b.client(owner.token).get(url), 401, "unauthenticated")
    # The other session of the same user still reads.
    for url in reads:
        assert b.client(other.token).get(url).status_code == 200, url


def test_votes_through_the_other_process_refuse_a_session_ended_a_moment_ago(cluster):
    """A vote writes as soon as its session is found in the cache and confirms the session
    inside its transaction (Authenticator::RequireForWrite): right after a logout through
    the other process, a vote and a withdrawal are refused and change nothing."""
    a, b = cluster.a, cluster.b
    owner, voter = a.user(), a.user()
    gid = make_group(a, owner, members=[voter])
    ev = make_event(owner, gid)
    art = submit(owner, ev["id"], title="Vote for me")
    mine = submit(voter, ev["id"], title="Not this one")
    assert mine["id"] != art["id"]
    advance(owner, ev["id"], "VOTING")
    other = a.login(voter.username)  # a second session of the voter
    url = f"{API}/artworks/{art['id']}/vote"

    def votes():  # the voter's votes on it, as the voter's other session sees them
        return int(a.client(other.token).get(f"{API}/artworks/{art['id']}").json()["myVote"])

    for _ in range(3):  # B resolves (and caches) the session, and the vote goes both ways
        assert b.client(voter.token).put(url).status_code == 200
        assert b.client(voter.token).delete(url).status_code == 200
    assert b.client(voter.token).put(url).status_code == 200
    assert votes() == 1
    assert a.client(voter.token).post(f"{API}/auth/logout").status_code == 204
    problem(b.client(voter.token).delete(url), 401, "unauthenticated")
    assert votes() == 1
    assert b.client(other.token).delete(url).status_code == 200
    assert votes() == 0
    problem(b.client(voter.token).put(url), 401, "unauthenticated")
    assert votes() == 0
    # An error goes only to a session that stands: voting for one's own artwork.
    problem(b.client(voter.token).put(f"{API}/artworks/{mine['id']}/vote"), 401, "unauthenticated")
    problem(b.client(other.token).put(f"{API}/artworks/{mine['id']}/vote"), 403, "cannot_vote_own")
    # Likes confirm their session the same way.
    advance(owner, ev["id"], "MATCHING")
    like = f"{API}/artworks/{art['id']}/like"
    for _ in range(3):  # the other session, cached by B, likes and unlikes
        assert b.client(other.token).put(like, json={"rank": 1}).status_code == 200
        assert b.client(other.token).delete(like).status_code == 204
    assert b.client(other.token).put(like).status_code == 200
    assert a.client(other.token).post(f"{API}/auth/logout").status_code == 204
    problem(b.client(other.token).delete(like), 401, "unauthenticated")
    problem(b.client(other.token).put(like, json={"rank": 0}), 401, "unauthenticated")
    assert a.client(owner.token).get(f"{API}/artworks/{art['id']}").status_code == 200
    third = a.login(voter.username)
    assert third.get(f"{API}/artworks/{art['id']}").json()["myLike"] is not None  # still liked


def test_a_password_change_through_one_process_ends_the_other_sessions_on_the_other_at_once(cluster):
    a, b = cluster.a, cluster.b
    alice = a.user()
    second = a.login(alice.username)
    for token in (alice.token, second.token):
        assert b.client(token).get(f"{API}/me").status_code == 200
    r = a.client(alice.token).post(f"{API}/me/password",
                                   json={"currentPassword": PASSWORD, "newPassword": "another long password"})
    assert r.status_code == 204, r.text
    problem(b.client(second.token).get(f"{API}/me"), 401, "unauthenticated")
    # The session that changed it goes on, on both.
    for server in (a, b):
        assert server.client(alice.token).get(f"{API}/me").json()["id"] == alice.id
    # A reset through B ends that one as well, on A at once.
    assert a.client(alice.token).get(f"{API}/me").status_code == 200
    assert b.client().post(f"{API}/auth/password-reset/request", json={"email": alice.user["email"]}).status_code == 202
    token = a.link_token(alice.user["email"], "/reset-password", "reset")
    r = b.client().post(f"{API}/auth/password-reset/confirm", json={"token": token, "password": "a third password"})
    assert r.status_code == 204, r.text
    problem(a.client(alice.token).get(f"{API}/me"), 401, "unauthenticated")


def test_profile_changes_through_one_process_reach_the_session_cached_by_the_other_at_once(cluster):
    """What a session resolves to (display name, email verification) is read again after a
    change made through the other process, not served from the cache."""
    a, b = cluster.a, cluster.b
    alice, bob = a.user(), a.user()
    gid = new_group(alice)["id"]
    # B caches alice's session with her old display name; she renames herself through A.
    assert b.client(alice.token).get(f"{API}/me").status_code == 200
    r = a.client(alice.token).patch(f"{API}/me", json={"displayName": "Renamed Through A"})
    assert r.status_code == 200, r.text
    # An invitation's message names the inviter as her session resolves on B.
    r = b.client(alice.token).post(f"{API}/groups/{gid}/invitations", json={"username": bob.username})
    assert r.status_code == 201, r.text
    notes = [n for n in notifications(bob, "GROUP_INVITATION") if n["data"]["invitationId"] == r.json()["id"]]
    assert len(notes) == 1 and notes[0]["message"].startswith("Renamed Through A (@"), notes
    # Email verification: B caches an unverified session, which may not create a group ...
    u = a.register()
    carol = b.login(u["username"])
    problem(carol.post(f"{API}/groups", json={"name": unique("grp")}), 403, "email_not_verified")
    # ... until the address is verified through A: then at once.
    token = a.link_token(u["email"], "/verify-email")
    assert a.client().post(f"{API}/auth/verify-email", json={"token": token}).status_code == 200
    r = carol.post(f"{API}/groups", json={"name": unique("grp")})
    assert r.status_code == 201, r.text
