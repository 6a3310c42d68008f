"""Issue 17, the pairing half (docs/product.md §5, §7; docs/matching.md): the trade deadline
`tradesDueAt` and `avoidRepeatPartners` of events, a group's exclusions, re-pairing after a
decline or a departure, NO_MATCH with its reason, and TRADE_REMINDER once per participant
and match."""
import datetime
import threading
import time
from collections import Counter

import pytest

from conftest import BACKEND, field_error, problem
from event_helpers import API, Community, advance, iso, make_event, notifications, sql, wait_for
from group_helpers import collect
from test_matching import act, art_of, matches_of, matching_event, must_act, must_like, mutual, pair_set, pairs
from test_trades import must_deliver


@pytest.fixture
def com(server):
    return Community(server, members=6)


def live_pairs(client, eid):
    return pair_set([m for m in matches_of(client, eid) if m["status"] != "DECLINED"])


def match_between(client, eid, x, y):
    want = {x.username, y.username}
    found = [m for m in matches_of(client, eid) if {p["user"]["username"] for p in m["participants"]} == want]
    assert found, f"no match between {x.username} and {y.username}"
    return found[-1]


def close(com, ev):
    advance(com.owner, ev["id"], "CLOSED")


def no_match(client, eid):
    r = client.get(f"{API}/events/{eid}/no-match")
    assert r.status_code == 200, r.text
    return r.json()


def exclude(client, gid, x, y):
    return client.post(f"{API}/groups/{gid}/exclusions", json={"userIds": [x.id, y.id]})


def ms(dt_iso):
    return int(datetime.datetime.fromisoformat(dt_iso.replace("Z", "+00:00")).timestamp() * 1000)


def now_ms():
    return int(datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000)


# --- tradesDueAt and avoidRepeatPartners ------------------------------------------------------
def test_trades_due_at_and_avoid_repeat_partners_rules(server, com):
    owner, member = com.owner, com.members[0]
    ev = make_event(owner, com.gid)
    assert ev["tradesDueAt"] is None and ev["avoidRepeatPartners"] is True

    r = owner.post(f"{API}/groups/{com.gid}/events", json={"name": "x", "endsAt": iso(7200), "tradesDueAt": iso(3600)})
    field_error(r, "tradesDueAt", "invalid")
    r = owner.post(f"{API}/groups/{com.gid}/events", json={"name": "x", "endsAt": iso(7200), "tradesDueAt": iso(7200)})
    field_error(r, "tradesDueAt", "invalid")
    field_error(owner.post(f"{API}/groups/{com.gid}/events", json={"name": "x", "tradesDueAt": iso(-60)}),
                "tradesDueAt", "invalid")
    for bad in ["tomorrow", "2027-02-30T10:00:00Z", 5, True]:
        field_error(owner.post(f"{API}/groups/{com.gid}/events", json={"name": "x", "tradesDueAt": bad}),
                    "tradesDueAt", "invalid")
    for bad in [1, "true", None and 0]:
        if bad is None:
            continue
        field_error(owner.post(f"{API}/groups/{com.gid}/events", json={"name": "x", "avoidRepeatPartners": bad}),
                    "avoidRepeatPartners", "invalid")

    due = iso(86400 * 3)
    timed = make_event(owner, com.gid, endsAt=iso(86400), tradesDueAt=due, avoidRepeatPartners=False)
    assert timed["tradesDueAt"] == due and timed["avoidRepeatPartners"] is False
    assert owner.get(f"{API}/events/{timed['id']}").json()["tradesDueAt"] == due

    # PATCH: after endsAt, in the future; moving endsAt past it is refused on endsAt.
    field_error(owner.patch(f"{API}/events/{timed['id']}", json={"tradesDueAt": iso(3600)}), "tradesDueAt", "invalid")
    field_error(owner.patch(f"{API}/events/{timed['id']}", json={"endsAt": iso(86400 * 4)}), "endsAt", "invalid")
    field_error(owner.patch(f"{API}/events/{timed['id']}", json={"tradesDueAt": "nope"}), "tradesDueAt", "invalid")
    later = iso(86400 * 5)
    r = com.admin.patch(f"{API}/events/{timed['id']}", json={"tradesDueAt": later, "avoidRepeatPartners": True})
    assert r.status_code == 200, r.text
    assert r.json()["tradesDueAt"] == later and r.json()["avoidRepeatPartners"] is True
    problem(member.patch(f"{API}/events/{timed['id']}", json={"tradesDueAt": iso(86400 * 6)}), 403, "forbidden")
    problem(com.outsider.patch(f"{API}/events/{timed['id']}", json={"tradesDueAt": iso(86400 * 6)}), 404,
            "not_found")
    r = owner.patch(f"{API}/events/{timed['id']}", json={"tradesDueAt": None})
    assert r.status_code == 200 and r.json()["tradesDueAt"] is None

    # avoidRepeatPartners changes only while OPEN; tradesDueAt until CLOSED.
    advance(owner, ev["id"], "VOTING")
    problem(owner.patch(f"{API}/events/{ev['id']}", json={"avoidRepeatPartners": False}), 409, "wrong_phase")
    r = owner.patch(f"{API}/events/{ev['id']}", json={"avoidRepeatPartners": True})  # unchanged: fine
    assert r.status_code == 200, r.text
    r = owner.patch(f"{API}/events/{ev['id']}", json={"tradesDueAt": iso(86400)})
    assert r.status_code == 200, r.text
    advance(owner, ev["id"], "MATCHING")
    advance(owner, ev["id"], "CLOSED")
    problem(owner.patch(f"{API}/events/{ev['id']}", json={"tradesDueAt": iso(86400 * 2)}), 409, "wrong_phase")


