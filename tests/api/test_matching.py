"""docs/product.md §7: likes while MATCHING, the optimal pairing when the event closes, the match
lifecycle, NEW_MATCH / MATCH_UPDATE, authorization."""
import threading

import pytest

from conftest import field_error, problem
from event_helpers import API, Community, advance, iso, make_event, notifications, png, submit, wait_for
from group_helpers import collect


# --- helpers ------------------------------------------------------------------------------
def like(client, art_id, rank=None, **kw):
    if "json" not in kw and "data" not in kw:
        kw["json"] = {} if rank is None else {"rank": rank}
    return client.put(f"{API}/artworks/{art_id}/like", **kw)


def must_like(client, art_id, rank=None):
    r = like(client, art_id, rank)
    assert r.status_code == 200, r.text
    return r.json()


def unlike(client, art_id):
    return client.delete(f"{API}/artworks/{art_id}/like")


def act(client, match_id, action):
    return client.post(f"{API}/matches/{match_id}/{action}")


def must_act(client, match_id, action):
    r = act(client, match_id, action)
    assert r.status_code == 200, r.text
    return r.json()


def matches_of(client, eid):
    items, _ = collect(client, f"{API}/events/{eid}/matches", 100)
    return items


def pair_set(matches):
    """{frozenset of the two usernames} for each match."""
    return {frozenset(p["user"]["username"] for p in m["participants"]) for m in matches}


def pairs(*couples):
    return {frozenset(c.username for c in couple) for couple in couples}


def match_notes(client, type_, eid):
    return [n for n in notifications(client, type_) if n["data"]["eventId"] == eid]


_size = iter(range(10, 10_000))


def matching_event(com, artists, per_artist=1, **fields):
    """An event (with `fields`) where each artist submitted `per_artist` artworks, now
    MATCHING; returns (event, {artist username: [artworks]})."""
    ev = make_event(com.owner, com.gid, maxArtworksPerMember=max(1, per_artist), **fields)
    arts = {}
    for a in artists:
        arts[a.username] = [submit(a, ev["id"], png(next(_size), 10), title=f"by {a.username}")
                            for _ in range(per_artist)]
    advance(com.owner, ev["id"], "VOTING")
    advance(com.owner, ev["id"], "MATCHING")
    return ev, arts


def art_of(arts, client, i=0):
    return arts[client.username][i]["id"]


def mutual(arts, x, y, rank_xy=None, rank_yx=None):
    must_like(x, art_of(arts, y), rank_xy)
    must_like(y, art_of(arts, x), rank_yx)


@pytest.fixture
def com(server):
    return Community(server, members=5)


# --- likes --------------------------------------------------------------------------------
def test_like_rules_and_errors(server, com):
    a, b, c = com.members[:3]
    ev = make_event(com.owner, com.gid)
    art_a = submit(a, ev["id"], png(21, 10))
    art_b = submit(b, ev["id"], png(22, 10))
    problem(like(b, art_a["id"]), 409, "wrong_phase")  # OPEN
    problem(unlike(b, art_a["id"]), 409, "wrong_phase")
    advance(com.owner, ev["id"], "VOTING")
    problem(like(b, art_a["id"]), 409, "wrong_phase")
    advance(com.owner, ev["id"], "MATCHING")

    problem(like(a, art_a["id"]), 403, "cannot_like_own")
    problem(like(c, art_a["id"]), 403, "not_a_participant")  # a member without an artwork here
    problem(like(com.owner, art_a["id"]), 403, "not_a_participant")
    problem(like(com.outsider, art_a["id"]), 404, "not_found")
    problem(unlike(com.outsider, art_a["id"]), 404, "not_found")
    problem(like(server.client(), art_a["id"]), 401, "unauthenticated")
    problem(unlike(server.client(), art_a["id"]), 401, "unauthenticated")
    problem(like(b, "999999999"), 404, "not_found")
    problem(like(b, "abc"), 404, "not_found")
    for bad in [0, -1, 1.5, "1", True, 2**31, [1]]:
        field_error(like(b, art_a["id"], json={"rank": bad}), "rank", "invalid")
    problem(like(b, art_a["id"], data="{not json", headers={"Content-Type": "application/json"}), 400, "bad_request")
    assert b.get(f"{API}/events/{ev['id']}/likes").json() == {"items": [], "nextCursor": None}  # bad input changed nothing

    # No body at all is an unranked like.
    r = b.put(f"{API}/artworks/{art_a['id']}/like")
    assert r.status_code == 200, r.text
    first = r.json()
    assert set(first) == {"artworkId", "rank", "createdAt"}
    assert first["artworkId"] == art_a["id"] and first["rank"] is None and first["createdAt"].endswith("Z")
    # Repeating is an upsert: the rank changes, the like stays the same like.
    again = must_like(b, art_a["id"], 2)
    assert again == {**first, "rank": 2}
    assert must_like(b, art_a["id"], None)["rank"] is None
    assert must_like(b, art_a["id"], 1)["rank"] == 1
    assert b.get(f"{API}/artworks/{art_a['id']}").json()["myLike"] == {"rank": 1}
    assert c.get(f"{API}/artworks/{art_a['id']}").json()["myLike"] is None  # likes are the caller's own
    assert b.get(f"{API}/events/{ev['id']}/likes").json() == {"items": [{**first, "rank": 1}], "nextCursor": None}
    assert a.get(f"{API}/events/{ev['id']}/likes").json()["items"] == []

    assert unlike(b, art_a["id"]).status_code == 204
    assert unlike(b, art_a["id"]).status_code == 204  # withdrawing twice changes nothing
    assert b.get(f"{API}/artworks/{art_a['id']}").json()["myLike"] is None
    assert b.get(f"{API}/events/{ev['id']}/likes").json()["items"] == []

    must_like(a, art_b["id"], 3)
    advance(com.owner, ev["id"], "CLOSED")
    problem(like(b, art_a["id"]), 409, "wrong_phase")
    problem(unlike(a, art_b["id"]), 409, "wrong_phase")
    assert [x["rank"] for x in a.get(f"{API}/events/{ev['id']}/likes").json()["items"]] == [3]


