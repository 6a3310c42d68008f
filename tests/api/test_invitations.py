"""docs/product.md §4: invitations by username and by email; accept, decline, revoke, expiry."""
import datetime
import threading
import time

from conftest import field_error, problem, unique
from event_helpers import notifications
from group_helpers import API, collect, db_exec, invite, join, new_group

INVITATION_FIELDS = {"id", "group", "invitee", "email", "invitedBy", "status", "createdAt", "expiresAt"}


def parse(t):
    return datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))


def test_invite_by_username(server):
    owner, bob = server.user(), server.user()
    g = new_group(owner)
    r = owner.post(f"{API}/groups/{g['id']}/invitations", json={"username": bob.username.upper()})
    assert r.status_code == 201, r.text
    inv = r.json()
    assert set(inv) == INVITATION_FIELDS
    assert inv["group"] == {"id": g["id"], "name": g["name"]}
    assert inv["invitee"]["id"] == bob.id and inv["email"] is None
    assert inv["invitedBy"]["id"] == owner.id and inv["status"] == "pending"
    hours = (parse(inv["expiresAt"]) - parse(inv["createdAt"])).total_seconds() / 3600
    assert abs(hours - 168) < 0.01
    # The invitee sees it, gets a GROUP_INVITATION notification and an email.
    mine = bob.get(f"{API}/me/invitations").json()
    assert mine["items"] == [inv] and mine["nextCursor"] is None
    notes = bob.get(f"{API}/notifications").json()["items"]
    assert notes[0]["type"] == "GROUP_INVITATION"
    assert notes[0]["data"] == {"invitationId": inv["id"], "groupId": g["id"]}
    msg = server.wait_mail(bob.user["email"], "join")[-1]
    assert "/invitations" in msg.get_body(preferencelist=("plain",)).get_content()


def test_invite_errors(server):
    owner, member, bob = server.user(), server.user(), server.user()
    gid = new_group(owner)["id"]
    join(owner, gid, member)
    url = f"{API}/groups/{gid}/invitations"
    problem(owner.post(url, json={"username": unique("nobody")}), 404, "not_found")
    problem(owner.post(url, json={"username": member.username}), 409, "already_member")
    problem(owner.post(url, json={"username": owner.username}), 409, "already_member")
    invite(owner, gid, bob)
    problem(owner.post(url, json={"username": bob.username}), 409, "already_invited")
    problem(owner.post(url, json={}), 400, "bad_request")
    field_error(owner.post(url, json={"username": bob.username, "email": "x@example.test"}), "email", "invalid")
    field_error(owner.post(url, json={"email": "not-an-email"}), "email", "invalid")
    for hours in [0, 721, "12", 1.5]:
        field_error(owner.post(url, json={"username": unique("x"), "expiresInHours": hours}), "expiresInHours",
                    "invalid")
    problem(member.post(url, json={"username": server.user().username}), 403, "forbidden")
    problem(server.user().post(url, json={"username": bob.username}), 404, "not_found")
    problem(owner.post(f"{API}/groups/123456789/invitations", json={"username": bob.username}), 404, "not_found")
    r = owner.post(url, json={"username": server.user().username, "expiresInHours": 1})
    assert r.status_code == 201
    assert abs((parse(r.json()["expiresAt"]) - parse(r.json()["createdAt"])).total_seconds() - 3600) < 1


def test_accept_joins_once_and_decline(server):
    owner, bob, carol = server.user(), server.user(), server.user()
    gid = new_group(owner)["id"]
    inv = invite(owner, gid, bob)
    problem(carol.post(f"{API}/invitations/{inv['id']}/accept"), 404, "not_found")
    problem(owner.post(f"{API}/invitations/{inv['id']}/accept"), 404, "not_found")
    problem(bob.post(f"{API}/invitations/abc/accept"), 404, "not_found")
    problem(bob.post(f"{API}/invitations/99999999/accept"), 404, "not_found")
    r = bob.post(f"{API}/invitations/{inv['id']}/accept")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == gid and r.json()["myRole"] == "member" and r.json()["memberCount"] == 2
    problem(bob.post(f"{API}/invitations/{inv['id']}/accept"), 409, "invitation_not_pending")
    problem(bob.post(f"{API}/invitations/{inv['id']}/decline"), 409, "invitation_not_pending")
    assert bob.get(f"{API}/me/invitations").json()["items"] == []
    statuses = [i["status"] for i in owner.get(f"{API}/groups/{gid}/invitations").json()["items"]]
    assert statuses == ["accepted"]

    inv2 = invite(owner, gid, carol)
    assert carol.post(f"{API}/invitations/{inv2['id']}/decline").status_code == 204
    problem(carol.post(f"{API}/invitations/{inv2['id']}/accept"), 409, "invitation_not_pending")
    problem(carol.get(f"{API}/groups/{gid}"), 404, "not_found")
    # A declined invitation does not block a new one.
    inv3 = invite(owner, gid, carol)
    assert carol.post(f"{API}/invitations/{inv3['id']}/accept").status_code == 200


