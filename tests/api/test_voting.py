"""docs/product.md §6: blind voting within a budget, results with shared ranks, VOTE_NOTIFICATION."""
import threading

import pytest

from conftest import problem
from event_helpers import API, Community, advance, make_event, notifications, png, submit


def vote(client, art_id):
    return client.put(f"{API}/artworks/{art_id}/vote")


def unvote(client, art_id):
    return client.delete(f"{API}/artworks/{art_id}/vote")


def remaining(client, eid):
    return client.get(f"{API}/events/{eid}").json()["myVotesRemaining"]


@pytest.fixture
def com(server):
    return Community(server, members=4)


def test_vote_rules(server, com):
    ev = make_event(com.owner, com.gid, votesPerMember=2)
    a, b, c = (submit(m, ev["id"], png(10 + i, 10)) for i, m in enumerate(com.members[:3]))
    voter = com.members[3]
    problem(vote(voter, a["id"]), 409, "wrong_phase")  # OPEN
    problem(unvote(voter, a["id"]), 409, "wrong_phase")
    advance(com.owner, ev["id"], "VOTING")
    r = vote(voter, a["id"])
    assert r.status_code == 200 and r.json() == {"votesRemaining": 1}
    assert vote(voter, a["id"]).json() == {"votesRemaining": 1}  # a repeat changes nothing
    assert voter.get(f"{API}/artworks/{a['id']}").json()["myVote"] is True
    assert com.members[2].get(f"{API}/artworks/{a['id']}").json()["myVote"] is False
    assert remaining(voter, ev["id"]) == 1 and remaining(com.members[2], ev["id"]) == 2
    assert vote(voter, b["id"]).json() == {"votesRemaining": 0}
    problem(vote(voter, c["id"]), 409, "vote_budget_exhausted")
    assert voter.get(f"{API}/artworks/{c['id']}").json()["myVote"] is False
    assert unvote(voter, b["id"]).json() == {"votesRemaining": 1}
    assert unvote(voter, b["id"]).json() == {"votesRemaining": 1}  # withdrawing twice changes nothing
    assert vote(voter, c["id"]).json() == {"votesRemaining": 0}
    problem(vote(com.members[0], a["id"]), 403, "cannot_vote_own")
    problem(vote(com.outsider, a["id"]), 404, "not_found")
    problem(unvote(com.outsider, a["id"]), 404, "not_found")
    problem(vote(server.client(), a["id"]), 401, "unauthenticated")
    problem(vote(voter, "999999999"), 404, "not_found")
    # Blind: nobody sees counts while VOTING, not even the artist or an admin.
    for who in [com.owner, com.members[0], voter]:
        assert who.get(f"{API}/artworks/{a['id']}").json()["voteCount"] is None
        assert all(x["voteCount"] is None for x in who.get(f"{API}/events/{ev['id']}/artworks").json()["items"])
    problem(voter.get(f"{API}/events/{ev['id']}/results"), 409, "wrong_phase")
    problem(voter.get(f"{API}/events/{ev['id']}/artworks", params={"sort": "votes"}), 409, "wrong_phase")
    advance(com.owner, ev["id"], "MATCHING")
    problem(vote(voter, b["id"]), 409, "wrong_phase")
    problem(unvote(voter, a["id"]), 409, "wrong_phase")
    counts = {x["id"]: x["voteCount"] for x in voter.get(f"{API}/events/{ev['id']}/artworks").json()["items"]}
    assert counts == {a["id"]: 1, b["id"]: 0, c["id"]: 1}


