"""docs/product.md §6: artworks — upload (real PNG/JPEG/WebP/GIF), validation, images, edit, delete."""
import http.client
import json
import threading

import pytest
import requests

from conftest import BACKEND, PASSWORD, problem, field_error
from event_helpers import (API, GPS_MARK, Community, advance, advance_to, convert, image_size, jpeg_with_gps,
                           make_event, make_group, notifications, png, png_bomb, sql, submit, upload)

ARTWORK_KEYS = {"id", "eventId", "artist", "title", "description", "imageUrl", "thumbnailUrl", "displayUrl", "width",
                "height", "displayWidth", "displayHeight", "createdAt", "voteCount", "myVote", "myLike", "isMatched"}


@pytest.fixture
def com(server):
    return Community(server)


@pytest.fixture
def ev(com):
    return make_event(com.owner, com.gid)


def fetch(client, url, **kw):
    return client.get(url, **kw)


@pytest.mark.parametrize("fmt,served_type", [(".png", "image/png"), (".jpg", "image/jpeg"),
                                             (".webp", "image/webp"), (".gif", "image/png")])
def test_upload_each_format(com, ev, fmt, served_type):
    data = png(120, 80) if fmt == ".png" else convert(png(120, 80), fmt)
    # The declared type and name are not trusted: the bytes decide.
    art = submit(com.members[0], ev["id"], data, title="Piece", description="About it", filename="x.bin",
                 content_type="application/octet-stream")
    assert set(art) == ARTWORK_KEYS
    assert art["eventId"] == ev["id"] and art["title"] == "Piece" and art["description"] == "About it"
    assert art["artist"] == {"id": com.members[0].id, "username": com.members[0].username,
                             "displayName": com.members[0].user["profile"]["displayName"]}
    assert (art["width"], art["height"]) == (120, 80)
    assert art["voteCount"] is None and art["myVote"] is False and art["myLike"] is None and art["isMatched"] is False
    assert art["imageUrl"].startswith(f"/api/v1/artworks/{art['id']}/image")
    assert art["thumbnailUrl"].startswith(f"/api/v1/artworks/{art['id']}/thumbnail")
    r = com.members[1].get(art["imageUrl"])
    assert r.status_code == 200 and r.headers["Content-Type"] == served_type
    assert image_size(r.content) == (120, 80)
    t = com.members[1].get(art["thumbnailUrl"])
    assert t.status_code == 200 and t.headers["Content-Type"].startswith("image/")
    assert image_size(t.content) == (120, 80)  # a small image is not enlarged
    assert com.owner.get(f"{API}/events/{ev['id']}").json()["artworkCount"] == 1


def test_thumbnail_longest_side_is_480(com, ev):
    art = submit(com.members[0], ev["id"], png(1000, 600))
    assert (art["width"], art["height"]) == (1000, 600)
    t = com.members[0].get(art["thumbnailUrl"])
    assert image_size(t.content) == (480, 288)
    tall = make_event(com.owner, com.gid)
    art = submit(com.members[0], tall["id"], png(300, 900))
    assert image_size(com.members[0].get(art["thumbnailUrl"]).content) == (160, 480)


def test_exif_location_is_stripped(com, ev):
    original = jpeg_with_gps()
    assert GPS_MARK in original and b"Exif" in original
    art = submit(com.members[0], ev["id"], original, filename="photo.jpg", content_type="image/jpeg")
    served = com.members[0].get(art["imageUrl"]).content
    assert served[:2] == b"\xff\xd8"
    assert GPS_MARK not in served and b"Exif" not in served and b"GPS" not in served
    thumb = com.members[0].get(art["thumbnailUrl"]).content
    assert GPS_MARK not in thumb and b"Exif" not in thumb


