"""Hostile input (issue 16, items 6, 7, 8 and 10): rate limits on invitations, events and
uploads; plain text only in names and emails; one pending invitation per person and group;
calendar dates and duplicate JSON keys."""
import json
import threading

import pytest

from conftest import PASSWORD, field_error, problem, unique
from event_helpers import iso, make_event
from group_helpers import API, invite, join, new_group

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
CONTROLS = ["\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\u0085", "\u2028", "\u2029"]


def raw_json(client, method, path, text):
    return client.request(method, path, data=text.encode(), headers={"Content-Type": "application/json"})


# --- 10: lax input ------------------------------------------------------------------------


def test_duplicate_key_in_a_json_body_is_a_bad_request(server):
    owner = server.user()
    name = unique("grp")
    for text in ['{"name": "%s", "name": "%s_2"}' % (name, name),
                 '{"name": "%s", "purpose": "x", "description": "a", "description": "b"}' % name]:
        problem(raw_json(owner, "POST", f"{API}/groups", text), 400, "bad_request")
    assert owner.get(f"{API}/groups").json()["items"] == []  # nothing created
    # In a nested object too, and in PATCH /me: the display name stays as it was.
    before = owner.get(f"{API}/me").json()["profile"]["displayName"]
    problem(raw_json(owner, "PATCH", f"{API}/me", '{"displayName": "A", "displayName": "B"}'), 400, "bad_request")
    problem(raw_json(owner, "PATCH", f"{API}/me", '{"displayName": "A", "x": {"k": 1, "k": 2}}'), 400,
            "bad_request")
    assert owner.get(f"{API}/me").json()["profile"]["displayName"] == before
    # Same keys in different objects are fine; so are escapes that spell different keys.
    r = raw_json(owner, "PATCH", f"{API}/me", '{"displayName": "Ada \\u00e9", "bio": "b"}')
    assert r.status_code == 200, r.text
    problem(raw_json(owner, "PATCH", f"{API}/me", '{"bio": "a", "b\\u0069o": "b"}'), 400, "bad_request")
    # Still malformed JSON → 400, trailing data too.
    problem(raw_json(owner, "PATCH", f"{API}/me", '{"bio": "a"} {}'), 400, "bad_request")
    problem(raw_json(owner, "PATCH", f"{API}/me", '{"bio": "a",}'), 400, "bad_request")


def test_invalid_calendar_dates_are_refused(server):
    owner = server.user()
    gid = new_group(owner)["id"]
    url = f"{API}/groups/{gid}/events"
    for bad in ["2027-02-30T00:00:00Z", "2027-02-29T00:00:00Z", "2100-02-29T12:00:00Z", "2027-04-31T00:00:00Z",
                "2027-02-30T01:00:00+01:00"]:
        field_error(owner.post(url, json={"name": "Spring", "votingStartsAt": bad}), "votingStartsAt", "invalid")
    assert owner.get(url).json()["items"] == []
    r = owner.post(url, json={"name": "Leap", "votingStartsAt": "2028-02-29T00:00:00Z"})
    assert r.status_code == 201, r.text
    assert r.json()["votingStartsAt"] == "2028-02-29T00:00:00Z"
    field_error(owner.patch(f"{API}/events/{r.json()['id']}", json={"endsAt": "2029-02-29T00:00:00Z"}), "endsAt",
                "invalid")


# --- 7: control characters and bidi overrides in text ---------------------------------------


def test_single_line_fields_refuse_controls_and_bidi_overrides(server):
    owner = server.user()
    gid = new_group(owner)["id"]
    eid = make_event(owner, gid)["id"]
    for bad in CONTROLS + BIDI:
        text = f"Ada{bad}ACCOUNT SUSPENDED"
        field_error(owner.patch(f"{API}/me", json={"displayName": text}), "displayName", "invalid")
        field_error(owner.post(f"{API}/groups", json={"name": text}), "name", "invalid")
        field_error(owner.patch(f"{API}/groups/{gid}", json={"name": text}), "name", "invalid")
        field_error(owner.post(f"{API}/groups/{gid}/events", json={"name": text}), "name", "invalid")
        field_error(owner.patch(f"{API}/events/{eid}", json={"name": text}), "name", "invalid")
    # Nothing changed; plain names in any script, with direction marks, are fine.
    assert owner.get(f"{API}/me").json()["profile"]["displayName"] == owner.user["profile"]["displayName"]
    for good in ["Zoë Ångström", "עִבְרִית ✓", "name\u200f (RTL mark)", "🎨 Studio"]:
        r = owner.patch(f"{API}/me", json={"displayName": good})
        assert r.status_code == 200 and r.json()["profile"]["displayName"] == good, r.text