def test_likes_list_paginates_and_is_members_only(server, com):
    a, b = com.members[:2]
    ev = make_event(com.owner, com.gid, maxArtworksPerMember=5)
    arts = [submit(b, ev["id"], png(30 + i, 10)) for i in range(5)]
    submit(a, ev["id"], png(40, 10))
    advance(com.owner, ev["id"], "VOTING")
    advance(com.owner, ev["id"], "MATCHING")
    for i, art in enumerate(arts):
        must_like(a, art["id"], i + 1 if i % 2 else None)
    url = f"{API}/events/{ev['id']}/likes"
    items, pages = collect(a, url, 2)
    assert pages == 3
    assert [(x["artworkId"], x["rank"]) for x in items] == [
        (art["id"], i + 1 if i % 2 else None) for i, art in enumerate(arts)]
    problem(com.outsider.get(url), 404, "not_found")
    problem(server.client().get(url), 401, "unauthenticated")
    problem(a.get(f"{API}/events/999999999/likes"), 404, "not_found")
    problem(a.get(url, params={"limit": 0}), 400, "bad_request")
    problem(a.get(url, params={"limit": 101}), 400, "bad_request")
    problem(a.get(url, params={"cursor": "nope"}), 400, "bad_request")


# --- the pairing ----------------------------------------------------------------------------
def test_path_a_b_c_d_pairs_the_ends_not_the_cheap_middle(com):
    A, B, C, D = com.members[:4]
    ev, arts = matching_event(com, [A, B, C, D])
    mutual(arts, A, B, 3, 3)
    mutual(arts, B, C, 1, 1)  # greedy would take this one and stop
    mutual(arts, C, D, 3, 3)
    assert matches_of(com.owner, ev["id"]) == []  # nothing before the event closes
    advance(com.owner, ev["id"], "CLOSED")
    matches = matches_of(com.owner, ev["id"])
    assert len(matches) == 2
    assert pair_set(matches) == pairs((A, B), (C, D))
    for m in matches:
        assert set(m) == {"id", "eventId", "status", "createdAt", "participants"}
        assert m["eventId"] == ev["id"] and m["status"] == "PENDING" and m["createdAt"].endswith("Z")
        assert len(m["participants"]) == 2
        for p in m["participants"]:
            assert set(p) == {"user", "artwork", "accepted", "received", "declined", "delivery"}
            assert p["declined"] is False  # nobody declined (test_declined_says_by_whom_…)
            assert p["delivery"] is None  # nothing delivered yet (test_trades.py)
            assert set(p["user"]) == {"id", "username", "displayName"}
            assert p["accepted"] is False and p["received"] is False
            assert p["artwork"]["artist"]["id"] == p["user"]["id"]
            assert p["artwork"]["id"] == art_of(arts, next(c for c in (A, B, C, D) if c.id == p["user"]["id"]))
            assert p["artwork"]["isMatched"] is True


