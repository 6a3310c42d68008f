"""docs/product.md §7 "Trades": messages between the two artists of a match (with the hourly
mail throttle), delivering the piece, who may read the delivered images, and the trade
gallery; every role and every error, on SQLite and PostgreSQL."""
import email.header
import json
import threading
import time

import pytest

from conftest import field_error, problem
from event_helpers import API, Community, advance, convert, image_size, jpeg_with_gps, notifications, png, sql
from test_mail import SmtpServer, free_port
from test_mail import wait_for as wait_mail
from test_matching import _size, act, matches_of, matching_event, must_act, mutual
from test_notifications import SseReader


# --- helpers ------------------------------------------------------------------------------
def closed_event_with_matches(com, couples):
    """An event in which each couple liked each other's artwork, now CLOSED; returns
    (event, {frozenset of usernames: match}). Tests pair the same artists in several events,
    so avoidRepeatPartners is off."""
    ev, arts = matching_event(com, [x for c in couples for x in c], avoidRepeatPartners=False)
    for x, y in couples:
        mutual(arts, x, y)
    advance(com.owner, ev["id"], "CLOSED")
    matches = {}
    for x, y in couples:
        items = matches_of(x, ev["id"])
        assert len(items) == 1, items
        matches[frozenset((x.username, y.username))] = items[0]
    return ev, matches


def one_match(com, status="PENDING"):
    """Members[0] and members[1] in one match of a new CLOSED event, brought to `status`."""
    a, b = com.members[:2]
    ev, ms = closed_event_with_matches(com, [(a, b)])
    m = next(iter(ms.values()))
    if status in ("ACCEPTED", "COMPLETED"):
        must_act(a, m["id"], "accept")
        must_act(b, m["id"], "accept")
    if status == "COMPLETED":
        must_act(a, m["id"], "complete")
        must_act(b, m["id"], "complete")
    if status == "DECLINED":
        must_act(b, m["id"], "decline")
    return ev, m


def post(client, mid, text, **kw):
    if "json" not in kw and "data" not in kw:
        kw["json"] = {"text": text}
    return client.post(f"{API}/matches/{mid}/messages", **kw)


def must_post(client, mid, text):
    r = post(client, mid, text)
    assert r.status_code == 201, r.text
    return r.json()