@pytest.mark.parametrize("name,data", [
    ("text", b"hello, I am not an image" * 10),
    ("truncated_png", png(200, 200)[:300]),
    ("truncated_jpeg", None),
    ("svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'),
    ("empty", b""),
])
def test_not_an_image_is_415(com, ev, name, data):
    if name == "truncated_jpeg":
        full = convert(png(300, 300, (1, 2, 3)), ".jpg")
        data = full[:len(full) // 2]
    problem(upload(com.members[0], ev["id"], data, filename="a.png"), 415, "unsupported_image")
    assert com.owner.get(f"{API}/events/{ev['id']}").json()["artworkCount"] == 0


def test_decompression_bomb_is_refused_cheaply(com, ev):
    problem(upload(com.members[0], ev["id"], png_bomb()), 413, "payload_too_large")
    assert com.owner.get(f"{API}/events/{ev['id']}/artworks").json()["items"] == []


def test_upload_over_20_mib_is_413(com, ev):
    big = png(8, 8) + b"\x00" * (20 * 1024 * 1024)  # 20 MiB + a few bytes: within the route's slack
    problem(upload(com.members[0], ev["id"], big), 413, "payload_too_large")
    # Over the route's body limit: refused from the headers, before the body is read.
    host, port = com.server.url.replace("http://", "").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.putrequest("POST", f"{API}/events/{ev['id']}/artworks")
    conn.putheader("Authorization", f"Bearer {com.members[0].token}")
    conn.putheader("Content-Type", "multipart/form-data; boundary=xyz")
    conn.putheader("Content-Length", str(21 * 1024 * 1024))
    conn.endheaders()
    r = conn.getresponse()
    assert r.status == 413 and json.loads(r.read())["code"] == "payload_too_large"
    conn.close()
    assert com.owner.get(f"{API}/events/{ev['id']}").json()["artworkCount"] == 0


def test_upload_form_errors(com, ev):
    m = com.members[0]
    url = f"{API}/events/{ev['id']}/artworks"
    problem(m.post(url, files={"image": ("a.png", png(), "image/png")}), 400, "bad_request")  # no title
    problem(upload(m, ev["id"], None), 400, "bad_request")  # no image
    problem(m.post(url, json={"title": "x"}), 400, "bad_request")  # not multipart
    problem(m.post(url, data=b"--x\r\nbroken", headers={"Content-Type": "multipart/form-data; boundary=x"}),
            400, "bad_request")
    field_error(upload(m, ev["id"], png(), title=""), "title", "invalid")
    field_error(upload(m, ev["id"], png(), title="   "), "title", "invalid")
    field_error(upload(m, ev["id"], png(), title="t" * 121), "title", "invalid")
    field_error(upload(m, ev["id"], png(), description="d" * 2001), "description", "invalid")
    assert com.owner.get(f"{API}/events/{ev['id']}").json()["artworkCount"] == 0
    art = submit(m, ev["id"], png(), title="é" * 120, description="ü" * 2000)  # characters, not bytes
    assert art["title"] == "é" * 120


def test_upload_rules(server, com, ev):
    problem(upload(com.outsider, ev["id"], png()), 404, "not_found")
    problem(upload(server.client(), ev["id"], png()), 401, "unauthenticated")
    problem(upload(com.members[0], "999999999", png()), 404, "not_found")
    submit(com.members[0], ev["id"])
    problem(upload(com.members[0], ev["id"], png()), 409, "artwork_limit_reached")
    submit(com.owner, ev["id"])  # owners and admins are members too
    two = make_event(com.owner, com.gid, maxArtworksPerMember=2)
    submit(com.members[1], two["id"])
    submit(com.members[1], two["id"], png(10, 10))
    problem(upload(com.members[1], two["id"], png(12, 12)), 409, "artwork_limit_reached")
    assert com.owner.get(f"{API}/events/{two['id']}").json()["artworkCount"] == 2
    advance(com.owner, ev["id"], "VOTING")
    problem(upload(com.members[1], ev["id"], png()), 409, "wrong_phase")
    assert com.owner.get(f"{API}/events/{ev['id']}").json()["artworkCount"] == 2


def test_parallel_uploads_respect_the_limit(com, ev):
    codes = []
    lock = threading.Lock()

    def go(i):
        r = upload(com.members[0], ev["id"], png(20 + i, 20))
        with lock:
            codes.append(r.status_code)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [201] + [409] * 5, codes
    assert com.owner.get(f"{API}/events/{ev['id']}").json()["artworkCount"] == 1
    assert len(com.owner.get(f"{API}/events/{ev['id']}/artworks").json()["items"]) == 1


def test_list_newest_first_with_cursor(server, com):
    ev = make_event(com.owner, com.gid, maxArtworksPerMember=10)
    ids = [submit(com.members[i % 2], ev["id"], png(10 + i, 10), title=f"a{i}")["id"] for i in range(5)]
    url = f"{API}/events/{ev['id']}/artworks"
    seen, cursor = [], None
    while True:
        page = com.admin.get(url, params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [a["id"] for a in page["items"]]
        assert all(a["voteCount"] is None for a in page["items"])
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    assert [a["id"] for a in com.admin.get(url, params={"sort": "new"}).json()["items"]] == seen
    problem(com.admin.get(url, params={"sort": "votes"}), 409, "wrong_phase")  # counts hidden while OPEN
    problem(com.admin.get(url, params={"sort": "random"}), 400, "bad_request")
    problem(com.admin.get(url, params={"cursor": "nope"}), 400, "bad_request")
    problem(com.admin.get(url, params={"limit": 1000}), 400, "bad_request")
    problem(com.outsider.get(url), 404, "not_found")
    problem(server.client().get(url), 401, "unauthenticated")
    # The session is checked first, also where the parameters are wrong as well.
    for params in ({"sort": "random"}, {"limit": 0}, {"cursor": "nope"}):
        problem(server.client().get(url, params=params), 401, "unauthenticated")
        problem(server.client("not-a-session").get(url, params=params), 401, "unauthenticated")
    problem(server.client().get(f"{API}/events/x/artworks"), 401, "unauthenticated")
    problem(com.admin.get(f"{API}/events/x/artworks"), 404, "not_found")


def test_get_artwork(server, com, ev):
    art = submit(com.members[0], ev["id"])
    r = com.members[1].get(f"{API}/artworks/{art['id']}")
    assert r.status_code == 200 and r.json() == art
    problem(com.outsider.get(f"{API}/artworks/{art['id']}"), 404, "not_found")
    problem(com.owner.get(f"{API}/artworks/999999999"), 404, "not_found")
    problem(com.owner.get(f"{API}/artworks/-1"), 404, "not_found")
    problem(server.client().get(f"{API}/artworks/{art['id']}"), 401, "unauthenticated")


def test_patch_artwork(server, com, ev):
    art = submit(com.members[0], ev["id"], description="old")
    url = f"{API}/artworks/{art['id']}"
    r = com.members[0].patch(url, json={"title": "  New title "})
    assert r.status_code == 200 and r.json()["title"] == "New title" and r.json()["description"] == "old"
    assert com.members[0].patch(url, json={"description": None}).json()["description"] == ""
    field_error(com.members[0].patch(url, json={"title": ""}), "title", "invalid")
    field_error(com.members[0].patch(url, json={"description": "x" * 2001}), "description", "invalid")
    problem(com.members[1].patch(url, json={"title": "mine"}), 403, "forbidden")
    problem(com.owner.patch(url, json={"title": "mine"}), 403, "forbidden")  # only the artist edits
    problem(com.outsider.patch(url, json={"title": "mine"}), 404, "not_found")
    problem(server.client().patch(url, json={"title": "mine"}), 401, "unauthenticated")
    advance(com.owner, ev["id"], "VOTING")
    problem(com.members[0].patch(url, json={"title": "late"}), 409, "wrong_phase")
    assert com.members[0].get(url).json()["title"] == "New title"


def test_delete_artwork(server, com):
    ev = make_event(com.owner, com.gid, maxArtworksPerMember=5)
    a1, a2, a3, a4 = (submit(com.members[0], ev["id"], png(10 + i, 10)) for i in range(4))
    problem(com.members[1].delete(f"{API}/artworks/{a1['id']}"), 403, "forbidden")
    problem(com.outsider.delete(f"{API}/artworks/{a1['id']}"), 404, "not_found")
    problem(server.client().delete(f"{API}/artworks/{a1['id']}"), 401, "unauthenticated")
    r = com.members[0].delete(f"{API}/artworks/{a1['id']}")
    assert r.status_code == 204 and r.content == b""
    problem(com.members[0].get(f"{API}/artworks/{a1['id']}"), 404, "not_found")
    problem(com.members[0].delete(f"{API}/artworks/{a1['id']}"), 404, "not_found")
    assert com.owner.get(f"{API}/events/{ev['id']}").json()["artworkCount"] == 3
    advance(com.owner, ev["id"], "VOTING")
    problem(com.members[0].delete(f"{API}/artworks/{a2['id']}"), 409, "wrong_phase")
    assert com.admin.delete(f"{API}/artworks/{a2['id']}").status_code == 204
    advance_to(com.owner, ev["id"], "CLOSED")
    assert com.owner.delete(f"{API}/artworks/{a3['id']}").status_code == 204
    assert com.owner.get(f"{API}/events/{ev['id']}").json()["artworkCount"] == 1
    assert [a["id"] for a in com.owner.get(f"{API}/events/{ev['id']}/artworks").json()["items"]] == [a4["id"]]


def test_image_caching_headers_and_304(server, com, ev):
    art = submit(com.members[0], ev["id"], png(30, 30))
    for url in [art["imageUrl"], art["thumbnailUrl"], f"{API}/artworks/{art['id']}/image"]:
        r = com.members[1].get(url)
        assert r.status_code == 200
        etag = r.headers["ETag"]
        assert etag.startswith('"') and etag.endswith('"') and len(etag) == 66
        cc = r.headers["Cache-Control"]
        assert "private" in cc and "max-age=" in cc and int(cc.split("max-age=")[1].split(",")[0]) >= 86400
        r304 = com.members[1].get(url, headers={"If-None-Match": etag})
        assert r304.status_code == 304 and r304.content == b"" and r304.headers["ETag"] == etag
        assert com.members[1].get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    image_etag = com.members[1].get(art["imageUrl"]).headers["ETag"]
    thumb_etag = com.members[1].get(art["thumbnailUrl"]).headers["ETag"]
    assert image_etag != thumb_etag
    problem(com.outsider.get(art["imageUrl"]), 404, "not_found")
    problem(com.outsider.get(art["thumbnailUrl"]), 404, "not_found")
    problem(server.client().get(art["imageUrl"]), 401, "unauthenticated")
    problem(com.members[1].get(f"{API}/artworks/999999999/image"), 404, "not_found")


def test_image_with_session_cookie(server, com, ev):
    art = submit(com.members[0], ev["id"], png(30, 30))
    s = requests.Session()
    r = s.post(server.url + f"{API}/auth/login", json={"login": com.members[1].username, "password": PASSWORD})
    assert r.status_code == 200
    r = s.get(server.url + art["imageUrl"])  # like an <img>: the cookie only, no header
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/png"
    s2 = requests.Session()
    s2.post(server.url + f"{API}/auth/login", json={"login": com.outsider.username, "password": PASSWORD})
    problem(s2.get(server.url + art["imageUrl"]), 404, "not_found")


def test_same_image_twice_shares_the_stored_file(com):
    ev = make_event(com.owner, com.gid, maxArtworksPerMember=2)
    data = png(33, 33)
    a = submit(com.members[0], ev["id"], data)
    b = submit(com.members[1], ev["id"], data)
    ea = com.owner.get(a["imageUrl"]).headers["ETag"]
    eb = com.owner.get(b["imageUrl"]).headers["ETag"]
    assert ea == eb
    com.members[0].delete(f"{API}/artworks/{a['id']}")
    assert com.owner.get(b["imageUrl"]).status_code == 200


def test_my_like_and_is_matched_reflect_likes_and_matches(server, com):
    """Likes and matches have their own API (docs/product.md §7, another feature); the likes are written
    directly here, while MATCHING (the only phase that takes likes: pages do not look for
    likes before it), and the match is the one the pairing makes when the event closes."""
    ev = make_event(com.owner, com.gid)
    a = submit(com.members[0], ev["id"])
    b = submit(com.members[1], ev["id"])
    c = submit(com.admin, ev["id"])
    m0, m1 = com.members[0], com.members[1]
    advance_to(com.owner, ev["id"], "MATCHING")
    now = 1700000000000
    sql(server, f"INSERT INTO likes (liker_id, artwork_id, event_id, rank, created_at) "
                f"VALUES ({m1.id}, {a['id']}, {ev['id']}, 2, {now})")
    sql(server, f"INSERT INTO likes (liker_id, artwork_id, event_id, rank, created_at) "
                f"VALUES ({m0.id}, {b['id']}, {ev['id']}, NULL, {now})")
    assert m1.get(f"{API}/artworks/{a['id']}").json()["myLike"] == {"rank": 2}
    assert m0.get(f"{API}/artworks/{b['id']}").json()["myLike"] == {"rank": None}
    assert m0.get(f"{API}/artworks/{a['id']}").json()["myLike"] is None

    def listed(client, key):
        return {x["id"]: x[key] for x in client.get(f"{API}/events/{ev['id']}/artworks").json()["items"]}

    assert listed(m1, "myLike") == {a["id"]: {"rank": 2}, b["id"]: None, c["id"]: None}
    assert listed(m0, "myLike") == {a["id"]: None, b["id"]: {"rank": None}, c["id"]: None}
    assert listed(com.owner, "isMatched") == {a["id"]: False, b["id"]: False, c["id"]: False}
    advance(com.owner, ev["id"], "CLOSED")  # m0 and m1 like each other: one match, a and b
    assert com.owner.get(f"{API}/artworks/{a['id']}").json()["isMatched"] is True
    assert com.owner.get(f"{API}/artworks/{c['id']}").json()["isMatched"] is False
    assert listed(com.owner, "isMatched") == {a["id"]: True, b["id"]: True, c["id"]: False}
    assert listed(m1, "myLike") == {a["id"]: {"rank": 2}, b["id"]: None, c["id"]: None}
    sql(server, f"UPDATE matches SET status = 'DECLINED' WHERE event_id = {ev['id']}")
    assert com.owner.get(f"{API}/artworks/{a['id']}").json()["isMatched"] is False
    assert listed(com.owner, "isMatched") == {a["id"]: False, b["id"]: False, c["id"]: False}


def all_pages(client, url, limit, **params):
    items, cursor = [], None
    while True:
        query = dict(params, limit=limit)
        if cursor:
            query["cursor"] = cursor
        r = client.get(url, params=query)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["nextCursor"]
        if not cursor:
            return items


def test_viewer_flags_on_pages_equal_the_single_artwork(server):
    """myVote, myLike and isMatched on list and results pages (the viewer's rows are read once
    per page, by id range) equal GET /artworks/{id} (read per artwork), for several viewers, on
    pages spanning artworks the viewer and others voted for and liked, and with the artworks of
    a second event interleaved by id: the viewer's votes and likes there must not show here."""
    com = Community(server, members=5)
    m = com.members
    e, f = (make_event(com.owner, com.gid, votesPerMember=4, maxArtworksPerMember=2) for _ in range(2))
    art = {e["id"]: [], f["id"]: []}  # art[event id][i]: member i's artwork there; ids alternate
    for i, member in enumerate(m):
        for ev in (e, f):
            art[ev["id"]].append(submit(member, ev["id"], png(10 + i, 10))["id"])
    E, F = art[e["id"]], art[f["id"]]
    viewers = [m[0], m[1], m[2], com.owner, com.admin]

    def check(visible):
        for viewer in viewers:
            for ev in (e, f):
                single = {i: viewer.get(f"{API}/artworks/{i}").json() for i in art[ev["id"]]}
                url = f"{API}/events/{ev['id']}/artworks"
                for limit in (2, 3, 100):
                    pages = [all_pages(viewer, url, limit)]
                    if visible:
                        pages.append(all_pages(viewer, url, limit, sort="votes"))
                        results = all_pages(viewer, f"{API}/events/{ev['id']}/results", limit)
                        pages.append([x["artwork"] for x in results])
                    for items in pages:
                        assert sorted(x["id"] for x in items) == sorted(single)
                        for x in items:
                            assert x == single[x["id"]], (viewer.username, x["id"])

    def flags(viewer, ev, key):
        return {x["id"]: x[key] for x in all_pages(viewer, f"{API}/events/{ev['id']}/artworks", 3)}

    check(False)  # OPEN
    advance(com.owner, e["id"], "VOTING")
    advance(com.owner, f["id"], "VOTING")
    for voter, ids in [(m[0], [E[1], E[3], F[2]]), (m[1], [E[0], E[3]]), (com.owner, [E[2], F[1]]), (m[4], [E[1]])]:
        for i in ids:
            assert voter.put(f"{API}/artworks/{i}/vote").status_code == 200
    check(False)
    assert flags(m[0], e, "myVote") == {i: i in (E[1], E[3]) for i in E}
    assert flags(m[0], f, "myVote") == {i: i == F[2] for i in F}
    advance(com.owner, e["id"], "MATCHING")
    advance(com.owner, f["id"], "MATCHING")
    for liker, i, rank in [(m[0], E[1], 1), (m[0], E[2], None), (m[1], E[0], 2), (m[2], E[3], None),
                           (m[3], E[2], 1), (m[0], F[3], 1), (m[4], E[0], None)]:
        r = liker.put(f"{API}/artworks/{i}/like", json={} if rank is None else {"rank": rank})
        assert r.status_code == 200, r.text
    check(True)
    assert flags(m[0], e, "myLike") == {i: {E[1]: {"rank": 1}, E[2]: {"rank": None}}.get(i) for i in E}
    assert flags(m[0], f, "myLike") == {i: {"rank": 1} if i == F[3] else None for i in F}
    assert flags(m[0], e, "myVote") == {i: i in (E[1], E[3]) for i in E}
    advance(com.owner, e["id"], "CLOSED")  # pairs m0 with m1 and m2 with m3
    advance(com.owner, f["id"], "CLOSED")  # no mutual likes there: no match
    check(True)
    assert flags(com.owner, e, "isMatched") == {i: i in (E[0], E[1], E[2], E[3]) for i in E}
    mine = m[2].get(f"{API}/events/{e['id']}/matches").json()["items"]
    assert len(mine) == 1
    assert m[2].post(f"{API}/matches/{mine[0]['id']}/decline").status_code == 200
    check(True)
    assert flags(com.owner, e, "isMatched") == {i: i in (E[0], E[1]) for i in E}
    assert flags(com.owner, f, "isMatched") == {i: False for i in F}


def test_text_with_quotes_backslashes_and_non_ascii_round_trips(com):
    """JSON escaping in the artwork pages (written without Boost.JSON) and in the feed:
    what was stored comes back exactly, in every place that shows it."""
    name = 'Ev "q" \\ back\\\\slash \u201cé\u201d \U0001F3A8 </script> \u200e end'
    title = 'T "q" \\ \\u0041 \u00e9\u00e8 \u65e5\u672c \U0001F600 / end'
    description = 'line 1\nline 2\r\n\ttab "q" \\n not a newline \\ \u00fc'
    ev = make_event(com.owner, com.gid, name=name)
    art = submit(com.members[0], ev["id"], title=title, description=description)
    assert (art["title"], art["description"]) == (title, description)
    url = f"{API}/events/{ev['id']}/artworks"
    listed = com.members[1].get(url)
    assert listed.headers["Content-Type"].startswith("application/json")
    assert listed.json()["items"] == [com.members[1].get(f"{API}/artworks/{art['id']}").json()]
    item = listed.json()["items"][0]
    assert (item["title"], item["description"]) == (title, description)
    assert set(item) == ARTWORK_KEYS
    advance(com.owner, ev["id"], "VOTING")
    assert com.members[1].put(f"{API}/artworks/{art['id']}/vote").status_code == 200
    advance(com.owner, ev["id"], "MATCHING")
    results = com.members[1].get(f"{API}/events/{ev['id']}/results").json()
    assert [(r["rank"], r["voteCount"], r["artwork"]["title"]) for r in results["items"]] == [(1, 1, title)]
    assert results["nextCursor"] is None
    assert com.members[0].get(url, params={"sort": "votes"}).json()["items"][0]["description"] == description
    notes = [n for n in notifications(com.members[0], "VOTE_NOTIFICATION") if n["data"]["eventId"] == ev["id"]]
    assert len(notes) == 1
    assert f"\u201c{name}\u201d" in notes[0]["message"] and f"\u201c{title}\u201d" in notes[0]["message"]
    status = [n for n in notifications(com.members[1], "EVENT_STATUS_UPDATE") if n["data"]["eventId"] == ev["id"]]
    assert status and all(name in n["message"] for n in status)


def test_pages_show_every_change_at_once(make_server):
    """Pages and results are written from a cache of rendered artworks (one per process):
    a new display name, an edited artwork, a deleted one must show on the very next page,
    also when SQLite gives a deleted artwork's id to a new one. A server of its own, so the
    ids are predictable."""
    server = make_server("--rate-limits", "off")
    com = Community(server)
    artist, other = com.members
    ev = make_event(com.owner, com.gid, maxArtworksPerMember=5)

    def page(client=other, eid=ev["id"]):
        items = client.get(f"{API}/events/{eid}/artworks").json()["items"]
        for item in items:
            assert client.get(f"{API}/artworks/{item['id']}").json() == item
        return items

    a1 = submit(artist, ev["id"], title="First")
    a2 = submit(artist, ev["id"], title="Second")
    assert [a["title"] for a in page()] == ["Second", "First"]
    assert [a["title"] for a in page(artist)] == ["Second", "First"]

    r = artist.patch(f"{API}/me", json={"displayName": "Renamed Artist"})
    assert r.status_code == 200, r.text
    assert [a["artist"]["displayName"] for a in page()] == ["Renamed Artist"] * 2

    r = artist.patch(f"{API}/artworks/{a1['id']}", json={"title": "First, retitled", "description": "Now with words"})
    assert r.status_code == 200, r.text
    assert [(a["title"], a["description"]) for a in page()] == [("Second", ""), ("First, retitled", "Now with words")]

    # The newest artwork goes; SQLite gives its id to the next one, by another artist.
    assert artist.delete(f"{API}/artworks/{a2['id']}").status_code == 204
    a3 = submit(other, ev["id"], png(30, 20), title="Third")
    if BACKEND == "sqlite":
        assert a3["id"] == a2["id"]
    assert [(a["id"], a["title"], a["artist"]["id"], a["width"]) for a in page(artist)] == [
        (a3["id"], "Third", other.id, 30), (a1["id"], "First, retitled", artist.id, 64)]

    # Artworks and events deleted with their group: their ids come back in another group.
    gone = make_group(server, com.owner, members=[artist])
    gone_ev = make_event(com.owner, gone)
    b1 = submit(artist, gone_ev["id"], png(40, 40), title="Doomed")
    advance(com.owner, gone_ev["id"], "VOTING")  # past OPEN a page keeps the event's keys
    assert [a["title"] for a in page(artist, gone_ev["id"])] == ["Doomed"]
    assert com.owner.delete(f"{API}/groups/{gone}").status_code == 204
    a4 = submit(other, ev["id"], png(50, 10), title="Fourth")
    if BACKEND == "sqlite":
        assert a4["id"] == b1["id"]
    assert [(a["id"], a["title"], a["eventId"], a["width"]) for a in page()][0] == (a4["id"], "Fourth", ev["id"], 50)
    reborn = make_event(com.owner, com.gid)
    if BACKEND == "sqlite":
        assert reborn["id"] == gone_ev["id"]
    c1 = submit(other, reborn["id"], png(60, 10), title="Reborn")
    advance(com.owner, reborn["id"], "VOTING")
    assert [(a["id"], a["title"]) for a in page(artist, reborn["id"])] == [(c1["id"], "Reborn")]

    # Past OPEN only an admin's deletion changes an event's artworks; the next page shows it.
    advance(com.owner, ev["id"], "VOTING")
    assert [a["id"] for a in page()] == [a4["id"], a3["id"], a1["id"]]
    assert com.admin.delete(f"{API}/artworks/{a4['id']}").status_code == 204
    assert [a["id"] for a in page()] == [a3["id"], a1["id"]]
    assert other.put(f"{API}/artworks/{a1['id']}/vote").status_code == 200
    assert com.owner.put(f"{API}/artworks/{a1['id']}/vote").status_code == 200
    assert com.owner.put(f"{API}/artworks/{a3['id']}/vote").status_code == 200

    # Results, sort=votes and ranks are written from the same caches.
    advance(com.owner, ev["id"], "MATCHING")
    results = other.get(f"{API}/events/{ev['id']}/results").json()["items"]
    assert [(r["rank"], r["artwork"]["title"], r["voteCount"]) for r in results] == [
        (1, "First, retitled", 2), (2, "Third", 1)]
    by_votes = other.get(f"{API}/events/{ev['id']}/artworks", params={"sort": "votes"}).json()["items"]
    assert [(a["id"], a["voteCount"]) for a in by_votes] == [(a1["id"], 2), (a3["id"], 1)]
    assert [(a["id"], a["voteCount"]) for a in page()] == [(a3["id"], 1), (a1["id"], 2)]
    assert artist.patch(f"{API}/me", json={"displayName": "Renamed Again"}).status_code == 200
    results = other.get(f"{API}/events/{ev['id']}/results").json()["items"]
    assert [r["artwork"]["artist"]["displayName"] for r in results if r["artwork"]["artist"]["id"] == artist.id] == [
        "Renamed Again"]
    for r in results:
        assert other.get(f"{API}/artworks/{r['artwork']['id']}").json() == r["artwork"]
    assert com.admin.delete(f"{API}/artworks/{a1['id']}").status_code == 204
    results = other.get(f"{API}/events/{ev['id']}/results").json()["items"]
    assert [(r["rank"], r["artwork"]["id"], r["voteCount"]) for r in results] == [(1, a3["id"], 1)]
    assert [a["id"] for a in other.get(f"{API}/events/{ev['id']}/artworks", params={"sort": "votes"}).json()["items"]] == [
        a3["id"]]