def test_ranks_decide_between_maximum_pairings(com):
    A, B, C, D = com.members[:4]
    ev, arts = matching_event(com, [A, B, C, D])
    # A square: {A–B, C–D} and {A–C, B–D} are both maximum; the second has the lower total rank.
    mutual(arts, A, B, 2, 2)
    mutual(arts, C, D, 2, 1)  # total 7
    mutual(arts, A, C, 1, 2)
    mutual(arts, B, D, 1, 2)  # total 6
    advance(com.owner, ev["id"], "CLOSED")
    assert pair_set(matches_of(com.owner, ev["id"])) == pairs((A, C), (B, D))


def test_unranked_like_counts_one_more_than_the_largest_rank(com):
    A, B, C = com.members[:3]
    ev, arts = matching_event(com, [A, B, C])
    # A–B: 4 + unranked (counts 5) = 9; A–C: 3 + 3 = 6 < 9 → A–C. If an unranked like counted as 1
    # (or 0), A–B would win.
    mutual(arts, A, B, 4, None)
    mutual(arts, A, C, 3, 3)
    advance(com.owner, ev["id"], "CLOSED")
    assert pair_set(matches_of(com.owner, ev["id"])) == pairs((A, C))


def test_participant_artwork_is_the_piece_the_other_liked_best(com):
    A, B = com.members[:2]
    ev, arts = matching_event(com, [A, B], per_artist=2)
    must_like(B, art_of(arts, A, 0), 3)
    must_like(B, art_of(arts, A, 1), 1)  # B's favourite of A's
    must_like(A, art_of(arts, B, 0), None)
    must_like(A, art_of(arts, B, 1), 2)  # unranked counts 4 here: B's second piece is A's favourite
    advance(com.owner, ev["id"], "CLOSED")
    (m,) = matches_of(A, ev["id"])
    chosen = {p["user"]["id"]: p["artwork"]["id"] for p in m["participants"]}
    assert chosen == {A.id: art_of(arts, A, 1), B.id: art_of(arts, B, 1)}
    # isMatched: only the traded pieces.
    for who, i, expected in [(A, 0, False), (A, 1, True), (B, 0, False), (B, 1, True)]:
        assert A.get(f"{API}/artworks/{art_of(arts, who, i)}").json()["isMatched"] is expected


def test_one_sided_likes_and_non_members_make_no_match(com):
    A, B, C = com.members[:3]
    ev, arts = matching_event(com, [A, B, C])
    must_like(A, art_of(arts, B))
    must_like(B, art_of(arts, C))
    mutual(arts, A, C)
    # C leaves the group before the event closes: no match with someone who is not a member.
    assert C.delete(f"{API}/groups/{com.gid}/members/{C.id}").status_code == 204
    advance(com.owner, ev["id"], "CLOSED")
    assert matches_of(com.owner, ev["id"]) == []
    assert match_notes(A, "NEW_MATCH", ev["id"]) == []


def test_pairing_is_deterministic_whatever_the_order_of_likes(com):
    A, B, C, D = com.members[:4]
    results = []
    # A 4-cycle of unranked mutual likes: {A–B, C–D} and {B–C, D–A} are equally good. Each event
    # gets the same likes in a different order and must come out the same (the same partners
    # again, so avoidRepeatPartners is off).
    edges = [(A, B), (B, C), (C, D), (D, A)]
    for order in [edges, edges[::-1], edges[1:] + edges[:1]]:
        ev, arts = matching_event(com, [A, B, C, D], avoidRepeatPartners=False)
        for x, y in order:
            mutual(arts, x, y)
        advance(com.owner, ev["id"], "CLOSED")
        results.append(pair_set(matches_of(com.owner, ev["id"])))
    assert len(results[0]) == 2
    assert results[0] == results[1] == results[2]


def test_matches_are_created_once_however_many_advance_at_once(com):
    A, B, C, D = com.members[:4]
    ev, arts = matching_event(com, [A, B, C, D])
    mutual(arts, A, B, 1, 1)
    mutual(arts, C, D, 2, 1)
    codes = []
    lock = threading.Lock()

    def go(client):
        r = client.post(f"{API}/events/{ev['id']}/advance", json={"to": "CLOSED"})
        with lock:
            codes.append(r.status_code)

    threads = [threading.Thread(target=go, args=(c,)) for c in [com.owner, com.admin] * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] + [409] * 5, codes
    assert pair_set(matches_of(com.owner, ev["id"])) == pairs((A, B), (C, D))
    for c in (A, B, C, D):
        assert len(match_notes(c, "NEW_MATCH", ev["id"])) == 1