def messages(client, mid, **params):
    r = client.get(f"{API}/matches/{mid}/messages", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def deliver(client, mid, image=None, title="My piece", description=None, filename="piece.png",
            content_type="image/png"):
    files = {"title": (None, title)}
    if description is not None:
        files["description"] = (None, description)
    if image is not None:
        files["image"] = (filename, image, content_type)
    return client.put(f"{API}/matches/{mid}/delivery", files=files)


def must_deliver(client, mid, image=None, **kw):
    r = deliver(client, mid, image if image is not None else png(next(_size), 20), **kw)
    assert r.status_code == 200, r.text
    return r.json()


def part(match, client):
    return next(p for p in match["participants"] if p["user"]["id"] == client.id)


def others(com):
    """Everyone of the community but the two artists of one_match: another member, the
    admin, the owner and the outsider."""
    return [com.members[2], com.admin, com.owner, com.outsider]


@pytest.fixture
def com(server):
    return Community(server, members=3)


# --- messages -----------------------------------------------------------------------------
def test_messages_between_the_two_artists(server, com):
    a, b = com.members[:2]
    ev, m = one_match(com)
    mid = m["id"]
    assert messages(a, mid) == {"items": [], "nextCursor": None}

    first = must_post(a, mid, "Hello!\nShall we trade by post?")
    assert set(first) == {"id", "matchId", "author", "text", "createdAt"}
    assert first["matchId"] == mid and first["text"] == "Hello!\nShall we trade by post?"
    assert first["author"] == {"id": a.id, "username": a.username, "displayName": a.user["profile"]["displayName"]}
    assert first["createdAt"].endswith("Z")
    second = must_post(b, mid, "Yes!\ttabs and\r\nCRLF are fine")
    third = must_post(a, mid, "x" * 4000)  # the longest
    fourth = must_post(a, mid, "é" * 4000)  # characters, not bytes

    # Newest first, for both participants alike; pages by id.
    everything = [fourth, third, second, first]
    assert messages(a, mid)["items"] == everything
    assert messages(b, mid) == {"items": everything, "nextCursor": None}
    page1 = messages(b, mid, limit=3)
    assert page1["items"] == everything[:3] and page1["nextCursor"]
    page2 = messages(b, mid, limit=3, cursor=page1["nextCursor"])
    assert page2 == {"items": everything[3:], "nextCursor": None}
    problem(b.get(f"{API}/matches/{mid}/messages", params={"cursor": "garbage!"}), 400, "bad_request")
    problem(b.get(f"{API}/matches/{mid}/messages", params={"limit": 0}), 400, "bad_request")

    # The partner is told of each message (MATCH_MESSAGE), the author is not.
    notes = [n for n in notifications(b, "MATCH_MESSAGE") if n["data"]["matchId"] == mid]
    assert [n["data"] for n in notes] == [
        {"matchId": mid, "eventId": ev["id"], "messageId": x["id"]} for x in (fourth, third, first)]
    assert a.user["profile"]["displayName"] in notes[-1]["message"] and ev["name"] in notes[-1]["message"]
    assert "2 messages" in notes[0]["message"]  # two of a's since b last wrote
    assert [n["data"]["messageId"] for n in notifications(a, "MATCH_MESSAGE") if n["data"]["matchId"] == mid] == [
        second["id"]]

    # Nobody else reads or writes: other members, the admin, the owner, outsiders get 404.
    for c in others(com):
        problem(c.get(f"{API}/matches/{mid}/messages"), 404, "not_found")
        problem(post(c, mid, "hi"), 404, "not_found")
    anon = server.client()
    problem(anon.get(f"{API}/matches/{mid}/messages"), 401, "unauthenticated")
    problem(post(anon, mid, "hi"), 401, "unauthenticated")
    for bad in ["999999999", "abc"]:
        problem(a.get(f"{API}/matches/{bad}/messages"), 404, "not_found")
        problem(post(a, bad, "hi"), 404, "not_found")

    # The text: 1–4000 characters of multi-line plain text.
    for bad in ["", "   \n\t ", "x" * 4001, "bell\x07", "bidi \u202e override", "line\u2028sep", "nul\x00"]:
        field_error(post(a, mid, bad), "text", "invalid")
    for bad in [5, ["x"], {"t": 1}, True]:
        field_error(post(a, mid, None, json={"text": bad}), "text", "invalid")
    problem(post(a, mid, None, json={"text": None}), 400, "bad_request")
    problem(post(a, mid, None, json={}), 400, "bad_request")
    problem(post(a, mid, None, data="{nope", headers={"Content-Type": "application/json"}), 400, "bad_request")
    assert len(messages(a, mid)["items"]) == 4  # refusals stored nothing


def test_messages_in_every_status_but_declined(server, com):
    a, b = com.members[:2]
    _, accepted = one_match(com, "ACCEPTED")
    must_post(a, accepted["id"], "accepted")
    must_act(a, accepted["id"], "complete")
    must_act(b, accepted["id"], "complete")
    must_post(b, accepted["id"], "completed: thank you!")  # a thank-you after the trade is fine

    c, d = com.members[1:3]
    ev, ms = closed_event_with_matches(com, [(c, d)])
    declined = next(iter(ms.values()))
    must_post(c, declined["id"], "before the decline")
    must_act(d, declined["id"], "decline")
    problem(post(c, declined["id"], "after"), 409, "match_closed")
    problem(post(d, declined["id"], "after"), 409, "match_closed")
    # The conversation stays readable to the two of them.
    assert [x["text"] for x in messages(d, declined["id"])["items"]] == ["before the decline"]
    problem(post(com.owner, declined["id"], "x"), 404, "not_found")  # 404 before 409 for others


def test_a_participant_who_left_the_group_sees_nothing(server, com):
    a, b = com.members[:2]
    ev, m = one_match(com)
    must_post(a, m["id"], "hi")
    assert a.delete(f"{API}/groups/{com.gid}/members/{a.id}").status_code == 204
    problem(a.get(f"{API}/matches/{m['id']}/messages"), 404, "not_found")
    problem(post(a, m["id"], "still here?"), 404, "not_found")
    # Leaving ends the match (DECLINED, docs/product.md §7 "Re-pairing"): the partner keeps
    # the conversation to read but can no longer write into it.
    (ended,) = [x for x in b.get(f"{API}/events/{ev['id']}/matches").json()["items"] if x["id"] == m["id"]]
    assert ended["status"] == "DECLINED"
    problem(post(b, m["id"], "you left"), 409, "match_closed")
    assert [x["text"] for x in messages(b, m["id"])["items"]] == ["hi"]


def test_message_notification_is_live_on_the_stream(server, com):
    a, b = com.members[:2]
    _, m = one_match(com)
    reader = SseReader(b.session, f"{server.url}{API}/notifications/stream",
                       headers={"Authorization": f"Bearer {b.token}"})
    try:
        assert reader.opened.wait(10)
        msg = must_post(a, m["id"], "live?")
        # The phase changes of one_match may still be on their way (on PostgreSQL they
        # travel through NOTIFY): skip them.
        data = json.loads(reader.next()["data"])
        while data["type"] == "EVENT_STATUS_UPDATE":
            data = json.loads(reader.next()["data"])
        assert data["type"] == "MATCH_MESSAGE" and data["data"]["messageId"] == msg["id"]
    finally:
        reader.close()


def test_messages_are_rate_limited_per_user(make_server):
    srv = make_server()  # rate limits on
    com = Community(srv, members=3)
    a, b = com.members[:2]
    _, m = one_match(com)
    for i in range(30):
        must_post(a, m["id"], f"message {i}")
    r = post(a, m["id"], "one too many")
    problem(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) > 0
    must_post(b, m["id"], "the partner has a budget of their own")
    assert len(messages(a, m["id"], limit=100)["items"]) == 31


@pytest.fixture
def smtp(tmp_path):
    port = free_port()
    s = SmtpServer(tmp_path / "maildir", port)
    yield s
    s.stop()


def test_message_mail_at_most_once_an_hour_per_match_and_recipient(make_server, smtp):
    # The people and their matches are made with mail to the mail dir (their verification
    # links are read there), then the same database is served with mail over SMTP.
    first_srv = make_server("--rate-limits", "off")
    com = Community(first_srv, members=3)
    a, b, c = com.members
    ev, ms = closed_event_with_matches(com, [(a, b)])
    ev2, ms2 = closed_event_with_matches(com, [(c, b)])
    first_srv.stop()
    srv = make_server("--rate-limits", "off", "--smtp-url", f"smtp://127.0.0.1:{smtp.port}",
                      db_url=first_srv.db_url, workdir=first_srv.workdir)
    for client in [*com.members, com.owner, com.admin, com.outsider]:
        client.server = srv
    m = next(iter(ms.values()))
    mid = m["id"]

    def subject(x):
        return str(email.header.make_header(email.header.decode_header(x["Subject"])))

    def mails_to(client):
        return [x for x in smtp.messages() if client.user["email"] in x["To"] and "wrote to you" in subject(x)]

    for i in range(3):
        must_post(a, mid, f"message {i}")
    first = wait_mail(lambda: mails_to(b))
    assert len(first) == 1
    # Messages sent in parallel within the hour mail nobody again.
    threads = [threading.Thread(target=must_post, args=(a, mid, f"parallel {i}")) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    must_post(b, mid, "an answer")  # b's first: a is mailed once
    assert wait_mail(lambda: mails_to(a))
    time.sleep(1.5)  # the sender would have delivered anything queued by now
    assert len(mails_to(b)) == 1 and len(mails_to(a)) == 1
    assert len(notifications(b, "MATCH_MESSAGE")) == 9  # every message is in the feed

    # An hour later the next message mails again, saying how many wait (since b last wrote).
    must_post(a, mid, "within the hour 1")
    must_post(a, mid, "within the hour 2")
    sql(srv, f"UPDATE match_message_mail SET last_mailed_at = last_mailed_at - 3600000 WHERE match_id = {mid}")
    must_post(a, mid, "after an hour")
    must_post(a, mid, "and another")
    first_id = first[0]["Message-ID"]
    later = wait_mail(lambda: [x for x in mails_to(b) if x["Message-ID"] != first_id])
    assert len(later) == 1 and len(mails_to(b)) == 2
    body = later[0].get_payload(decode=True).decode()
    assert "(3 messages wait for you)" in body and a.user["profile"]["displayName"] in body
    # Another match of the recipient has its own hour.
    m2 = next(iter(ms2.values()))
    must_post(c, m2["id"], "hello from c")
    wait_mail(lambda: len(mails_to(b)) == 3)
    assert len(mails_to(b)) == 3


def test_message_mail_follows_the_settings(server, com):
    a, b = com.members[:2]
    _, m = one_match(com)
    r = b.patch(f"{API}/me/notification-settings", json={"email": {"MATCH_MESSAGE": False}})
    assert r.status_code == 200, r.text
    must_post(a, m["id"], "no mail please")
    time.sleep(1)
    assert not [x for x in server.mails(b.user["email"]) if "wrote to you" in str(x["Subject"])]
    assert notifications(b, "MATCH_MESSAGE")


# --- deliveries ---------------------------------------------------------------------------
def test_delivery_rules_roles_and_errors(server, com):
    a, b = com.members[:2]
    ev, m = one_match(com)
    mid = m["id"]
    assert all(p["delivery"] is None for p in m["participants"])
    problem(deliver(a, mid, png()), 409, "wrong_phase")  # PENDING: not both accepted yet
    must_act(a, mid, "accept")
    problem(deliver(a, mid, png()), 409, "wrong_phase")
    must_act(b, mid, "accept")

    for c in others(com):
        problem(deliver(c, mid, png()), 404, "not_found")
    problem(deliver(server.client(), mid, png()), 401, "unauthenticated")
    problem(deliver(a, "999999999", png()), 404, "not_found")
    problem(deliver(a, mid, None), 400, "bad_request")  # no image part
    problem(a.put(f"{API}/matches/{mid}/delivery", data=b"x", headers={"Content-Type": "text/plain"}), 400,
            "bad_request")
    field_error(deliver(a, mid, png(), title=""), "title", "invalid")
    field_error(deliver(a, mid, png(), title="x" * 121), "title", "invalid")
    field_error(deliver(a, mid, png(), description="x" * 2001), "description", "invalid")
    problem(deliver(a, mid, b"not an image at all"), 415, "unsupported_image")
    problem(deliver(a, mid, png()[:60]), 415, "unsupported_image")  # truncated

    # The delivery: metadata stripped, a thumbnail; the partner gets TRADE_DELIVERED.
    photo = jpeg_with_gps(640, 480)
    got = must_deliver(a, mid, photo, title="  For you  ", description="Oil on\ncanvas", filename="x.jpg",
                       content_type="image/jpeg")
    assert got["id"] == mid and got["status"] == "ACCEPTED"
    d = part(got, a)["delivery"]
    assert set(d) == {"title", "description", "imageUrl", "thumbnailUrl", "width", "height", "createdAt"}
    assert d["title"] == "For you" and d["description"] == "Oil on\ncanvas"
    assert (d["width"], d["height"]) == (640, 480)
    assert part(got, b)["delivery"] is None
    image = a.get(d["imageUrl"])
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/jpeg"
    assert b"GPS" not in image.content and b"Exif" not in image.content
    thumb = b.get(d["thumbnailUrl"])
    assert thumb.status_code == 200 and max(image_size(thumb.content)) <= 480
    note = [n for n in notifications(b, "TRADE_DELIVERED") if n["data"]["matchId"] == mid]
    assert len(note) == 1 and note[0]["data"] == {"matchId": mid, "eventId": ev["id"]}
    assert "For you" in note[0]["message"]
    assert not notifications(a, "TRADE_DELIVERED")
    server.wait_mail(b.user["email"], "delivered")  # emailed by default

    # Every answer about the match shows it, to both participants and to the owner's list.
    for c in (a, b):
        listed = c.get(f"{API}/events/{ev['id']}/matches").json()["items"][0]
        assert part(listed, a)["delivery"] == d
    assert part(com.owner.get(f"{API}/events/{ev['id']}/matches").json()["items"][0], a)["delivery"] == d

    # A new upload replaces it (new image URLs), until the partner has marked it received.
    again = must_deliver(a, mid, convert(png(50, 40), ".webp"), title="Better photo", filename="p.webp",
                         content_type="image/webp")
    d2 = part(again, a)["delivery"]
    assert d2["title"] == "Better photo" and d2["description"] == "" and (d2["width"], d2["height"]) == (50, 40)
    assert d2["imageUrl"] != d["imageUrl"] and a.get(d2["imageUrl"]).headers["Content-Type"] == "image/webp"
    assert len(notifications(b, "TRADE_DELIVERED")) == 2
    # b delivers too; a marks it received: b's delivery is final, a's can still change.
    must_deliver(b, mid, title="From b")
    must_act(a, mid, "complete")
    problem(deliver(b, mid, png()), 409, "match_closed")
    final = must_deliver(a, mid, title="Last change")
    assert part(final, b)["delivery"]["title"] == "From b"
    must_act(b, mid, "complete")
    problem(deliver(a, mid, png()), 409, "match_closed")  # COMPLETED
    done = a.get(f"{API}/events/{ev['id']}/matches").json()["items"][0]
    assert done["status"] == "COMPLETED" and part(done, a)["delivery"]["title"] == "Last change"

    # DECLINED: match_closed; receiving without any delivery stays possible.
    c, d_ = com.members[1:3]
    ev2, ms2 = closed_event_with_matches(com, [(c, d_)])
    m2 = next(iter(ms2.values()))
    must_act(c, m2["id"], "decline")
    problem(deliver(c, m2["id"], png()), 409, "match_closed")
    problem(deliver(d_, m2["id"], png()), 409, "match_closed")


def test_received_without_delivery(server, com):
    a, b = com.members[:2]
    _, m = one_match(com, "ACCEPTED")
    must_act(a, m["id"], "complete")
    done = must_act(b, m["id"], "complete")
    assert done["status"] == "COMPLETED" and all(p["delivery"] is None for p in done["participants"])


def test_delivery_refused_before_the_body_is_read(server, com):
    """A refused delivery's large body is never read: the answer comes from the head."""
    import socket
    from urllib.parse import urlparse
    a, b = com.members[:2]
    _, m = one_match(com)  # PENDING
    u = urlparse(server.url)
    for who, status in [(a, b"409"), (com.admin, b"404")]:
        with socket.create_connection((u.hostname, u.port), timeout=10) as s:
            s.sendall((f"PUT {API}/matches/{m['id']}/delivery HTTP/1.1\r\nHost: x\r\n"
                       f"Authorization: Bearer {who.token}\r\n"
                       "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 20000000\r\n\r\n").encode())
            head = s.recv(4096)
            assert head.split(b" ")[1] == status, head


def test_images_readable_by_participants_then_by_members(server, com):
    a, b = com.members[:2]
    ev, m = one_match(com, "ACCEPTED")
    d = part(must_deliver(a, m["id"]), a)["delivery"]
    for url in (d["imageUrl"], d["thumbnailUrl"]):
        for c in (a, b):
            r = c.get(url)
            assert r.status_code == 200, r.text
            assert r.headers["Cache-Control"] == "private, max-age=31536000, immutable"
            r304 = c.get(url, headers={"If-None-Match": r.headers["ETag"]})
            assert r304.status_code == 304 and r304.content == b""
        for c in others(com):
            problem(c.get(url), 404, "not_found")
        problem(server.client().get(url), 401, "unauthenticated")
    # The trade gallery is empty until the match is COMPLETED.
    assert a.get(f"{API}/events/{ev['id']}/trades").json() == {"items": [], "nextCursor": None}
    must_act(a, m["id"], "complete")
    for c in others(com)[:3]:
        problem(c.get(d["imageUrl"]), 404, "not_found")
    must_act(b, m["id"], "complete")
    for url in (d["imageUrl"], d["thumbnailUrl"]):
        for c in [a, b, *others(com)[:3]]:  # every member
            assert c.get(url).status_code == 200
        problem(com.outsider.get(url), 404, "not_found")
    problem(a.get(f"{API}/deliveries/999999999/image"), 404, "not_found")
    problem(a.get(f"{API}/deliveries/abc/thumbnail"), 404, "not_found")


def test_parallel_deliveries_by_both_participants(server, com):
    a, b = com.members[:2]
    ev, m = one_match(com, "ACCEPTED")
    results = {}

    def run(c, n):
        results[(c.username, n)] = deliver(c, m["id"], png(30 + n, 30), title=f"{c.username} {n}")

    threads = [threading.Thread(target=run, args=(c, n)) for c in (a, b) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.status_code == 200 for r in results.values()), [r.text for r in results.values()]
    final = a.get(f"{API}/events/{ev['id']}/matches").json()["items"][0]
    for c in (a, b):
        dl = part(final, c)["delivery"]
        n = int(dl["title"].split()[-1])
        assert dl["title"] == f"{c.username} {n}" and dl["width"] == 30 + n  # one upload whole, not a mix
        assert a.get(dl["imageUrl"]).status_code == 200
    assert len(notifications(b, "TRADE_DELIVERED")) == 3 and len(notifications(a, "TRADE_DELIVERED")) == 3


def test_deliveries_racing_with_the_partners_receipt(server, com):
    """Repeated deliveries while the partner marks the art received: each delivery either
    lands before the receipt (200, and it is the final one if last) or is refused after it
    (409 match_closed); the stored delivery is one that was answered 200."""
    for _round in range(3):
        a, b = com.members[:2]
        ev, m = one_match(com, "ACCEPTED")
        answers = []
        lock = threading.Lock()
        go = threading.Event()

        def keep_delivering():
            go.wait()
            for n in range(6):
                r = deliver(a, m["id"], png(20 + n, 20), title=f"take {n}")
                with lock:
                    answers.append((n, r.status_code))

        t = threading.Thread(target=keep_delivering)
        t.start()
        go.set()
        r = act(b, m["id"], "complete")
        assert r.status_code == 200, r.text
        t.join()
        codes = [c for _, c in answers]
        assert set(codes) <= {200, 409}, answers
        ok = [n for n, c in answers if c == 200]
        # Once refused, always refused: no 200 after a 409.
        assert codes == sorted(codes), answers
        final = a.get(f"{API}/events/{ev['id']}/matches").json()["items"][0]
        dl = part(final, a)["delivery"]
        if ok:
            assert dl["title"] == f"take {ok[-1]}" and dl["width"] == 20 + ok[-1]
        else:
            assert dl is None
        assert part(final, b)["received"] is True


# --- the trade gallery --------------------------------------------------------------------
def test_trade_gallery(server, com):
    a, b, c = com.members
    d = server.user()
    r = com.owner.post(f"{API}/groups/{com.gid}/invitations", json={"username": d.username})
    assert d.post(f"{API}/invitations/{r.json()['id']}/accept").status_code == 200
    d.user = d.get(f"{API}/me").json()
    ev, ms = closed_event_with_matches(com, [(a, b), (c, d)])
    m_ab = ms[frozenset((a.username, b.username))]
    m_cd = ms[frozenset((c.username, d.username))]
    url = f"{API}/events/{ev['id']}/trades"
    assert a.get(url).json() == {"items": [], "nextCursor": None}
    for x, y, mm in ((a, b, m_ab), (c, d, m_cd)):
        must_act(x, mm["id"], "accept")
        must_act(y, mm["id"], "accept")
    must_deliver(a, m_ab["id"], title="a to b")
    must_deliver(d, m_cd["id"], title="d to c")
    # c-d completes first, then a-b: newest completed first.
    must_act(c, m_cd["id"], "complete")
    must_act(d, m_cd["id"], "complete")
    assert [x["id"] for x in a.get(url).json()["items"]] == [m_cd["id"]]
    must_act(a, m_ab["id"], "complete")
    must_act(b, m_ab["id"], "complete")
    for viewer in (a, c, com.admin, com.owner):
        got = viewer.get(url).json()
        assert [x["id"] for x in got["items"]] == [m_ab["id"], m_cd["id"]] and got["nextCursor"] is None
        assert all(x["status"] == "COMPLETED" for x in got["items"])
        assert part(got["items"][0], a)["delivery"]["title"] == "a to b"
        assert part(got["items"][0], b)["delivery"] is None
        assert viewer.get(part(got["items"][1], d)["delivery"]["imageUrl"]).status_code == 200
    p1 = a.get(url, params={"limit": 1}).json()
    assert [x["id"] for x in p1["items"]] == [m_ab["id"]] and p1["nextCursor"]
    p2 = a.get(url, params={"limit": 1, "cursor": p1["nextCursor"]}).json()
    assert [x["id"] for x in p2["items"]] == [m_cd["id"]] and p2["nextCursor"] is None
    problem(a.get(url, params={"cursor": "zzz"}), 400, "bad_request")
    problem(com.outsider.get(url), 404, "not_found")
    problem(server.client().get(url), 401, "unauthenticated")
    problem(a.get(f"{API}/events/999999999/trades"), 404, "not_found")
