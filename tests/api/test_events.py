"""docs/product.md §5: events — create, list, get, edit, advance, the scheduler, notifications."""
import threading
import time

import pytest

from conftest import problem, field_error
from event_helpers import API, Community, advance, advance_to, iso, make_event, notifications, wait_for

EVENT_KEYS = {"id", "groupId", "name", "description", "phase", "votingStartsAt", "matchingStartsAt", "endsAt",
              "votesPerMember", "maxArtworksPerMember", "artworkCount", "createdAt", "myVotesRemaining",
              "anonymousVoting", "tradesDueAt", "avoidRepeatPartners"}


def status_updates(client, eid, phase=None):
    return [n for n in notifications(client, "EVENT_STATUS_UPDATE")
            if n["data"]["eventId"] == eid and (phase is None or n["data"]["phase"] == phase)]


@pytest.fixture
def com(server):
    return Community(server)


def test_create_event_with_defaults_notifies_every_member_once(com):
    ev = make_event(com.owner, com.gid, description="Spring show")
    assert set(ev) == EVENT_KEYS
    assert ev["phase"] == "OPEN" and ev["groupId"] == com.gid and ev["description"] == "Spring show"
    assert ev["votesPerMember"] == 3 and ev["maxArtworksPerMember"] == 1
    assert ev["artworkCount"] == 0 and ev["myVotesRemaining"] == 3
    assert ev["votingStartsAt"] is None and ev["matchingStartsAt"] is None and ev["endsAt"] is None
    assert isinstance(ev["id"], str) and ev["createdAt"].endswith("Z")
    for c in com.everyone:
        got = status_updates(c, ev["id"])
        assert len(got) == 1, (c.username, got)
        assert got[0]["data"] == {"eventId": ev["id"], "groupId": com.gid, "phase": "OPEN"}
        assert got[0]["read"] is False
    assert status_updates(com.outsider, ev["id"]) == []


def test_create_with_times_and_limits(com):
    times = {"votingStartsAt": iso(3600), "matchingStartsAt": iso(7200), "endsAt": iso(10800)}
    ev = make_event(com.admin, com.gid, votesPerMember=50, maxArtworksPerMember=10, **times)
    assert ev["votesPerMember"] == 50 and ev["maxArtworksPerMember"] == 10
    assert {k: ev[k] for k in times} == times
    ev = make_event(com.owner, com.gid, votesPerMember=1, maxArtworksPerMember=1, endsAt=iso(60))
    assert ev["endsAt"] and ev["votingStartsAt"] is None


def test_create_needs_owner_or_admin(server, com):
    problem(com.members[0].post(f"{API}/groups/{com.gid}/events", json={"name": "x"}), 403, "forbidden")
    problem(com.outsider.post(f"{API}/groups/{com.gid}/events", json={"name": "x"}), 404, "not_found")
    problem(server.client().post(f"{API}/groups/{com.gid}/events", json={"name": "x"}), 401, "unauthenticated")
    problem(com.owner.post(f"{API}/groups/999999999/events", json={"name": "x"}), 404, "not_found")
    problem(com.owner.post(f"{API}/groups/abc/events", json={"name": "x"}), 404, "not_found")
    # An outsider learns nothing about the validation either.
    problem(com.outsider.post(f"{API}/groups/{com.gid}/events", json={"name": ""}), 404, "not_found")


@pytest.mark.parametrize("body,field", [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"name": "ok", "description": "d" * 2001}, "description"),
    ({"name": "ok", "votesPerMember": 0}, "votesPerMember"),
    ({"name": "ok", "votesPerMember": 51}, "votesPerMember"),
    ({"name": "ok", "votesPerMember": "3"}, "votesPerMember"),
    ({"name": "ok", "maxArtworksPerMember": 0}, "maxArtworksPerMember"),
    ({"name": "ok", "maxArtworksPerMember": 11}, "maxArtworksPerMember"),
    ({"name": "ok", "votingStartsAt": "tomorrow"}, "votingStartsAt"),
    ({"name": "ok", "votingStartsAt": "2001-01-01T00:00:00Z"}, "votingStartsAt"),
    ({"name": "ok", "endsAt": iso(-5)}, "endsAt"),
    ({"name": "ok", "votingStartsAt": iso(7200), "matchingStartsAt": iso(3600)}, "matchingStartsAt"),
    ({"name": "ok", "votingStartsAt": iso(7200), "endsAt": iso(7200)}, "endsAt"),
    ({"name": "ok", "matchingStartsAt": iso(7200), "endsAt": iso(3600)}, "endsAt"),
])
def test_create_validation(com, body, field):
    field_error(com.owner.post(f"{API}/groups/{com.gid}/events", json=body), field, "invalid")