def test_scheduler_closing_the_event_pairs_too(com):
    A, B = com.members[:2]
    ev, arts = matching_event(com, [A, B])
    mutual(arts, A, B, 1, 1)
    r = com.owner.patch(f"{API}/events/{ev['id']}", json={"endsAt": iso(2)})
    assert r.status_code == 200, r.text
    assert wait_for(lambda: A.get(f"{API}/events/{ev['id']}").json()["phase"] == "CLOSED", timeout=15)
    assert pair_set(matches_of(A, ev["id"])) == pairs((A, B))
    assert len(match_notes(B, "NEW_MATCH", ev["id"])) == 1


# --- notifications, lifecycle ---------------------------------------------------------------
def test_new_match_notification_to_both_artists(com):
    A, B, C = com.members[:3]
    ev, arts = matching_event(com, [A, B, C])
    mutual(arts, A, B, 1, 2)
    must_like(C, art_of(arts, A))
    advance(com.owner, ev["id"], "CLOSED")
    (m,) = matches_of(com.owner, ev["id"])
    for who in (A, B):
        (n,) = match_notes(who, "NEW_MATCH", ev["id"])
        assert n["data"] == {"matchId": m["id"], "eventId": ev["id"]}
        assert n["read"] is False and n["message"]
    assert match_notes(C, "NEW_MATCH", ev["id"]) == []
    assert match_notes(com.owner, "NEW_MATCH", ev["id"]) == []
    # NEW_MATCH is emailed by default.
    com.server.wait_mail(A.user["email"], "matched")


def test_lifecycle_accept_receive_complete_with_updates(com):
    A, B = com.members[:2]
    ev, arts = matching_event(com, [A, B])
    mutual(arts, A, B)
    advance(com.owner, ev["id"], "CLOSED")
    (m,) = matches_of(A, ev["id"])
    mid = m["id"]

    def flags(match):
        assert [p["declined"] for p in match["participants"]] == [False, False]  # never declined
        return {p["user"]["id"]: (p["accepted"], p["received"]) for p in match["participants"]}

    def updates(client):
        return match_notes(client, "MATCH_UPDATE", ev["id"])

    problem(act(A, mid, "complete"), 409, "wrong_phase")  # only from ACCEPTED
    x = must_act(A, mid, "accept")
    assert x["status"] == "PENDING" and flags(x) == {A.id: (True, False), B.id: (False, False)}
    assert [n["data"] for n in updates(B)] == [{"matchId": mid, "eventId": ev["id"]}]
    assert updates(A) == []
    assert must_act(A, mid, "accept") == x  # a repeat changes nothing…
    assert len(updates(B)) == 1  # …and tells nobody
    x = must_act(B, mid, "accept")
    assert x["status"] == "ACCEPTED" and flags(x) == {A.id: (True, False), B.id: (True, False)}
    assert len(updates(A)) == 1 and len(updates(B)) == 1
    problem(act(A, mid, "decline"), 409, "wrong_phase")
    x = must_act(A, mid, "complete")
    assert x["status"] == "ACCEPTED" and flags(x) == {A.id: (True, True), B.id: (True, False)}
    assert len(updates(B)) == 2
    assert must_act(A, mid, "complete") == x
    x = must_act(B, mid, "complete")
    assert x["status"] == "COMPLETED" and flags(x) == {A.id: (True, True), B.id: (True, True)}
    assert len(updates(A)) == 2 and len(updates(B)) == 2
    assert all(n["data"] == {"matchId": mid, "eventId": ev["id"]} for n in updates(A) + updates(B))
    problem(act(B, mid, "decline"), 409, "wrong_phase")
    assert must_act(B, mid, "accept")["status"] == "COMPLETED"  # already accepted: nothing to do
    for who in (A, B, com.admin):
        (y,) = matches_of(who, ev["id"])
        assert [p["declined"] for p in y["participants"]] == [False, False]
    assert A.get(f"{API}/artworks/{art_of(arts, B)}").json()["isMatched"] is True
    assert [y["status"] for y in matches_of(B, ev["id"])] == ["COMPLETED"]