def test_multi_line_fields_keep_newlines_but_no_other_controls(server):
    owner = server.user()
    gid = new_group(owner)["id"]
    eid = make_event(owner, gid)["id"]
    good = "Line one\nLine two\r\n\tindented"
    r = owner.patch(f"{API}/me", json={"bio": good})
    assert r.status_code == 200 and r.json()["profile"]["bio"] == good, r.text
    r = owner.patch(f"{API}/groups/{gid}", json={"description": good, "purpose": good})
    assert r.status_code == 200 and r.json()["description"] == good, r.text
    r = owner.patch(f"{API}/events/{eid}", json={"description": good})
    assert r.status_code == 200 and r.json()["description"] == good, r.text
    for bad in ["\x00", "\x1b[2J", "\x7f", "\u0085", "\u2028", "\f", "lone\rreturn"] + BIDI:
        text = f"Bio {bad} text"
        field_error(owner.patch(f"{API}/me", json={"bio": text}), "bio", "invalid")
        field_error(owner.patch(f"{API}/groups/{gid}", json={"description": text}), "description", "invalid")
        field_error(owner.patch(f"{API}/groups/{gid}", json={"purpose": text}), "purpose", "invalid")
        field_error(owner.patch(f"{API}/events/{eid}", json={"description": text}), "description", "invalid")
    assert owner.get(f"{API}/me").json()["profile"]["bio"] == good


def test_emails_are_checked_the_same_way_everywhere(server):
    owner = server.user()
    gid = new_group(owner)["id"]
    anon = server.client()
    for bad in ["Name<a@example.test>", "a,b@example.test", "a;b@example.test", '"a"@example.test',
                "a\n@example.test", "a\u202e@example.test", "a@example", "a b@example.test"]:
        field_error(owner.post(f"{API}/groups/{gid}/invitations", json={"email": bad}), "email", "invalid")
        field_error(anon.post(f"{API}/auth/register",
                              json={"username": unique(), "email": bad, "password": PASSWORD}), "email", "invalid")
        field_error(anon.post(f"{API}/auth/resend-verification", json={"email": bad}), "email", "invalid")
        field_error(anon.post(f"{API}/auth/password-reset/request", json={"email": bad}), "email", "invalid")
    assert owner.get(f"{API}/groups/{gid}/invitations").json()["items"] == []
    # A well-formed address still gets 202 whether or not an account has it.
    for addr in [f"{unique()}@example.test", owner.user["email"].upper()]:
        assert anon.post(f"{API}/auth/resend-verification", json={"email": addr}).status_code == 202
        assert anon.post(f"{API}/auth/password-reset/request", json={"email": addr}).status_code == 202


# --- 8: one pending invitation per person and group -------------------------------------------


def verify(server, client):
    token = server.link_token(client.user["email"], "/verify-email", "verify")
    r = server.client().post(f"{API}/auth/verify-email", json={"token": token})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("username_first", [True, False])
def test_invitations_by_username_and_by_email_become_one_when_the_email_is_verified(server, username_first):
    owner = server.user()
    gid = new_group(owner)["id"]
    bob = server.user(verified=False)
    by_email = {"email": bob.user["email"]}
    first = invite(owner, gid, bob) if username_first else invite(owner, gid, **by_email)
    second = invite(owner, gid, **by_email) if username_first else invite(owner, gid, bob)
    verify(server, bob)
    # Bob has one pending invitation to the group; the other is closed.
    mine = bob.get(f"{API}/me/invitations").json()["items"]
    assert [i["group"]["id"] for i in mine] == [gid], mine
    kept = mine[0]["id"]
    assert kept in (first["id"], second["id"])
    other = second["id"] if kept == first["id"] else first["id"]
    statuses = {i["id"]: i["status"] for i in owner.get(f"{API}/groups/{gid}/invitations").json()["items"]}
    assert statuses == {kept: "pending", other: "revoked"}
    problem(owner.post(f"{API}/groups/{gid}/invitations", json={"username": bob.username}), 409, "already_invited")
    problem(owner.post(f"{API}/groups/{gid}/invitations", json=by_email), 409, "already_invited")
    # Accepted, then removed: the closed invitation does not let Bob back in.
    assert bob.post(f"{API}/invitations/{kept}/accept").status_code == 200
    assert owner.delete(f"{API}/groups/{gid}/members/{bob.id}").status_code == 204
    problem(bob.post(f"{API}/invitations/{other}/accept"), 409, "invitation_not_pending")
    problem(bob.get(f"{API}/groups/{gid}"), 404, "not_found")


