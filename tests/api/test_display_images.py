"""Issue 18: images sized for the screen. An upload larger than 1600 px on its longest side
gets a third rendition, longest side 1600 px, at `displayUrl` (served like the other images:
ETag, immutable caching, 304, members only); a smaller image gets none and `displayUrl` is
the original's, as for rows from before renditions were made. And an image over 100
megapixels is refused from its header, before any decoding."""
import time

import pytest
import requests

from conftest import PASSWORD, problem
from event_helpers import API, Community, image_size, make_event, png, png_bomb, sql, submit, upload


@pytest.fixture
def com(server):
    return Community(server)


@pytest.fixture
def ev(com):
    return make_event(com.owner, com.gid, maxArtworksPerMember=5)


def test_large_upload_gets_a_1600_px_rendition(com, ev):
    a, b = com.members
    art = submit(a, ev["id"], png(3200, 1000), title="Wide")
    assert (art["width"], art["height"]) == (3200, 1000)
    assert art["displayUrl"].startswith(f"/api/v1/artworks/{art['id']}/display?v=")
    assert (art["displayWidth"], art["displayHeight"]) == (1600, 500)
    for client in (a, b, com.admin, com.owner):
        r = client.get(art["displayUrl"])
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"] == "image/webp"
        assert image_size(r.content) == (1600, 500)
        assert r.headers["Cache-Control"] == "private, max-age=31536000, immutable"
        etag = r.headers["ETag"]
        r = client.get(art["displayUrl"], headers={"If-None-Match": etag})
        assert r.status_code == 304 and r.content == b""
        assert r.headers["ETag"] == etag
    # Its own bytes: not the original's, not the thumbnail's.
    original = b.get(art["imageUrl"])
    thumb = b.get(art["thumbnailUrl"])
    display = b.get(art["displayUrl"])
    assert len({original.headers["ETag"], thumb.headers["ETag"], display.headers["ETag"]}) == 3
    assert image_size(original.content) == (3200, 1000)
    assert image_size(thumb.content) == (480, 150)
    # A tall one: the height is the longest side.
    tall = submit(a, ev["id"], png(900, 2700))
    assert (tall["displayWidth"], tall["displayHeight"]) == (533, 1600) or \
        (tall["displayWidth"], tall["displayHeight"]) == (534, 1600)
    assert image_size(b.get(tall["displayUrl"]).content) == (tall["displayWidth"], tall["displayHeight"])
    # Every answer carries it: the single artwork and the page.
    assert b.get(f"{API}/artworks/{art['id']}").json()["displayUrl"] == art["displayUrl"]
    items = b.get(f"{API}/events/{ev['id']}/artworks").json()["items"]
    assert {i["id"]: i["displayUrl"] for i in items}[art["id"]] == art["displayUrl"]


def test_small_upload_has_no_rendition_and_points_at_the_original(com, ev):
    a, b = com.members
    for w, h in ((800, 600), (1600, 900)):  # 1600 exactly: nothing to shrink, nothing enlarged
        art = submit(a, ev["id"], png(w, h))
        assert art["displayUrl"] == art["imageUrl"]
        assert (art["displayWidth"], art["displayHeight"]) == (w, h)
        # The display path serves the original's bytes under the original's key.
        r = b.get(f"{API}/artworks/{art['id']}/display")
        original = b.get(art["imageUrl"])
        assert r.status_code == 200 and r.content == original.content
        assert r.headers["ETag"] == original.headers["ETag"]
        assert r.headers["Content-Type"] == "image/png"
        assert b.get(f"{API}/artworks/{art['id']}/display",
                     headers={"If-None-Match": r.headers["ETag"]}).status_code == 304


def test_rows_from_before_renditions_fall_back_to_the_original(com, ev):
    a, b = com.members
    art = submit(a, ev["id"], png(2400, 1200))
    assert art["displayUrl"] != art["imageUrl"]
    sql(com.server, f"UPDATE artworks SET display_key = NULL, display_type = NULL, display_width = NULL, "
                    f"display_height = NULL WHERE id = {int(art['id'])}")
    got = b.get(f"{API}/artworks/{art['id']}").json()
    assert got["displayUrl"] == got["imageUrl"]
    assert (got["displayWidth"], got["displayHeight"]) == (2400, 1200)
    r = b.get(f"{API}/artworks/{art['id']}/display")
    assert r.status_code == 200 and image_size(r.content) == (2400, 1200)


def test_rendition_is_members_only(com, ev):
    art = submit(com.members[0], ev["id"], png(2000, 2000))
    etag = com.members[1].get(art["displayUrl"]).headers["ETag"]
    problem(com.outsider.get(art["displayUrl"]), 404, "not_found")
    problem(com.outsider.get(art["displayUrl"], headers={"If-None-Match": etag}), 404, "not_found")
    problem(com.server.client().get(art["displayUrl"]), 401, "unauthenticated")
    problem(com.members[1].get(f"{API}/artworks/999999999/display"), 404, "not_found")
    # The session cookie alone is enough, as for an <img>.
    s = requests.Session()
    r = s.post(com.server.url + f"{API}/auth/login", json={"login": com.members[1].username, "password": PASSWORD})
    assert r.status_code == 200
    r = s.get(com.server.url + art["displayUrl"])
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/webp"


def test_over_100_megapixels_is_refused_from_the_header(com, ev):
    """One pixel row over the limit (10000 x 10001, a 1-bit PNG of ~1 MB once inflated is
    ~12 MB): 413 payload_too_large, saying the limit, at once, nothing stored. The same
    check refuses far larger bombs (test_artworks.py::test_decompression_bomb_is_refused_cheaply)."""
    bomb = png_bomb(10000, 10001)
    start = time.monotonic()
    body = problem(upload(com.members[0], ev["id"], bomb), 413, "payload_too_large")
    assert time.monotonic() - start < 2.0
    assert "100 megapixels" in body["detail"]
    assert com.owner.get(f"{API}/events/{ev['id']}").json()["artworkCount"] == 0
    assert com.owner.get(f"{API}/events/{ev['id']}/artworks").json()["items"] == []