def test_decline_ends_the_match_and_unmatches_the_artworks(com):
    A, B = com.members[:2]
    ev, arts = matching_event(com, [A, B])
    mutual(arts, A, B)
    advance(com.owner, ev["id"], "CLOSED")
    (m,) = matches_of(A, ev["id"])
    must_act(A, m["id"], "accept")  # accepting first does not stop a decline while PENDING
    assert len(match_notes(B, "MATCH_UPDATE", ev["id"])) == 1
    assert A.get(f"{API}/artworks/{art_of(arts, B)}").json()["isMatched"] is True
    x = must_act(B, m["id"], "decline")
    assert x["status"] == "DECLINED"
    (n,) = match_notes(A, "MATCH_UPDATE", ev["id"])
    assert n["data"] == {"matchId": m["id"], "eventId": ev["id"]}
    assert must_act(A, m["id"], "decline")["status"] == "DECLINED"  # a repeat changes nothing…
    assert len(match_notes(B, "MATCH_UPDATE", ev["id"])) == 1  # …and tells nobody
    assert len(match_notes(A, "MATCH_UPDATE", ev["id"])) == 1
    problem(act(B, m["id"], "accept"), 409, "wrong_phase")
    problem(act(A, m["id"], "complete"), 409, "wrong_phase")
    for art in (art_of(arts, A), art_of(arts, B)):
        assert A.get(f"{API}/artworks/{art}").json()["isMatched"] is False


def test_declined_says_by_whom_to_both_artists_and_the_admins(com):
    A, B, C, D = com.members[:4]
    ev, arts = matching_event(com, [A, B, C, D])
    mutual(arts, A, B, 1, 1)
    mutual(arts, C, D, 1, 1)
    advance(com.owner, ev["id"], "CLOSED")

    def declined(match):
        return {p["user"]["id"]: p["declined"] for p in match["participants"]}

    ab = next(m for m in matches_of(A, ev["id"]))
    cd = next(m for m in matches_of(C, ev["id"]))
    assert declined(ab) == {A.id: False, B.id: False}  # PENDING: nobody declined
    must_act(A, ab["id"], "accept")  # the one who accepted first is not the decliner
    x = must_act(B, ab["id"], "decline")
    assert x["status"] == "DECLINED" and declined(x) == {A.id: False, B.id: True}
    # A repeat by the other participant changes nothing: B stays the one who declined.
    assert declined(must_act(A, ab["id"], "decline")) == {A.id: False, B.id: True}
    # The same to both artists and to the group's owner and admins, in every list.
    for who in (A, B, com.admin, com.owner):
        (seen,) = [m for m in matches_of(who, ev["id"]) if m["id"] == ab["id"]]
        assert declined(seen) == {A.id: False, B.id: True}, who.username
    for who in (A, B):
        (seen,) = [m for m in who.get(f"{API}/me/matches").json()["items"] if m["id"] == ab["id"]]
        assert declined(seen) == {A.id: False, B.id: True}
    # The other match of the event is untouched; the first of the two declines it this time.
    assert declined(next(m for m in matches_of(com.admin, ev["id"]) if m["id"] == cd["id"])) == {
        C.id: False, D.id: False}
    x = must_act(C, cd["id"], "decline")
    assert declined(x) == {C.id: True, D.id: False}
    assert declined(next(m for m in matches_of(D, ev["id"]) if m["id"] == cd["id"])) == {C.id: True, D.id: False}


def test_both_accept_at_once(com):
    A, B = com.members[:2]
    ev, arts = matching_event(com, [A, B])
    mutual(arts, A, B)
    advance(com.owner, ev["id"], "CLOSED")
    (m,) = matches_of(A, ev["id"])
    out = {}
    start = threading.Barrier(2)

    def go(client):
        start.wait()
        out[client.username] = act(client, m["id"], "accept")

    threads = [threading.Thread(target=go, args=(c,)) for c in (A, B)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.status_code == 200 for r in out.values()), [r.text for r in out.values()]
    assert matches_of(A, ev["id"])[0]["status"] == "ACCEPTED"