# --- exclusions -------------------------------------------------------------------------------
def test_exclusions_endpoints_and_roles(server, com):
    a, b, c = com.members[:3]
    gid = com.gid
    r = exclude(com.owner, gid, b, a)
    assert r.status_code == 201, r.text
    first = r.json()
    assert set(first) == {"id", "users", "createdAt"}
    assert [u["username"] for u in first["users"]] == [u.username for u in sorted([a, b], key=lambda u: int(u.id))]
    assert set(first["users"][0]) == {"id", "username", "displayName"}
    r = exclude(com.admin, gid, a, c)
    assert r.status_code == 201, r.text
    second = r.json()

    # A pair in either order exists once.
    problem(exclude(com.owner, gid, a, b), 409, "exclusion_exists")
    problem(exclude(com.admin, gid, b, a), 409, "exclusion_exists")
    # Bad bodies.
    field_error(exclude(com.owner, gid, a, a), "userIds", "invalid")
    field_error(exclude(com.owner, gid, a, com.outsider), "userIds", "invalid")
    for body in [{}, {"userIds": [a.id]}, {"userIds": [a.id, b.id, c.id]}, {"userIds": "x"},
                 {"userIds": [int(a.id), int(b.id)]}, {"userIds": ["0", a.id]}]:
        field_error(com.owner.post(f"{API}/groups/{gid}/exclusions", json=body), "userIds", "invalid")
    # Roles: plain members 403, outsiders 404 (also before the body is looked at), no session 401.
    for client in (a, com.members[3]):
        problem(exclude(client, gid, b, c), 403, "forbidden")
        problem(client.get(f"{API}/groups/{gid}/exclusions"), 403, "forbidden")
        problem(client.delete(f"{API}/exclusions/{first['id']}"), 403, "forbidden")
    problem(exclude(com.outsider, gid, b, c), 404, "not_found")
    problem(com.outsider.get(f"{API}/groups/{gid}/exclusions"), 404, "not_found")
    problem(com.outsider.delete(f"{API}/exclusions/{first['id']}"), 404, "not_found")
    anon = server.client()
    problem(anon.get(f"{API}/groups/{gid}/exclusions"), 401, "unauthenticated")
    problem(anon.post(f"{API}/groups/{gid}/exclusions", json={"userIds": [a.id, b.id]}), 401, "unauthenticated")
    problem(anon.delete(f"{API}/exclusions/{first['id']}"), 401, "unauthenticated")
    problem(com.owner.get(f"{API}/groups/999999999/exclusions"), 404, "not_found")

    for client in (com.owner, com.admin):
        items, _ = collect(client, f"{API}/groups/{gid}/exclusions", 1)
        assert [e["id"] for e in items] == [first["id"], second["id"]]
        assert items[0] == first

    r = com.admin.delete(f"{API}/exclusions/{first['id']}")
    assert r.status_code == 204, r.text
    problem(com.owner.delete(f"{API}/exclusions/{first['id']}"), 404, "not_found")
    problem(com.owner.delete(f"{API}/exclusions/abc"), 404, "not_found")
    items, _ = collect(com.owner, f"{API}/groups/{gid}/exclusions", 10)
    assert [e["id"] for e in items] == [second["id"]]
    # The pair may be excluded again once removed.
    assert exclude(com.owner, gid, a, b).status_code == 201


