"""Issue 18: anonymous voting. An event with `anonymousVoting` hides every artwork's artist
from everyone but the artist (the group's owner and admins included) while the event is
OPEN or VOTING, in every answer that carries an artwork; from MATCHING on the names appear.
The option is set on create and changed by PATCH only while OPEN."""
import pytest

from conftest import field_error, problem
from event_helpers import API, Community, advance, make_event, png, submit
from group_helpers import collect

VIEWERS = ["artist", "member", "admin", "owner"]


@pytest.fixture
def com(server):
    return Community(server, members=2)


def viewer(com, role):
    return {"artist": com.members[0], "member": com.members[1], "admin": com.admin, "owner": com.owner}[role]


def artwork_answers(client, eid, art_id, phase):
    """(where, the artwork as that answer carries it, the answer's text) for every answer
    the viewer can get that carries artwork `art_id` in an event in `phase`."""
    out = []
    r = client.get(f"{API}/artworks/{art_id}")
    assert r.status_code == 200, r.text
    out.append(("GET artwork", r.json(), r.text))
    # The list twice (the second from the head cache), and page by page.
    for attempt in range(2):
        r = client.get(f"{API}/events/{eid}/artworks", params={"limit": 100})
        assert r.status_code == 200, r.text
        (item,) = [a for a in r.json()["items"] if a["id"] == art_id]
        out.append((f"list #{attempt}", item, r.text))
    items, _ = collect(client, f"{API}/events/{eid}/artworks", 1)
    (item,) = [a for a in items if a["id"] == art_id]
    out.append(("list by pages of 1", item, ""))
    if phase in ("MATCHING", "CLOSED"):
        r = client.get(f"{API}/events/{eid}/artworks", params={"sort": "votes", "limit": 100})
        assert r.status_code == 200, r.text
        (item,) = [a for a in r.json()["items"] if a["id"] == art_id]
        out.append(("list by votes", item, r.text))
        r = client.get(f"{API}/events/{eid}/results", params={"limit": 100})
        assert r.status_code == 200, r.text
        (item,) = [i["artwork"] for i in r.json()["items"] if i["artwork"]["id"] == art_id]
        out.append(("results", item, r.text))
    else:
        # No results, and no sorting by votes, before VOTING ends: nothing to carry a name.
        problem(client.get(f"{API}/events/{eid}/results"), 409, "wrong_phase")
    return out


def expect_artist(com, role, eid, art, phase, hidden):
    """Asserts what `role` sees of art's artist in every answer: null (and the name nowhere
    in the text) when hidden, else the artist."""
    artist = com.members[0]
    for where, item, text in artwork_answers(viewer(com, role), eid, art["id"], phase):
        if hidden and role != "artist":
            assert item["artist"] is None, (role, phase, where, item)
            # The other answers' artworks are hidden too: the name is nowhere in the text.
            assert artist.username not in text, (role, phase, where)
        else:
            assert item["artist"] == {"id": artist.id, "username": artist.username,
                                      "displayName": artist.user["profile"]["displayName"]}, (role, phase, where)


def test_artists_are_hidden_from_everyone_but_themselves_until_voting_ends(com):
    ev = make_event(com.owner, com.gid, anonymousVoting=True, maxArtworksPerMember=2)
    assert ev["anonymousVoting"] is True
    eid = ev["id"]
    a, b = com.members
    # The upload answer is the artist's own: named.
    art = submit(a, eid, png(40, 30), title="Hidden piece")
    assert art["artist"]["username"] == a.username
    art_b = submit(b, eid, png(30, 40), title="Other piece")
    owners = submit(com.owner, eid, png(20, 20), title="Owner's piece")
    # The artist's own edit answer: named.
    r = a.patch(f"{API}/artworks/{art['id']}", json={"description": "words"})
    assert r.status_code == 200 and r.json()["artist"]["username"] == a.username, r.text

    for phase in ("OPEN", "VOTING"):
        if phase == "VOTING":
            advance(com.owner, eid, "VOTING")
            assert b.put(f"{API}/artworks/{art['id']}/vote").status_code == 200
            assert a.put(f"{API}/artworks/{art_b['id']}/vote").status_code == 200
        for role in VIEWERS:
            expect_artist(com, role, eid, art, phase, hidden=True)
        # Each sees their own piece named among the hidden others on the same page.
        page = com.owner.get(f"{API}/events/{eid}/artworks").json()["items"]
        named = {i["id"]: i["artist"] for i in page}
        assert named[owners["id"]]["username"] == com.owner.username
        assert named[art["id"]] is None and named[art_b["id"]] is None
        page = b.get(f"{API}/events/{eid}/artworks").json()["items"]
        assert {i["id"]: (i["artist"] or {}).get("username") for i in page} == {
            art["id"]: None, art_b["id"]: b.username, owners["id"]: None}

    advance(com.owner, eid, "MATCHING")
    for role in VIEWERS:
        expect_artist(com, role, eid, art, "MATCHING", hidden=False)
    # A mutual like makes a match when the event closes: its artworks carry the names.
    assert a.put(f"{API}/artworks/{art_b['id']}/like", json={}).status_code == 200
    assert b.put(f"{API}/artworks/{art['id']}/like", json={}).status_code == 200
    advance(com.owner, eid, "CLOSED")
    for role in VIEWERS:
        expect_artist(com, role, eid, art, "CLOSED", hidden=False)
    for client in (a, b, com.owner, com.admin):
        matches, _ = collect(client, f"{API}/events/{eid}/matches", 100)
        assert len(matches) == 1, client.username
        by_user = {p["user"]["id"]: p["artwork"] for p in matches[0]["participants"]}
        assert by_user[a.id]["artist"]["username"] == a.username
        assert by_user[b.id]["artist"]["username"] == b.username
    (m,) = a.get(f"{API}/me/matches").json()["items"]
    assert {p["artwork"]["artist"]["username"] for p in m["participants"]} == {a.username, b.username}


