"""docs/product.md §8: the feed, read marks, email settings and the live stream."""
import json
import queue
import socket
import threading
import time

import requests

import pytest

from conftest import BACKEND, PASSWORD, field_error, problem
from group_helpers import API, collect, invite, new_group

LISTED = ["GROUP_INVITATION", "EVENT_STATUS_UPDATE", "VOTE_NOTIFICATION", "NEW_MATCH", "MATCH_UPDATE", "MATCH_MESSAGE",
          "TRADE_DELIVERED", "NO_MATCH", "TRADE_REMINDER", "DEADLINE_REMINDER"]


def invitations_for(server, user, n):
    """n GROUP_INVITATION notifications for user, from n new groups; returns the invitations."""
    out = []
    for _ in range(n):
        o = server.user()
        out.append(invite(o, new_group(o)["id"], user))
    return out


def test_feed_lists_newest_first_with_unread_count(server):
    bob = server.user()
    invs = invitations_for(server, bob, 3)
    body = bob.get(f"{API}/notifications").json()
    assert set(body) == {"items", "nextCursor", "unreadCount"}
    assert body["unreadCount"] == 3 and body["nextCursor"] is None
    items = body["items"]
    assert [n["data"]["invitationId"] for n in items] == [i["id"] for i in reversed(invs)]
    n = items[0]
    assert set(n) == {"id", "type", "message", "data", "createdAt", "read"}
    assert n["type"] == "GROUP_INVITATION" and n["read"] is False and isinstance(n["id"], str)
    assert invs[-1]["group"]["name"] in n["message"]
    assert n["data"] == {"invitationId": invs[-1]["id"], "groupId": invs[-1]["group"]["id"]}


def test_read_one_and_read_all(server):
    bob, eve = server.user(), server.user()
    invitations_for(server, bob, 3)
    items = bob.get(f"{API}/notifications").json()["items"]
    problem(eve.post(f"{API}/notifications/{items[1]['id']}/read"), 404, "not_found")
    problem(bob.post(f"{API}/notifications/abc/read"), 404, "not_found")
    problem(bob.post(f"{API}/notifications/99999999/read"), 404, "not_found")
    assert bob.post(f"{API}/notifications/{items[1]['id']}/read").status_code == 204
    assert bob.post(f"{API}/notifications/{items[1]['id']}/read").status_code == 204  # idempotent
    body = bob.get(f"{API}/notifications").json()
    assert body["unreadCount"] == 2
    assert [n["read"] for n in body["items"]] == [False, True, False]
    unread = bob.get(f"{API}/notifications", params={"unread": "true"}).json()
    assert [n["id"] for n in unread["items"]] == [items[0]["id"], items[2]["id"]] and unread["unreadCount"] == 2
    problem(bob.get(f"{API}/notifications", params={"unread": "maybe"}), 400, "bad_request")
    assert bob.post(f"{API}/notifications/read-all").status_code == 204
    body = bob.get(f"{API}/notifications").json()
    assert body["unreadCount"] == 0 and all(n["read"] for n in body["items"])
    assert bob.get(f"{API}/notifications", params={"unread": "true"}).json()["items"] == []
    problem(server.client().get(f"{API}/notifications"), 401, "unauthenticated")
    problem(server.client().post(f"{API}/notifications/read-all"), 401, "unauthenticated")


def test_feed_pagination_with_cursors(server):
    bob = server.user()
    invs = invitations_for(server, bob, 5)
    items, pages = collect(bob, f"{API}/notifications", 2)
    assert pages == 3
    assert [n["data"]["invitationId"] for n in items] == [i["id"] for i in reversed(invs)]
    # Stable under inserts: a new notification does not shift the next page.
    first = bob.get(f"{API}/notifications", params={"limit": 2}).json()
    invitations_for(server, bob, 1)
    second = bob.get(f"{API}/notifications", params={"limit": 2, "cursor": first["nextCursor"]}).json()
    assert [n["id"] for n in second["items"]] == [n["id"] for n in items[2:4]]
    assert second["unreadCount"] == 6
    for cursor in ["forged", "YzEuNS42", "!!", "YzEueA"]:  # junk, "c1.5.6" (two keys), "c1.x"
        problem(bob.get(f"{API}/notifications", params={"cursor": cursor}), 400, "bad_request")
    for limit in ["0", "101", "x"]:
        problem(bob.get(f"{API}/notifications", params={"limit": limit}), 400, "bad_request")