def test_exclusions_are_refused_once_whatever_the_race(server, com):
    a, b = com.members[:2]
    results = []

    def go(client, x, y):
        results.append(exclude(client, com.gid, x, y).status_code)

    threads = [threading.Thread(target=go, args=(c, *xy)) for c in (com.owner, com.admin)
               for xy in ((a, b), (b, a))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201, 409, 409, 409]


def test_excluded_pair_is_never_matched(com):
    a, b, c, d = com.members[:4]
    ev, arts = matching_event(com, [a, b, c, d])
    mutual(arts, a, b, 1, 1)  # the best pair by far
    mutual(arts, a, c, 5, 5)
    mutual(arts, b, d, 5, 5)
    assert exclude(com.owner, com.gid, a, b).status_code == 201
    close(com, ev)
    assert live_pairs(com.owner, ev["id"]) == pairs((a, c), (b, d))


def test_repeat_partners_are_avoided_in_the_next_event_unless_turned_off(com):
    a, b, c, d = com.members[:4]
    first, arts = matching_event(com, [a, b])
    mutual(arts, a, b)
    close(com, first)
    assert live_pairs(com.owner, first["id"]) == pairs((a, b))

    second, arts = matching_event(com, [a, b, c, d])
    mutual(arts, a, b, 1, 1)
    mutual(arts, a, c, 3, 3)
    mutual(arts, b, d, 3, 3)
    close(com, second)
    assert live_pairs(com.owner, second["id"]) == pairs((a, c), (b, d))

    # The previous CLOSED event is now `second`: a and b were not partners there.
    third, arts = matching_event(com, [a, b, c])
    mutual(arts, a, c)  # partners in `second`
    mutual(arts, a, b)
    close(com, third)
    assert live_pairs(com.owner, third["id"]) == pairs((a, b))

    # Turned off: the previous partners may meet again.
    fourth, arts = matching_event(com, [a, b], avoidRepeatPartners=False)
    assert fourth["avoidRepeatPartners"] is False
    mutual(arts, a, b)
    close(com, fourth)
    assert live_pairs(com.owner, fourth["id"]) == pairs((a, b))


# --- re-pairing -------------------------------------------------------------------------------
def test_decline_pairs_the_freed_artists_again_and_never_brings_a_declined_pair_back(com):
    a, b, c, d, e, f = com.members[:6]
    ev, arts = matching_event(com, [a, b, c, d, e, f])
    mutual(arts, a, b)
    mutual(arts, c, e)
    mutual(arts, d, f)
    mutual(arts, a, c)
    mutual(arts, b, d)
    close(com, ev)
    eid = ev["id"]
    assert live_pairs(com.owner, eid) == pairs((a, b), (c, e), (d, f))

    must_act(c, match_between(com.owner, eid, c, e)["id"], "decline")
    must_act(f, match_between(com.owner, eid, d, f)["id"], "decline")
    assert live_pairs(com.owner, eid) == pairs((a, b))  # c and d are free, but a and b are taken

    before = {x.username: len(notifications(x, "NEW_MATCH")) for x in (a, b, c, d)}
    must_act(a, match_between(com.owner, eid, a, b)["id"], "decline")
    assert live_pairs(com.owner, eid) == pairs((a, c), (b, d))
    for x in (a, b, c, d):
        assert len(notifications(x, "NEW_MATCH")) == before[x.username] + 1
    new = match_between(com.owner, eid, a, c)
    assert new["status"] == "PENDING"
    assert {p["user"]["username"]: p["artwork"]["id"] for p in new["participants"]} == {
        a.username: art_of(arts, a), c.username: art_of(arts, c)}
    # b sees the new match in its own list.
    assert pair_set([m for m in matches_of(b, eid) if m["status"] == "PENDING"]) == pairs((b, d))

    # A declined pair never comes back: a and c decline; a, b, c, e are free, every pair
    # they like mutually has declined already.
    must_act(c, new["id"], "decline")
    assert live_pairs(com.owner, eid) == pairs((b, d))
    all_pairs = [frozenset(p["user"]["username"] for p in m["participants"]) for m in matches_of(com.owner, eid)]
    assert Counter(all_pairs)[frozenset({a.username, b.username})] == 1
    assert len(all_pairs) == len(set(all_pairs))
    # Existing matches are never broken: b-d was accepted meanwhile and stays.
    bd = match_between(com.owner, eid, b, d)
    must_act(b, bd["id"], "accept")
    must_act(d, bd["id"], "accept")
    assert match_between(com.owner, eid, b, d)["status"] == "ACCEPTED"