def test_parallel_votes_by_one_member_respect_the_budget(server):
    com = Community(server, members=11)
    ev = make_event(com.owner, com.gid, votesPerMember=3)
    arts = [submit(m, ev["id"], png(10 + i, 10)) for i, m in enumerate(com.members[:10])]
    voter = com.members[10]
    advance(com.owner, ev["id"], "VOTING")
    results = {}
    lock = threading.Lock()
    start = threading.Barrier(len(arts))

    def go(art):
        start.wait()
        r = vote(voter, art["id"])
        with lock:
            results[art["id"]] = r

    threads = [threading.Thread(target=go, args=(a,)) for a in arts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [i for i, r in results.items() if r.status_code == 200]
    refused = [r for r in results.values() if r.status_code != 200]
    assert len(ok) == 3, {i: (r.status_code, r.text) for i, r in results.items()}
    for r in refused:
        problem(r, 409, "vote_budget_exhausted")
    assert remaining(voter, ev["id"]) == 0
    mine = {x["id"] for x in voter.get(f"{API}/events/{ev['id']}/artworks", params={"limit": 100}).json()["items"]
            if x["myVote"]}
    assert mine == set(ok)
    advance(com.owner, ev["id"], "MATCHING")
    counts = {x["id"]: x["voteCount"] for x in voter.get(f"{API}/events/{ev['id']}/artworks",
                                                         params={"limit": 100}).json()["items"]}
    assert sum(counts.values()) == 3 and all(counts[i] == 1 for i in ok)


def setup_tie(com):
    """Four artworks with 3, 2, 2 and 0 votes (ranks 1, 2, 2, 4)."""
    ev = make_event(com.owner, com.gid, votesPerMember=3)
    m = com.members
    a1, a2, a3, a4 = (submit(m[i], ev["id"], png(10 + i, 10), title=f"t{i}") for i in range(4))
    advance(com.owner, ev["id"], "VOTING")
    for voter, arts in [(com.owner, [a1, a2]), (com.admin, [a1, a3]), (m[1], [a3]), (m[2], [a1]), (m[3], [a2])]:
        for art in arts:
            assert vote(voter, art["id"]).status_code == 200
    return ev, [a1, a2, a3, a4]


def test_results_rank_ties_and_paginate(server, com):
    ev, (a1, a2, a3, a4) = setup_tie(com)
    advance(com.owner, ev["id"], "MATCHING")
    url = f"{API}/events/{ev['id']}/results"
    page1 = com.members[0].get(url, params={"limit": 2}).json()
    page2 = com.members[0].get(url, params={"limit": 2, "cursor": page1["nextCursor"]}).json()
    assert page2["nextCursor"] is None
    items = page1["items"] + page2["items"]
    assert [(i["rank"], i["artwork"]["id"], i["voteCount"]) for i in items] == [
        (1, a1["id"], 3), (2, a2["id"], 2), (2, a3["id"], 2), (4, a4["id"], 0)]
    assert all(i["artwork"]["voteCount"] == i["voteCount"] for i in items)
    own = items[0]["artwork"]
    assert own["myVote"] is False and set(own) >= {"id", "artist", "imageUrl"}
    # The artworks list sorted by votes has the same order.
    by_votes = com.owner.get(f"{API}/events/{ev['id']}/artworks", params={"sort": "votes", "limit": 3}).json()
    more = com.owner.get(f"{API}/events/{ev['id']}/artworks",
                         params={"sort": "votes", "cursor": by_votes["nextCursor"]}).json()
    assert [x["id"] for x in by_votes["items"] + more["items"]] == [a1["id"], a2["id"], a3["id"], a4["id"]]
    assert [x["myVote"] for x in by_votes["items"]] == [True, True, False]  # the owner voted a1 and a2
    problem(com.outsider.get(url), 404, "not_found")
    problem(server.client().get(url), 401, "unauthenticated")
    problem(com.owner.get(url, params={"cursor": "bad"}), 400, "bad_request")
    advance(com.owner, ev["id"], "CLOSED")
    assert com.owner.get(url).status_code == 200


def test_ranks_with_ties_across_page_boundaries(com):
    """Votes 3, 2, 2, 2, 1, 0, 0: ranks 1, 2, 2, 2, 5, 6, 6 whatever the page size, also when
    a page starts inside a tie that began on the page before."""
    ev = make_event(com.owner, com.gid, votesPerMember=5, maxArtworksPerMember=7)
    arts = [submit(com.members[0], ev["id"], png(10 + i, 10), title=f"t{i}")["id"] for i in range(7)]
    advance(com.owner, ev["id"], "VOTING")
    for voter, idx in [(com.owner, [0, 1, 2, 3, 4]), (com.admin, [0, 1, 2]), (com.members[1], [0, 3])]:
        for i in idx:
            assert vote(voter, arts[i]).status_code == 200
    advance(com.owner, ev["id"], "MATCHING")
    expected = list(zip([1, 2, 2, 2, 5, 6, 6], arts, [3, 2, 2, 2, 1, 0, 0]))
    for limit in range(1, 9):
        for path, params in [("results", {}), ("artworks", {"sort": "votes"})]:
            items, cursor = [], None
            while True:
                query = dict(params, limit=limit, **({"cursor": cursor} if cursor else {}))
                page = com.members[1].get(f"{API}/events/{ev['id']}/{path}", params=query).json()
                items += page["items"]
                cursor = page["nextCursor"]
                if not cursor:
                    break
            if path == "results":
                assert [(x["rank"], x["artwork"]["id"], x["voteCount"]) for x in items] == expected, limit
                assert [x["artwork"]["myVote"] for x in items] == [True, False, False, True, False, False, False]
            else:
                assert [(x["id"], x["voteCount"]) for x in items] == [(i, n) for _, i, n in expected], limit


def test_vote_notification_once_per_artwork_when_voting_ends(com):
    ev, arts = setup_tie(com)
    artist_of = {a["id"]: m for a, m in zip(arts, com.members)}

    def vote_notes(client):
        return [n for n in notifications(client, "VOTE_NOTIFICATION") if n["data"]["eventId"] == ev["id"]]

    assert all(vote_notes(m) == [] for m in com.everyone)  # never one per vote
    advance(com.owner, ev["id"], "MATCHING")
    expected = {arts[0]["id"]: (3, 1), arts[1]["id"]: (2, 2), arts[2]["id"]: (2, 2), arts[3]["id"]: (0, 4)}
    for art_id, artist in artist_of.items():
        notes = vote_notes(artist)
        assert len(notes) == 1, notes
        assert notes[0]["data"] == {"artworkId": art_id, "eventId": ev["id"], "voteCount": expected[art_id][0],
                                    "rank": expected[art_id][1]}
    assert vote_notes(com.owner) == [] and vote_notes(com.admin) == []  # no artwork, no count
    advance(com.owner, ev["id"], "CLOSED")
    assert all(len(vote_notes(m)) == 1 for m in com.members)


def test_two_artworks_of_one_artist_get_one_notification_each(com):
    ev = make_event(com.owner, com.gid, maxArtworksPerMember=2)
    x = submit(com.members[0], ev["id"], png(10, 10))
    y = submit(com.members[0], ev["id"], png(11, 10))
    advance(com.owner, ev["id"], "VOTING")
    vote(com.members[1], y["id"])
    advance(com.owner, ev["id"], "MATCHING")
    notes = [n["data"] for n in notifications(com.members[0], "VOTE_NOTIFICATION") if n["data"]["eventId"] == ev["id"]]
    assert sorted((d["artworkId"], d["voteCount"], d["rank"]) for d in notes) == sorted(
        [(x["id"], 0, 2), (y["id"], 1, 1)])


def test_deleting_an_artwork_gives_its_votes_back(com):
    ev = make_event(com.owner, com.gid, votesPerMember=1)
    a = submit(com.members[0], ev["id"])
    b = submit(com.members[1], ev["id"])
    advance(com.owner, ev["id"], "VOTING")
    voter = com.members[2]
    assert vote(voter, a["id"]).json() == {"votesRemaining": 0}
    problem(vote(voter, b["id"]), 409, "vote_budget_exhausted")
    assert com.admin.delete(f"{API}/artworks/{a['id']}").status_code == 204
    assert remaining(voter, ev["id"]) == 1
    assert vote(voter, b["id"]).json() == {"votesRemaining": 0}
    advance(com.owner, ev["id"], "MATCHING")
    items = voter.get(f"{API}/events/{ev['id']}/results").json()["items"]
    assert [(i["artwork"]["id"], i["voteCount"], i["rank"]) for i in items] == [(b["id"], 1, 1)]


def test_lowering_the_budget_during_voting_never_goes_negative(com):
    ev = make_event(com.owner, com.gid, votesPerMember=3)
    arts = [submit(m, ev["id"], png(10 + i, 10)) for i, m in enumerate(com.members[:3])]
    advance(com.owner, ev["id"], "VOTING")
    voter = com.members[3]
    for art in arts[:2]:
        vote(voter, art["id"])
    assert com.owner.patch(f"{API}/events/{ev['id']}", json={"votesPerMember": 1}).status_code == 200
    assert remaining(voter, ev["id"]) == 0
    problem(vote(voter, arts[2]["id"]), 409, "vote_budget_exhausted")
    assert unvote(voter, arts[0]["id"]).json() == {"votesRemaining": 0}
    assert unvote(voter, arts[1]["id"]).json() == {"votesRemaining": 1}