def test_email_invitation_to_a_member_is_closed_when_the_address_is_verified(server):
    owner = server.user()
    gid = new_group(owner)["id"]
    bob = server.user(verified=False)
    by_email = invite(owner, gid, email=bob.user["email"])
    verify(server, bob)
    assert bob.post(f"{API}/invitations/{by_email['id']}/accept").status_code == 200
    # Verified address owned by a member: by email or by username it is already_member.
    problem(owner.post(f"{API}/groups/{gid}/invitations", json={"email": bob.user["email"]}), 409, "already_member")
    carol = server.user(verified=False)
    inv = invite(owner, gid, carol)
    assert carol.post(f"{API}/invitations/{inv['id']}/accept").status_code == 403  # email_not_verified
    mail_inv = invite(owner, gid, email=carol.user["email"])
    verify(server, carol)
    assert [i["id"] for i in carol.get(f"{API}/me/invitations").json()["items"]] == [inv["id"]]
    assert carol.post(f"{API}/invitations/{inv['id']}/accept").status_code == 200
    problem(carol.post(f"{API}/invitations/{mail_inv['id']}/accept"), 409, "invitation_not_pending")


def test_parallel_invitations_by_username_and_email_make_one(server):
    owner = server.user()
    gid = new_group(owner)["id"]
    bob = server.user()
    bodies = [{"username": bob.username}, {"email": bob.user["email"].upper()}] * 5
    barrier = threading.Barrier(len(bodies))
    results = [None] * len(bodies)

    def send(i):
        c = server.client(owner.token)
        barrier.wait()
        results[i] = c.post(f"{API}/groups/{gid}/invitations", json=bodies[i])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results)
    assert codes == [201] + [409] * 9, [(r.status_code, r.text) for r in results]
    for r in results:
        if r.status_code == 409:
            problem(r, 409, "already_invited")
    assert len(bob.get(f"{API}/me/invitations").json()["items"]) == 1


def test_parallel_invitations_and_verification_leave_one_pending(server):
    """Invitations by username and by the address race the verification of the address."""
    owner = server.user()
    gid = new_group(owner)["id"]
    bob = server.user(verified=False)
    token = server.link_token(bob.user["email"], "/verify-email", "verify")
    bodies = [{"username": bob.username}, {"email": bob.user["email"]}] * 4
    barrier = threading.Barrier(len(bodies) + 1)
    results = [None] * len(bodies)

    def send(i):
        c = server.client(owner.token)
        barrier.wait()
        results[i] = c.post(f"{API}/groups/{gid}/invitations", json=bodies[i])

    def verify_now():
        barrier.wait()
        r = server.client().post(f"{API}/auth/verify-email", json={"token": token})
        assert r.status_code == 200, r.text

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    threads.append(threading.Thread(target=verify_now))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.status_code in (201, 409) for r in results), [r.text for r in results]
    assert 1 <= sum(r.status_code == 201 for r in results) <= 2
    pending = [i for i in owner.get(f"{API}/groups/{gid}/invitations").json()["items"] if i["status"] == "pending"]
    assert len(pending) == 1, pending
    assert [i["id"] for i in bob.get(f"{API}/me/invitations").json()["items"]] == [pending[0]["id"]]


# --- 6: rate limits (a server of their own, with --rate-limits on) ------------------------------


@pytest.fixture(scope="module")
def limited(make_server):
    return make_server()