def test_settings_round_trip(server):
    bob = server.user()
    r = bob.get(f"{API}/me/notification-settings")
    assert r.status_code == 200
    defaults = {t: t not in ("EVENT_STATUS_UPDATE", "VOTE_NOTIFICATION") for t in LISTED}
    assert r.json() == {"email": defaults}
    r = bob.patch(f"{API}/me/notification-settings", json={"email": {"NEW_MATCH": False, "VOTE_NOTIFICATION": True}})
    assert r.status_code == 200, r.text
    want = {**defaults, "VOTE_NOTIFICATION": True, "NEW_MATCH": False}
    assert r.json() == {"email": want}
    assert bob.get(f"{API}/me/notification-settings").json() == {"email": want}
    r = bob.patch(f"{API}/me/notification-settings", json={"email": {"NEW_MATCH": True}})
    assert r.json()["email"]["NEW_MATCH"] is True and r.json()["email"]["VOTE_NOTIFICATION"] is True
    field_error(bob.patch(f"{API}/me/notification-settings", json={"email": {"SECURITY_ALERT": False}}),
                "email.SECURITY_ALERT", "invalid")
    field_error(bob.patch(f"{API}/me/notification-settings", json={"email": {"NOPE": True}}), "email.NOPE", "invalid")
    field_error(bob.patch(f"{API}/me/notification-settings", json={"email": {"NEW_MATCH": "yes"}}), "email.NEW_MATCH",
                "invalid")
    field_error(bob.patch(f"{API}/me/notification-settings", json={"email": {"NEW_MATCH": False, "X": 1}}), "email.X",
                "invalid")
    problem(bob.patch(f"{API}/me/notification-settings", json={}), 400, "bad_request")
    # A rejected patch changes nothing.
    assert bob.get(f"{API}/me/notification-settings").json()["email"]["NEW_MATCH"] is True
    problem(server.client().get(f"{API}/me/notification-settings"), 401, "unauthenticated")


def test_group_invitation_with_email_off_sends_no_mail(server):
    quiet, loud = server.user(), server.user()
    r = quiet.patch(f"{API}/me/notification-settings", json={"email": {"GROUP_INVITATION": False}})
    assert r.status_code == 200
    owner = server.user()
    gid = new_group(owner)["id"]
    invite(owner, gid, quiet)
    invite(owner, gid, loud)
    server.wait_mail(loud.user["email"], "join")  # mail is flowing …
    time.sleep(0.5)
    assert [m for m in server.mails(quiet.user["email"]) if "join" in str(m["Subject"]).lower()] == []
    # … and the in-app notification is there all the same.
    assert quiet.get(f"{API}/notifications").json()["items"][0]["type"] == "GROUP_INVITATION"


class SseReader:
    """Reads an event stream in a thread; events arrive in self.events as dicts."""

    def __init__(self, session, url, headers=None):
        self.events = queue.Queue()
        self.opened = threading.Event()
        self.response = session.get(url, headers=headers or {}, stream=True, timeout=30)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        event = {}
        try:
            for line in self.response.iter_lines(chunk_size=1, decode_unicode=True):
                if line is None:
                    continue
                if line.startswith(":"):
                    if "stream open" in line:
                        self.opened.set()
                    continue
                if line == "":
                    if event:
                        self.events.put(event)
                    event = {}
                    continue
                key, _, value = line.partition(":")
                event[key] = value[1:] if value.startswith(" ") else value
        except Exception:  # the test closed the stream
            pass

    def next(self, timeout=10):
        return self.events.get(timeout=timeout)

    def close(self):
        # Shut the socket first: close() alone waits for the reader (up to a heartbeat).
        try:
            self.response.raw._fp.fp.raw._sock.shutdown(socket.SHUT_RDWR)
        except (AttributeError, OSError):
            pass
        self.response.close()