def test_a_switch_or_a_phase_change_shows_at_once(com):
    """The named heads are cached before the switch: the next answer hides them anyway, and
    switching back shows them again, with no stale text in between."""
    ev = make_event(com.owner, com.gid)
    assert ev["anonymousVoting"] is False
    eid = ev["id"]
    art = submit(com.members[0], eid, png(40, 30))
    for role in VIEWERS:
        expect_artist(com, role, eid, art, "OPEN", hidden=False)
    r = com.admin.patch(f"{API}/events/{eid}", json={"anonymousVoting": True})
    assert r.status_code == 200 and r.json()["anonymousVoting"] is True, r.text
    assert com.members[1].get(f"{API}/events/{eid}").json()["anonymousVoting"] is True
    for role in VIEWERS:
        expect_artist(com, role, eid, art, "OPEN", hidden=True)
    r = com.owner.patch(f"{API}/events/{eid}", json={"anonymousVoting": False})
    assert r.status_code == 200 and r.json()["anonymousVoting"] is False, r.text
    for role in VIEWERS:
        expect_artist(com, role, eid, art, "OPEN", hidden=False)
    assert com.owner.patch(f"{API}/events/{eid}", json={"anonymousVoting": True}).status_code == 200
    advance(com.owner, eid, "VOTING")
    for role in VIEWERS:
        expect_artist(com, role, eid, art, "VOTING", hidden=True)
    # The phase change alone shows the names (the event's keys and heads are cached by now).
    advance(com.owner, eid, "MATCHING")
    for role in VIEWERS:
        expect_artist(com, role, eid, art, "MATCHING", hidden=False)


def test_names_show_in_an_event_without_anonymous_voting(com):
    ev = make_event(com.owner, com.gid, anonymousVoting=False)
    art = submit(com.members[0], ev["id"], png(40, 30))
    for phase in ("OPEN", "VOTING"):
        if phase == "VOTING":
            advance(com.owner, ev["id"], "VOTING")
        for role in VIEWERS:
            expect_artist(com, role, ev["id"], art, phase, hidden=False)


def test_who_may_change_anonymous_voting_and_when(com):
    ev = make_event(com.owner, com.gid)
    eid = ev["id"]
    a = com.members[0]
    # A member may not, an outsider does not see the event.
    problem(a.patch(f"{API}/events/{eid}", json={"anonymousVoting": True}), 403, "forbidden")
    problem(com.outsider.patch(f"{API}/events/{eid}", json={"anonymousVoting": True}), 404, "not_found")
    # Not a boolean: 422 on the field, nothing changed.
    for bad in ("yes", 1, [], {}):
        field_error(com.owner.patch(f"{API}/events/{eid}", json={"anonymousVoting": bad}), "anonymousVoting",
                    "invalid")
        r = com.owner.post(f"{API}/groups/{com.gid}/events", json={"name": "Bad", "anonymousVoting": bad})
        field_error(r, "anonymousVoting", "invalid")
    # null changes nothing.
    r = com.owner.patch(f"{API}/events/{eid}", json={"anonymousVoting": None})
    assert r.status_code == 200 and r.json()["anonymousVoting"] is False, r.text
    assert com.owner.get(f"{API}/events/{eid}").json()["anonymousVoting"] is False
    # Owner and admin may, while OPEN.
    r = com.admin.patch(f"{API}/events/{eid}", json={"anonymousVoting": True})
    assert r.status_code == 200 and r.json()["anonymousVoting"] is True, r.text
    # A member cannot create an event, anonymous or not.
    problem(a.post(f"{API}/groups/{com.gid}/events", json={"name": "Mine", "anonymousVoting": True}), 403,
            "forbidden")
    # After OPEN: a change is 409 wrong_phase for everyone allowed to edit; the same value is
    # no change and passes, as does an edit of another field.
    advance(com.owner, eid, "VOTING")
    for client in (com.owner, com.admin):
        problem(client.patch(f"{API}/events/{eid}", json={"anonymousVoting": False}), 409, "wrong_phase")
    r = com.owner.patch(f"{API}/events/{eid}", json={"anonymousVoting": True, "name": "Renamed"})
    assert r.status_code == 200 and r.json()["anonymousVoting"] is True and r.json()["name"] == "Renamed", r.text
    problem(a.patch(f"{API}/events/{eid}", json={"anonymousVoting": False}), 403, "forbidden")
    assert com.owner.get(f"{API}/events/{eid}").json()["anonymousVoting"] is True
    advance(com.owner, eid, "MATCHING")
    problem(com.owner.patch(f"{API}/events/{eid}", json={"anonymousVoting": False}), 409, "wrong_phase")
    advance(com.owner, eid, "CLOSED")
    problem(com.owner.patch(f"{API}/events/{eid}", json={"anonymousVoting": False}), 409, "wrong_phase")
    # Listed events carry it too.
    listed = {e["id"]: e["anonymousVoting"] for e in com.owner.get(f"{API}/groups/{com.gid}/events").json()["items"]}
    assert listed[eid] is True