def test_accepting_needs_a_verified_email(server):
    owner = server.user()
    unverified = server.user(verified=False)
    gid = new_group(owner)["id"]
    inv = invite(owner, gid, unverified)
    assert [i["id"] for i in unverified.get(f"{API}/me/invitations").json()["items"]] == [inv["id"]]
    problem(unverified.post(f"{API}/invitations/{inv['id']}/accept"), 403, "email_not_verified")
    problem(unverified.get(f"{API}/groups/{gid}"), 404, "not_found")


def test_revoke(server):
    owner, admin, member, bob = server.user(), server.user(), server.user(), server.user()
    gid = new_group(owner)["id"]
    join(owner, gid, admin, role="admin")
    join(owner, gid, member)
    inv = invite(owner, gid, bob)
    problem(member.delete(f"{API}/invitations/{inv['id']}"), 403, "forbidden")
    problem(bob.delete(f"{API}/invitations/{inv['id']}"), 404, "not_found")
    problem(server.user().delete(f"{API}/invitations/{inv['id']}"), 404, "not_found")
    assert admin.delete(f"{API}/invitations/{inv['id']}").status_code == 204
    problem(admin.delete(f"{API}/invitations/{inv['id']}"), 409, "invitation_not_pending")
    problem(bob.post(f"{API}/invitations/{inv['id']}/accept"), 409, "invitation_not_pending")
    assert bob.get(f"{API}/me/invitations").json()["items"] == []
    items = owner.get(f"{API}/groups/{gid}/invitations").json()["items"]
    assert items[0]["id"] == inv["id"] and items[0]["status"] == "revoked"
    invite(admin, gid, bob)  # a revoked invitation does not block a new one


def test_expired_invitation(server):
    owner, bob, carol = server.user(), server.user(), server.user()
    gid = new_group(owner)["id"]
    inv = invite(owner, gid, bob, expiresInHours=1)
    inv_c = invite(owner, gid, carol, expiresInHours=1)
    past = 1000  # ms since the epoch: long gone
    db_exec(server, f"UPDATE invitations SET expires_at = {past} WHERE id IN ({inv['id']}, {inv_c['id']})")
    assert bob.get(f"{API}/me/invitations").json()["items"] == []
    listed = {i["id"]: i["status"] for i in owner.get(f"{API}/groups/{gid}/invitations").json()["items"]}
    assert listed[inv["id"]] == "expired"
    problem(bob.post(f"{API}/invitations/{inv['id']}/accept"), 410, "invitation_expired")
    problem(bob.post(f"{API}/invitations/{inv['id']}/accept"), 410, "invitation_expired")
    problem(bob.post(f"{API}/invitations/{inv['id']}/decline"), 410, "invitation_expired")
    problem(bob.get(f"{API}/groups/{gid}"), 404, "not_found")
    # An expired invitation does not block a new one.
    fresh = invite(owner, gid, carol)
    assert carol.post(f"{API}/invitations/{fresh['id']}/accept").status_code == 200
    problem(carol.post(f"{API}/invitations/{inv_c['id']}/accept"), 410, "invitation_expired")


def test_invitation_by_email_reaches_someone_who_registers_later(server):
    owner = server.user()
    g = new_group(owner)
    address = unique("later") + "@example.test"
    r = owner.post(f"{API}/groups/{g['id']}/invitations", json={"email": address.upper()})
    assert r.status_code == 201, r.text
    inv = r.json()
    assert inv["email"] == address and inv["invitee"] is None and inv["status"] == "pending"
    msg = server.wait_mail(address, "join")[-1]
    assert "/invitations" in msg.get_body(preferencelist=("plain",)).get_content()
    problem(owner.post(f"{API}/groups/{g['id']}/invitations", json={"email": address}), 409, "already_invited")
    # A second group's invitation to the same address, revoked before they sign up: it
    # must never reach them.
    g2 = new_group(owner)
    revoked = owner.post(f"{API}/groups/{g2['id']}/invitations", json={"email": address}).json()
    assert owner.delete(f"{API}/invitations/{revoked['id']}").status_code == 204

    # Registered but not verified: not theirs yet.
    username = unique("later")
    server.register(username=username, email=address)
    c = server.login(username)
    assert c.get(f"{API}/me/invitations").json()["items"] == []
    problem(c.post(f"{API}/invitations/{inv['id']}/accept"), 404, "not_found")
    # Once verified, the email invitation is theirs: a username invitation would duplicate it.
    token = server.link_token(address, "/verify-email")
    assert server.client().post(f"{API}/auth/verify-email", json={"token": token}).status_code == 200
    c.user = c.get(f"{API}/me").json()
    mine = c.get(f"{API}/me/invitations").json()["items"]
    assert [i["id"] for i in mine] == [inv["id"]]
    # …and it appears in the app as a GROUP_INVITATION, without a second email.
    (note,) = notifications(c, "GROUP_INVITATION")
    assert note["data"] == {"invitationId": inv["id"], "groupId": g["id"]} and g["name"] in note["message"]
    assert note["read"] is False
    time.sleep(0.5)  # the mail sender polls; a second invitation mail would be there by now
    assert len([m for m in server.mails(address) if "join" in str(m["Subject"]).lower()]) == 2  # g and g2, once each
    assert mine[0]["invitee"]["id"] == c.id and mine[0]["email"] == address
    problem(owner.post(f"{API}/groups/{g['id']}/invitations", json={"username": username}), 409, "already_invited")
    r = c.post(f"{API}/invitations/{inv['id']}/accept")
    assert r.status_code == 200 and r.json()["myRole"] == "member"
    listed = owner.get(f"{API}/groups/{g['id']}/invitations").json()["items"]
    assert listed[0]["status"] == "accepted" and listed[0]["invitee"]["id"] == c.id