def test_stream_receives_a_notification_caused_by_another_request(server):
    bob = server.user()
    reader = SseReader(bob.session, f"{server.url}{API}/notifications/stream",
                       headers={"Authorization": f"Bearer {bob.token}"})
    try:
        assert reader.response.status_code == 200
        assert reader.response.headers["Content-Type"].startswith("text/event-stream")
        assert reader.opened.wait(10)
        inv = invitations_for(server, bob, 1)[0]
        ev = reader.next()
        assert ev["event"] == "notification"
        data = json.loads(ev["data"])
        listed = bob.get(f"{API}/notifications").json()["items"][0]
        assert data == listed and ev["id"] == listed["id"]
        assert data["data"]["invitationId"] == inv["id"]
        # Someone else's notification does not reach this stream.
        invitations_for(server, server.user(), 1)
        inv2 = invitations_for(server, bob, 1)[0]
        ev2 = reader.next()
        assert json.loads(ev2["data"])["data"]["invitationId"] == inv2["id"]
    finally:
        reader.close()


def test_stream_replays_after_last_event_id(server):
    bob = server.user()
    invitations_for(server, bob, 3)
    items = bob.get(f"{API}/notifications").json()["items"]  # newest first
    oldest = items[-1]["id"]
    reader = SseReader(bob.session, f"{server.url}{API}/notifications/stream",
                       headers={"Authorization": f"Bearer {bob.token}", "Last-Event-ID": oldest})
    try:
        got = [reader.next()["id"], reader.next()["id"]]
        assert got == [items[1]["id"], items[0]["id"]]
        # Then live ones, without repeats.
        invitations_for(server, bob, 1)
        newest = bob.get(f"{API}/notifications").json()["items"][0]["id"]
        assert reader.next()["id"] == newest
        assert reader.events.empty()
    finally:
        reader.close()
    # The query parameter works as well, for clients that cannot set the header.
    reader = SseReader(bob.session, f"{server.url}{API}/notifications/stream?lastEventId={items[1]['id']}",
                       headers={"Authorization": f"Bearer {bob.token}"})
    try:
        assert reader.next()["id"] == items[0]["id"]
    finally:
        reader.close()


def test_stream_works_with_the_session_cookie_and_needs_a_login(server):
    bob = server.user()
    c = requests.Session()
    r = c.post(f"{server.url}{API}/auth/login", json={"login": bob.username, "password": PASSWORD})
    assert r.status_code == 200
    reader = SseReader(c, f"{server.url}{API}/notifications/stream")
    try:
        assert reader.response.status_code == 200
        assert reader.opened.wait(10)
        invitations_for(server, bob, 1)
        assert reader.next()["event"] == "notification"
    finally:
        reader.close()
    problem(requests.get(f"{server.url}{API}/notifications/stream", timeout=10), 401, "unauthenticated")
    problem(bob.get(f"{API}/notifications/stream", headers={"Last-Event-ID": "abc"}), 400, "bad_request")


@pytest.mark.skipif(BACKEND != "postgres", reason="several processes share a database only on PostgreSQL")
def test_stream_reaches_a_client_of_another_process(server, make_server):
    # Users first: a second process shares the outbox and may deliver mail to its own dir.
    bob, owner = server.user(), server.user()
    gid = new_group(owner)["id"]
    other = make_server("--rate-limits", "off", db_url=server.db_url)
    try:
        reader = SseReader(bob.session, f"{other.url}{API}/notifications/stream",
                           headers={"Authorization": f"Bearer {bob.token}"})
        try:
            assert reader.opened.wait(10)
            inv = invite(owner, gid, bob)  # made through the first process
            ev = reader.next()
            assert json.loads(ev["data"])["data"]["invitationId"] == inv["id"]
        finally:
            reader.close()
    finally:
        other.stop()  # so it stops taking the shared server's mail