def test_re_pairing_keeps_out_excluded_and_repeat_pairs(com):
    a, b, c, d = com.members[:4]
    first, arts = matching_event(com, [a, d])
    mutual(arts, a, d)
    close(com, first)

    ev, arts = matching_event(com, [a, b, c, d])
    mutual(arts, a, b, 1, 1)
    mutual(arts, c, d, 1, 1)
    mutual(arts, a, c, 2, 2)
    mutual(arts, a, d, 2, 2)  # partners in `first`
    mutual(arts, b, d, 2, 2)
    close(com, ev)
    eid = ev["id"]
    assert live_pairs(com.owner, eid) == pairs((a, b), (c, d))
    assert exclude(com.admin, com.gid, a, c).status_code == 201
    # c-d declines: c and d are free; d's other partners are taken.
    must_act(d, match_between(com.owner, eid, c, d)["id"], "decline")
    assert live_pairs(com.owner, eid) == pairs((a, b))
    # a-b declines: a's free mutual partners are c (excluded) and d (repeat); b-d is allowed.
    must_act(a, match_between(com.owner, eid, a, b)["id"], "decline")
    assert live_pairs(com.owner, eid) == pairs((b, d))


def test_leaving_or_removal_declines_the_match_and_pairs_again(com):
    a, b, c, d = com.members[:4]
    ev, arts = matching_event(com, [a, b, c, d])
    mutual(arts, a, b, 1, 1)
    mutual(arts, a, c, 2, 2)
    mutual(arts, c, d, 2, 2)
    mutual(arts, b, d, 5, 5)
    close(com, ev)
    eid = ev["id"]
    assert live_pairs(com.owner, eid) == pairs((a, b), (c, d))
    ab = match_between(com.owner, eid, a, b)
    must_act(a, ab["id"], "accept")
    must_act(b, ab["id"], "accept")  # ACCEPTED: still ended by a departure

    updates = len(notifications(a, "MATCH_UPDATE"))
    r = b.delete(f"{API}/groups/{com.gid}/members/{b.id}")
    assert r.status_code == 204, r.text
    ended = match_between(com.owner, eid, a, b)
    assert ended["status"] == "DECLINED"
    # Ended by a departure: declined by nobody.
    assert [p["declined"] for p in ended["participants"]] == [False, False]
    notes = notifications(a, "MATCH_UPDATE")
    assert len(notes) == updates + 1 and notes[0]["data"] == {"matchId": ab["id"], "eventId": eid}
    assert "DECLINED" in notes[0]["message"]
    # a is free; c is in c-d: no new match.
    assert live_pairs(com.owner, eid) == pairs((c, d))

    # The removal of d by an admin frees c: a and c are paired.
    r = com.admin.delete(f"{API}/groups/{com.gid}/members/{d.id}")
    assert r.status_code == 204, r.text
    assert live_pairs(com.owner, eid) == pairs((a, c))
    assert [n["data"]["eventId"] for n in notifications(c, "MATCH_UPDATE")][:1] == [eid]


def test_no_re_pairing_once_trades_are_due(com):
    a, b, c = com.members[:3]
    ev, arts = matching_event(com, [a, b, c])
    mutual(arts, a, b, 1, 1)
    mutual(arts, a, c, 2, 2)
    close(com, ev)
    sql(com.server, f"UPDATE events SET trades_due_at = {now_ms() - 1000} WHERE id = {ev['id']}")
    must_act(b, match_between(com.owner, ev["id"], a, b)["id"], "decline")
    assert live_pairs(com.owner, ev["id"]) == set()