# --- who sees what ----------------------------------------------------------------------------
def test_match_visibility_and_authorization(server, com):
    A, B, C, D, E = com.members[:5]
    ev, arts = matching_event(com, [A, B, C, D, E])
    mutual(arts, A, B, 1, 1)
    mutual(arts, C, D, 1, 1)
    advance(com.owner, ev["id"], "CLOSED")
    url = f"{API}/events/{ev['id']}/matches"
    all_matches = matches_of(com.owner, ev["id"])
    assert len(all_matches) == 2 and matches_of(com.admin, ev["id"]) == all_matches
    assert [m["id"] for m in all_matches] == sorted((m["id"] for m in all_matches), key=int)
    ab = next(m for m in all_matches if A.username in {p["user"]["username"] for p in m["participants"]})
    assert [m["id"] for m in matches_of(A, ev["id"])] == [ab["id"]]
    assert matches_of(E, ev["id"]) == []  # unmatched member: none of their own

    # Participants only: everyone else gets 404, as for an unknown match.
    for outsider in (com.outsider, C, com.admin, com.owner, E):
        for action in ("accept", "decline", "complete"):
            problem(act(outsider, ab["id"], action), 404, "not_found")
    for action in ("accept", "decline", "complete"):
        problem(act(A, "999999999", action), 404, "not_found")
        problem(act(A, "x1", action), 404, "not_found")
        problem(act(server.client(), ab["id"], action), 401, "unauthenticated")
    assert matches_of(A, ev["id"])[0]["status"] == "PENDING"  # nothing changed

    problem(com.outsider.get(url), 404, "not_found")
    problem(server.client().get(url), 401, "unauthenticated")
    problem(server.client().get(f"{API}/me/matches"), 401, "unauthenticated")
    problem(A.get(f"{API}/events/999999999/matches"), 404, "not_found")
    problem(A.get(url, params={"cursor": "zz"}), 400, "bad_request")
    problem(A.get(f"{API}/me/matches", params={"limit": "x"}), 400, "bad_request")
    items, pages = collect(com.owner, url, 1)
    assert pages == 2 and [m["id"] for m in items] == [m["id"] for m in all_matches]
    assert com.outsider.get(f"{API}/me/matches").json() == {"items": [], "nextCursor": None}


def test_me_matches_across_events_newest_first(com):
    A, B, C = com.members[:3]
    ev1, arts1 = matching_event(com, [A, B, C])
    mutual(arts1, A, B)
    advance(com.owner, ev1["id"], "CLOSED")
    ev2, arts2 = matching_event(com, [A, B, C])
    mutual(arts2, A, C)
    advance(com.owner, ev2["id"], "CLOSED")
    items, pages = collect(A, f"{API}/me/matches", 1)
    assert pages == 2
    assert [m["eventId"] for m in items] == [ev2["id"], ev1["id"]]
    assert [m["eventId"] for m in B.get(f"{API}/me/matches").json()["items"]] == [ev1["id"]]
    # The artworks are shown to the caller: their own like is visible on the other's piece.
    other = next(p for p in items[0]["participants"] if p["user"]["id"] == C.id)
    assert other["artwork"]["myLike"] == {"rank": None}
    assert other["artwork"]["voteCount"] == 0


def test_deleting_a_matched_artwork_cancels_its_match(com):
    A, B, C, D, E = com.members[:5]
    ev, arts = matching_event(com, [A, B, C, D, E])
    mutual(arts, A, B)
    mutual(arts, C, D)
    advance(com.owner, ev["id"], "CLOSED")
    ms = matches_of(com.owner, ev["id"])
    ab = next(m for m in ms if A.username in {p["user"]["username"] for p in m["participants"]})
    cd = next(m for m in ms if m["id"] != ab["id"])
    must_act(C, cd["id"], "decline")
    assert len(match_notes(D, "MATCH_UPDATE", ev["id"])) == 1
    # The artist may not delete after OPEN; a group admin may, and the live match goes.
    problem(A.delete(f"{API}/artworks/{art_of(arts, A)}"), 409, "wrong_phase")
    assert com.admin.delete(f"{API}/artworks/{art_of(arts, A)}").status_code == 204
    for who in (A, B):
        (n,) = match_notes(who, "MATCH_UPDATE", ev["id"])
        assert n["data"] == {"matchId": ab["id"], "eventId": ev["id"]} and "cancelled" in n["message"]
        assert matches_of(who, ev["id"]) == []
        assert all(m["id"] != ab["id"] for m in who.get(f"{API}/me/matches").json()["items"])
        for action in ("accept", "decline", "complete"):
            problem(act(who, ab["id"], action), 404, "not_found")
    assert B.get(f"{API}/artworks/{art_of(arts, B)}").json()["isMatched"] is False
    # A DECLINED match goes too, without news: every match left has two participants.
    assert com.admin.delete(f"{API}/artworks/{art_of(arts, C)}").status_code == 204
    assert matches_of(com.owner, ev["id"]) == []
    assert len(match_notes(D, "MATCH_UPDATE", ev["id"])) == 1
    assert len(match_notes(C, "MATCH_UPDATE", ev["id"])) == 0
    assert D.get(f"{API}/artworks/{art_of(arts, D)}").status_code == 200