def test_invitation_by_email_to_an_existing_account(server):
    owner, bob = server.user(), server.user()
    gid = new_group(owner)["id"]
    inv = invite(owner, gid, email=bob.user["email"])
    assert inv["invitee"]["id"] == bob.id and inv["email"] == bob.user["email"]
    problem(owner.post(f"{API}/groups/{gid}/invitations", json={"username": bob.username}), 409, "already_invited")
    assert bob.get(f"{API}/notifications").json()["items"][0]["data"]["invitationId"] == inv["id"]
    join_r = bob.post(f"{API}/invitations/{inv['id']}/accept")
    assert join_r.status_code == 200
    problem(owner.post(f"{API}/groups/{gid}/invitations", json={"email": bob.user["email"]}), 409,
            "already_member")


def test_accepting_exactly_once_under_parallel_requests(server):
    owner, bob = server.user(), server.user()
    gid = new_group(owner)["id"]
    inv = invite(owner, gid, bob)
    barrier = threading.Barrier(8)
    results = []
    lock = threading.Lock()

    def accept():
        c = server.client(bob.token)
        barrier.wait()
        r = c.post(f"{API}/invitations/{inv['id']}/accept")
        with lock:
            results.append((r.status_code, r.json().get("code")))

    threads = [threading.Thread(target=accept) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(s for s, _ in results) == [200] + [409] * 7, results
    assert all(code == "invitation_not_pending" for s, code in results if s == 409), results
    assert owner.get(f"{API}/groups/{gid}").json()["memberCount"] == 2
    assert len(owner.get(f"{API}/groups/{gid}/members").json()["items"]) == 2


def test_at_most_one_pending_invitation_under_parallel_invites(server):
    owner, bob = server.user(), server.user()
    gid = new_group(owner)["id"]
    address = unique("para") + "@example.test"
    for body in ({"username": bob.username}, {"email": address}):
        barrier = threading.Barrier(8)
        results = []
        lock = threading.Lock()

        def send():
            c = server.client(owner.token)
            barrier.wait()
            r = c.post(f"{API}/groups/{gid}/invitations", json=body)
            with lock:
                results.append((r.status_code, r.json().get("code")))

        threads = [threading.Thread(target=send) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(s for s, _ in results) == [201] + [409] * 7, results
        assert all(code == "already_invited" for s, code in results if s == 409), results
    items = owner.get(f"{API}/groups/{gid}/invitations").json()["items"]
    assert len(items) == 2 and all(i["status"] == "pending" for i in items)


def test_invitation_lists_paginate_newest_first(server):
    owner, admin = server.user(), server.user()
    gid = new_group(owner)["id"]
    join(owner, gid, admin, role="admin")
    invitees = [server.user() for _ in range(5)]
    made = [invite(admin, gid, u)["id"] for u in invitees]
    items, pages = collect(owner, f"{API}/groups/{gid}/invitations", 2)
    ids = [i["id"] for i in items]
    assert ids[:5] == list(reversed(made)) and pages == 3  # the admin's own accepted one is last
    assert items[-1]["status"] == "accepted"
    problem(owner.get(f"{API}/groups/{gid}/invitations", params={"cursor": "Zm9v"}), 400, "bad_request")
    # /me/invitations across groups, newest first.
    bob = invitees[0]
    others = []
    for _ in range(2):
        o = server.user()
        others.append(invite(o, new_group(o)["id"], bob)["id"])
    mine, pages = collect(bob, f"{API}/me/invitations", 1)
    assert [i["id"] for i in mine] == list(reversed(others)) + [made[0]] and pages == 3