def test_create_bad_requests(com):
    problem(com.owner.post(f"{API}/groups/{com.gid}/events", json={}), 400, "bad_request")
    problem(com.owner.post(f"{API}/groups/{com.gid}/events", data="{", headers={"Content-Type": "application/json"}),
            400, "bad_request")
    problem(com.owner.post(f"{API}/groups/{com.gid}/events", data='{"name":"x"}',
                           headers={"Content-Type": "text/plain"}), 400, "bad_request")
    # Nothing was created by any of the refusals.
    assert com.owner.get(f"{API}/groups/{com.gid}/events").json()["items"] == []


def test_list_newest_first_with_cursor(server, com):
    ids = [make_event(com.owner, com.gid, name=f"ev{i}")["id"] for i in range(5)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        r = com.members[0].get(f"{API}/groups/{com.gid}/events", params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["items"]) <= 2
        seen += [e["id"] for e in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    first = com.owner.get(f"{API}/groups/{com.gid}/events", params={"limit": 2}).json()
    make_event(com.owner, com.gid)  # stable under inserts: the next page is the same
    again = com.owner.get(f"{API}/groups/{com.gid}/events", params={"limit": 2, "cursor": first["nextCursor"]})
    assert [e["id"] for e in again.json()["items"]] == seen[2:4]
    for bad in [{"limit": 0}, {"limit": 101}, {"limit": "x"}, {"cursor": "garbage"}]:
        problem(com.owner.get(f"{API}/groups/{com.gid}/events", params=bad), 400, "bad_request")
    problem(com.outsider.get(f"{API}/groups/{com.gid}/events"), 404, "not_found")
    problem(server.client().get(f"{API}/groups/{com.gid}/events"), 401, "unauthenticated")


def test_get_event(server, com):
    ev = make_event(com.owner, com.gid)
    r = com.members[1].get(f"{API}/events/{ev['id']}")
    assert r.status_code == 200 and r.json() == ev
    problem(com.outsider.get(f"{API}/events/{ev['id']}"), 404, "not_found")
    problem(com.owner.get(f"{API}/events/999999999"), 404, "not_found")
    problem(com.owner.get(f"{API}/events/12abc"), 404, "not_found")
    problem(server.client().get(f"{API}/events/{ev['id']}"), 401, "unauthenticated")


def test_patch_event(server, com):
    ev = make_event(com.owner, com.gid, votingStartsAt=iso(3600))
    url = f"{API}/events/{ev['id']}"
    r = com.admin.patch(url, json={"name": "Renamed", "description": "New text", "votesPerMember": 5,
                                   "maxArtworksPerMember": 2, "matchingStartsAt": iso(7200)})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["name"] == "Renamed" and got["description"] == "New text" and got["votesPerMember"] == 5
    assert got["maxArtworksPerMember"] == 2 and got["matchingStartsAt"] and got["votingStartsAt"] == ev["votingStartsAt"]
    assert com.owner.get(url).json()["name"] == "Renamed"
    # null clears a time
    assert com.owner.patch(url, json={"votingStartsAt": None}).json()["votingStartsAt"] is None
    problem(com.members[0].patch(url, json={"name": "x"}), 403, "forbidden")
    problem(com.outsider.patch(url, json={"name": "x"}), 404, "not_found")
    problem(server.client().patch(url, json={"name": "x"}), 401, "unauthenticated")
    field_error(com.owner.patch(url, json={"name": ""}), "name", "invalid")
    field_error(com.owner.patch(url, json={"endsAt": iso(-60)}), "endsAt", "invalid")
    field_error(com.owner.patch(url, json={"endsAt": iso(3600)}), "endsAt", "invalid")  # before matchingStartsAt
    field_error(com.owner.patch(url, json={"votesPerMember": 0}), "votesPerMember", "invalid")
    assert com.owner.get(url).json()["endsAt"] is None  # refused edits change nothing
    advance(com.owner, ev["id"], "VOTING")
    problem(com.owner.patch(url, json={"maxArtworksPerMember": 3}), 409, "wrong_phase")
    # The time of a change that already happened cannot move; sending it unchanged is fine.
    field_error(com.owner.patch(url, json={"votingStartsAt": iso(100)}), "votingStartsAt", "invalid")
    r = com.owner.patch(url, json={"votingStartsAt": None, "votesPerMember": 4})  # null, as it already is
    assert r.status_code == 200 and r.json()["votesPerMember"] == 4
    advance_to(com.owner, ev["id"], "MATCHING")
    problem(com.owner.patch(url, json={"votesPerMember": 6}), 409, "wrong_phase")
    assert com.owner.patch(url, json={"name": "Still editable"}).status_code == 200
    advance(com.owner, ev["id"], "CLOSED")
    problem(com.owner.patch(url, json={"name": "Too late"}), 409, "wrong_phase")


def test_advance_one_phase_at_a_time_with_notifications(server, com):
    ev = make_event(com.owner, com.gid)
    url = f"{API}/events/{ev['id']}/advance"
    problem(com.owner.post(url, json={"to": "MATCHING"}), 409, "wrong_phase")
    problem(com.owner.post(url, json={"to": "OPEN"}), 409, "wrong_phase")
    field_error(com.owner.post(url, json={"to": "voting"}), "to", "invalid")
    problem(com.owner.post(url, json={}), 400, "bad_request")
    problem(com.members[0].post(url, json={"to": "VOTING"}), 403, "forbidden")
    problem(com.outsider.post(url, json={"to": "VOTING"}), 404, "not_found")
    problem(server.client().post(url, json={"to": "VOTING"}), 401, "unauthenticated")
    for phase in ["VOTING", "MATCHING", "CLOSED"]:
        got = advance(com.admin, ev["id"], phase)
        assert set(got) == EVENT_KEYS
        # a repeated click cannot skip a phase
        problem(com.owner.post(url, json={"to": phase}), 409, "wrong_phase")
    problem(com.owner.post(url, json={"to": "CLOSED"}), 409, "wrong_phase")
    for c in com.everyone:
        phases = [n["data"]["phase"] for n in status_updates(c, ev["id"])]
        assert sorted(phases) == sorted(["OPEN", "VOTING", "MATCHING", "CLOSED"]), (c.username, phases)
    assert status_updates(com.outsider, ev["id"]) == []


def test_concurrent_advances_change_the_phase_once(com):
    ev = make_event(com.owner, com.gid)
    results = []
    lock = threading.Lock()

    def go(client):
        r = client.post(f"{API}/events/{ev['id']}/advance", json={"to": "VOTING"})
        with lock:
            results.append(r.status_code)

    threads = [threading.Thread(target=go, args=(c,)) for c in [com.owner, com.admin] * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200] + [409] * 7, results
    for c in com.everyone:
        assert len(status_updates(c, ev["id"], "VOTING")) == 1


def test_scheduler_advances_phases_when_their_time_passes(com):
    ev = make_event(com.owner, com.gid, votingStartsAt=iso(2), matchingStartsAt=iso(4))
    url = f"{API}/events/{ev['id']}"
    assert ev["phase"] == "OPEN"
    assert wait_for(lambda: com.members[0].get(url).json()["phase"] == "VOTING", timeout=10)
    assert wait_for(lambda: com.members[0].get(url).json()["phase"] == "MATCHING", timeout=10)
    time.sleep(0.5)  # several scheduler passes: nothing more may happen
    assert com.owner.get(url).json()["phase"] == "MATCHING"  # no endsAt: stays until advanced by hand
    for c in com.everyone:
        assert len(status_updates(c, ev["id"], "VOTING")) == 1, c.username
        assert len(status_updates(c, ev["id"], "MATCHING")) == 1, c.username


def test_two_processes_advance_each_event_exactly_once(make_server, server, com):
    # A second process on the same database (its own mail dir: stopped before the shared
    # server's later tests could have their mail sent by it).
    other = make_server("--rate-limits", "off", db_url=server.db_url)
    try:
        events = [make_event(com.owner, com.gid, votingStartsAt=iso(2)) for _ in range(4)]
        for ev in events:
            assert wait_for(lambda: other.client(com.owner.token).get(f"{API}/events/{ev['id']}").json()["phase"]
                            == "VOTING", timeout=10)
        time.sleep(0.5)
    finally:
        other.stop()
    for c in com.everyone:
        for ev in events:
            assert len(status_updates(c, ev["id"], "VOTING")) == 1