def test_mails_to_addresses_without_an_account_are_limited_per_inviter(limited):
    owner, admin = limited.user(), limited.user()
    gid = new_group(owner)["id"]
    join(owner, gid, admin, role="admin")
    url = f"{API}/groups/{gid}/invitations"
    for _ in range(20):
        r = owner.post(url, json={"email": f"{unique()}@outside.test"})
        assert r.status_code == 201, r.text
    r = owner.post(url, json={"email": f"{unique()}@outside.test"})
    problem(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) > 0
    assert len(owner.get(url, params={"limit": 100}).json()["items"]) == 21  # 20 + the admin's
    # Invitations to people with an account, and another inviter, still go through.
    carol = limited.user()
    assert owner.post(url, json={"username": carol.username}).status_code == 201
    assert admin.post(url, json={"email": f"{unique()}@outside.test"}).status_code == 201


def test_invitations_are_limited_per_inviter_and_per_group(make_server):
    """50 invitations an hour per inviter, 100 per group: each invitation is made and
    revoked at once, so only the limits can refuse one."""
    srv = make_server()  # a budget of its own
    owner, admin, admin2, bob = srv.user(), srv.user(), srv.user(), srv.user()
    gid = new_group(owner)["id"]
    join(owner, gid, admin, role="admin")
    join(owner, gid, admin2, role="admin")  # the owner has now spent 2 of each budget
    url = f"{API}/groups/{gid}/invitations"

    def invite_until_refused(who):
        for n in range(200):
            r = who.post(url, json={"username": bob.username})
            if r.status_code != 201:
                problem(r, 429, "rate_limited")
                assert int(r.headers["Retry-After"]) > 0
                return n, r.json()["detail"]
            assert who.delete(f"{API}/invitations/{r.json()['id']}").status_code == 204
        raise AssertionError("never refused")

    # The buckets refill one invitation per 72 s (per inviter) or 36 s (per group).
    made, detail = invite_until_refused(owner)
    assert 48 <= made <= 49 and "this group" not in detail, (made, detail)
    made_by_admin, _ = invite_until_refused(admin)  # the group has about 50 left
    assert 48 <= made_by_admin <= 52, made_by_admin
    made, detail = invite_until_refused(admin2)
    assert made <= 2 and "this group" in detail, (made, detail)
    # A refused invitation changed nothing: bob has none pending, and another group's
    # budget is its own.
    assert bob.get(f"{API}/me/invitations").json()["items"] == []
    other = new_group(admin2)["id"]
    assert admin2.post(f"{API}/groups/{other}/invitations", json={"username": bob.username}).status_code == 201


def test_event_creation_is_limited_per_user_and_per_group(limited):
    owner, admin, member = limited.user(), limited.user(), limited.user()
    gid = new_group(owner)["id"]
    join(owner, gid, admin, role="admin")
    join(owner, gid, member)
    url = f"{API}/groups/{gid}/events"
    # Refusals for the role do not spend the group's budget.
    for _ in range(5):
        problem(member.post(url, json={"name": "Nope"}), 403, "forbidden")
    for i in range(20):
        r = owner.post(url, json={"name": f"Event {i}"})
        assert r.status_code == 201, r.text
    r = owner.post(url, json={"name": "One too many"})
    problem(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) > 0
    # Another admin has a budget of their own, until the group's (30 an hour) is spent.
    for i in range(10):
        r = admin.post(url, json={"name": f"Admin event {i}"})
        assert r.status_code == 201, r.text
    problem(admin.post(url, json={"name": "Group is full"}), 429, "rate_limited")
    assert len(owner.get(url, params={"limit": 100}).json()["items"]) == 30
    # The member's own groups are not affected.
    other = new_group(member)["id"]
    assert member.post(f"{API}/groups/{other}/events", json={"name": "Mine"}).status_code == 201


def test_uploads_are_limited_before_the_body_is_looked_at(limited):
    owner = limited.user()
    gid = new_group(owner)["id"]
    eid = make_event(owner, gid, endsAt=iso(3600))["id"]
    url = f"{API}/events/{eid}/artworks"
    # Bodies that fail at the first check still spend the budget (60 per 10 minutes).
    bad = {"Content-Type": "text/plain"}
    for _ in range(60):
        problem(owner.post(url, data=b"x", headers=bad), 400, "bad_request")
    r = owner.post(url, data=b"x", headers=bad)
    problem(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) > 0
    # Unauthenticated requests are refused as before (401, not a budget of their own).
    problem(limited.client().post(url, data=b"x", headers=bad), 401, "unauthenticated")
    assert json.loads(owner.get(f"{API}/events/{eid}").text)["artworkCount"] == 0