def test_parallel_declines_never_put_an_artist_in_two_live_matches(com, server):
    artists = [server.user() for _ in range(8)]
    for x in artists:
        r = com.owner.post(f"{API}/groups/{com.gid}/invitations", json={"username": x.username})
        assert r.status_code == 201, r.text
        assert x.post(f"{API}/invitations/{r.json()['id']}/accept").status_code == 200
    ev, arts = matching_event(com, artists)
    # Each (2i, 2i+1) is the favourite pair; everyone also likes everyone else (rank 9).
    for i, x in enumerate(artists):
        for j, y in enumerate(artists):
            if i != j:
                must_like(x, art_of(arts, y), 1 if j == i ^ 1 else 9)
    close(com, ev)
    eid = ev["id"]
    for round_ in range(3):
        live = [m for m in matches_of(com.owner, eid) if m["status"] == "PENDING"]
        if not live:
            break
        by_name = {x.username: x for x in artists}
        results = []

        def decline(m):
            who = by_name[m["participants"][round_ % 2]["user"]["username"]]
            results.append(act(who, m["id"], "decline").status_code)

        threads = [threading.Thread(target=decline, args=(m,)) for m in live]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [200] * len(live)
        everything = matches_of(com.owner, eid)
        in_live = Counter(p["user"]["username"] for m in everything if m["status"] != "DECLINED"
                          for p in m["participants"])
        assert all(n == 1 for n in in_live.values()), in_live
        made = [frozenset(p["user"]["username"] for p in m["participants"]) for m in everything]
        assert len(made) == len(set(made)), "a declined pair came back"
        # Every free artist with a free mutual partner that never declined would be paired.
        free = [x.username for x in artists if x.username not in in_live]
        for i, x in enumerate(free):
            for y in free[i + 1:]:
                assert frozenset({x, y}) in made


# --- NO_MATCH ---------------------------------------------------------------------------------
def test_no_match_reasons_in_notification_mail_and_event_page(server, com):
    a, b, c, d, e = com.members[:5]
    ev, arts = matching_event(com, [a, b, c, d])
    eid = ev["id"]
    mutual(arts, a, b, 1, 1)
    mutual(arts, a, c, 2, 2)  # c loses a to b
    must_like(d, art_of(arts, a))  # d: one-sided only
    assert no_match(c, eid) == {"eventId": eid, "reason": None, "message": None}
    close(com, ev)

    def reason_of(x):
        notes = [n for n in notifications(x, "NO_MATCH") if n["data"]["eventId"] == eid]
        assert len(notes) <= 1
        return notes[0] if notes else None

    assert reason_of(a) is None and reason_of(b) is None and reason_of(e) is None  # e submitted nothing
    nc, nd = reason_of(c), reason_of(d)
    assert nc["data"] == {"eventId": eid, "reason": "paired_elsewhere"}
    assert nd["data"] == {"eventId": eid, "reason": "no_mutual_likes"}
    assert ev["name"] in nc["message"] and "paired" in nc["message"]
    assert "likes the other" in nd["message"]
    page_c = no_match(c, eid)
    assert page_c == {"eventId": eid, "reason": "paired_elsewhere", "message": nc["message"]}
    assert no_match(d, eid)["reason"] == "no_mutual_likes"
    assert no_match(a, eid)["reason"] is None and no_match(e, eid)["reason"] is None
    problem(com.outsider.get(f"{API}/events/{eid}/no-match"), 404, "not_found")
    problem(server.client().get(f"{API}/events/{eid}/no-match"), 401, "unauthenticated")
    problem(c.get(f"{API}/events/999999999/no-match"), 404, "not_found")
    # Emailed by default.
    assert wait_for(lambda: any(nc["message"] in m.get_body(("plain",)).get_content() for m in server.mails(c.username)))

    # Once c is paired after all, the event page no longer says why not.
    must_act(b, match_between(com.owner, eid, a, b)["id"], "decline")
    assert live_pairs(com.owner, eid) == pairs((a, c))
    assert no_match(c, eid)["reason"] is None


def test_an_excluded_only_partner_means_no_mutual_likes(com):
    a, b = com.members[:2]
    ev, arts = matching_event(com, [a, b])
    mutual(arts, a, b)
    assert exclude(com.owner, com.gid, a, b).status_code == 201
    close(com, ev)
    assert live_pairs(com.owner, ev["id"]) == set()
    for x in (a, b):
        assert [n["data"]["reason"] for n in notifications(x, "NO_MATCH")] == ["no_mutual_likes"]


# --- TRADE_REMINDER ---------------------------------------------------------------------------
def accepted_matches(com, couples, due_in_s=86400 * 3):
    """An event with tradesDueAt in `due_in_s`, closed, each couple matched and ACCEPTED."""
    artists = [x for couple in couples for x in couple]
    ev, arts = matching_event(com, artists, tradesDueAt=iso(due_in_s))
    for x, y in couples:
        mutual(arts, x, y)
    close(com, ev)
    out = []
    for x, y in couples:
        m = match_between(com.owner, ev["id"], x, y)
        must_act(x, m["id"], "accept")
        must_act(y, m["id"], "accept")
        out.append(m)
    return ev, out


def reminders(client, eid=None):
    return [n for n in notifications(client, "TRADE_REMINDER") if eid is None or n["data"]["eventId"] == eid]


def test_trade_reminder_24_hours_before_once_and_not_after_receipt(server, com):
    a, b, c, d = com.members[:4]
    ev, (ab, cd) = accepted_matches(com, [(a, b), (c, d)])
    eid = ev["id"]
    must_act(d, cd["id"], "complete")  # d received c's art: c is not reminded
    time.sleep(0.5)  # several scheduler passes: nothing is due yet (3 days ahead)
    assert all(reminders(x, eid) == [] for x in (a, b, c, d))

    due = now_ms() + 3600 * 1000
    sql(server, f"UPDATE events SET trades_due_at = {due} WHERE id = {eid}")
    assert wait_for(lambda: all(len(reminders(x, eid)) == 1 for x in (a, b, d)))
    time.sleep(0.5)
    for x, m in ((a, ab), (b, ab), (d, cd)):
        (note,) = reminders(x, eid)
        assert note["data"]["matchId"] == m["id"] and note["data"]["eventId"] == eid
        assert abs(ms(note["data"]["dueAt"]) - due) < 1000
    assert reminders(c, eid) == []
    assert wait_for(lambda: any("is due by" in m.get_body(("plain",)).get_content() for m in server.mails(a.username)))


def test_trade_reminder_skips_a_participant_who_delivered(server, com):
    """A participant who delivered a piece through Atelier is not reminded; the partner who
    did not deliver is, and so are both artists of a match where nobody delivered."""
    a, b, c, d = com.members[:4]
    ev, (ab, cd) = accepted_matches(com, [(a, b), (c, d)])
    eid = ev["id"]
    delivered = must_deliver(a, ab["id"])
    assert next(p for p in delivered["participants"] if p["user"]["id"] == a.id)["delivery"] is not None
    assert next(p for p in delivered["participants"] if p["user"]["id"] == b.id)["delivery"] is None

    sql(server, f"UPDATE events SET trades_due_at = {now_ms() + 3600 * 1000} WHERE id = {eid}")
    assert wait_for(lambda: all(len(reminders(x, eid)) == 1 for x in (b, c, d)))
    time.sleep(0.5)  # several scheduler passes more: a is still not reminded
    assert reminders(a, eid) == []
    for x in (b, c, d):
        assert len(reminders(x, eid)) == 1
    (note,) = reminders(b, eid)
    assert note["data"]["matchId"] == ab["id"]


@pytest.mark.skipif(BACKEND != "postgres", reason="several processes share a database only on PostgreSQL")
def test_trade_reminders_are_sent_once_by_two_processes(make_server):
    first = make_server("--rate-limits", "off")
    second = make_server("--rate-limits", "off", db_url=first.db_url,
                         workdir=first.workdir)
    com = Community(first, members=6)
    couples = [tuple(com.members[i:i + 2]) for i in (0, 2, 4)]
    ev, matches = accepted_matches(com, couples)
    sql(first, f"UPDATE events SET trades_due_at = {now_ms() + 3600 * 1000} WHERE id = {ev['id']}")
    assert wait_for(lambda: all(len(reminders(x, ev["id"])) >= 1 for x in com.members))
    time.sleep(1.0)
    for x in com.members:
        assert len(reminders(x, ev["id"])) == 1
    assert second.url != first.url
