"""docs/product.md §3, §4, §5, §8: forgot password by username, the lockout's end, group
transfer, account deletion, one-click unsubscribe and deadline reminders."""
import concurrent.futures
import datetime
import re
import subprocess
import time

import pytest
import requests

from conftest import BACKEND, PASSWORD, field_error, problem, unique
from event_helpers import API, advance, iso, make_event, make_group, notifications, png, submit, wait_for
from test_mail import SmtpServer, free_port


def rows(server, statement):
    """The rows of one query on the server's own database, as tuples of strings."""
    if server.db_url.startswith("sqlite:"):
        import sqlite3
        con = sqlite3.connect(server.db_url[len("sqlite:"):], timeout=10)
        try:
            return [tuple("" if v is None else str(v) for v in r) for r in con.execute(statement).fetchall()]
        finally:
            con.close()
    out = subprocess.run(["/usr/bin/psql", server.db_url, "-v", "ON_ERROR_STOP=1", "-AtF", "\t", "-c", statement],
                         check=True, capture_output=True, text=True).stdout
    return [tuple(line.split("\t")) for line in out.splitlines() if line]


def parse_time(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


# --- forgot password by username ------------------------------------------------------------

def test_reset_by_username_mails_the_accounts_address(server):
    u = server.register()
    c = server.client()
    r = c.post(f"{API}/auth/password-reset/request", json={"login": u["username"].upper()})
    assert r.status_code == 202 and r.json() == {"status": "accepted"}
    token = server.link_token(u["email"], "/reset-password", "reset")
    assert c.post(f"{API}/auth/password-reset/confirm",
                  json={"token": token, "password": "a new password here"}).status_code == 204
    assert c.post(f"{API}/auth/login", json={"login": u["username"], "password": "a new password here"}).ok


def test_reset_by_login_with_an_email_and_by_the_old_field(server):
    u = server.register()
    c = server.client()
    assert c.post(f"{API}/auth/password-reset/request", json={"login": u["email"]}).status_code == 202
    assert c.post(f"{API}/auth/password-reset/request", json={"email": u["email"]}).status_code == 202
    assert len(server.wait_mail(u["email"], "reset", count=2)) == 2


def test_reset_answers_the_same_for_unknown_names(server):
    c = server.client()
    for login in [unique("nobody"), "x", "no such name!", unique("nobody") + "@example.test"]:
        r = c.post(f"{API}/auth/password-reset/request", json={"login": login})
        assert r.status_code == 202 and r.json() == {"status": "accepted"}, (login, r.text)
    field_error(c.post(f"{API}/auth/password-reset/request", json={"login": "a@b"}), "login", "invalid")
    problem(c.post(f"{API}/auth/password-reset/request", json={}), 400, "bad_request")


def test_reset_by_username_goes_out_over_smtp(make_server, tmp_path):
    port = free_port()
    smtp = SmtpServer(tmp_path / "maildir", port)
    try:
        srv = make_server("--rate-limits", "off", "--smtp-url", f"smtp://127.0.0.1:{port}")
        u = srv.register()
        time.sleep(0.5)
        before = len(smtp.messages())
        assert srv.client().post(f"{API}/auth/password-reset/request",
                                 json={"login": u["username"]}).status_code == 202

        def reset_mail():
            return [m for m in smtp.messages()
                    if "reset" in str(m["Subject"]).lower() and u["email"] in str(m["To"])]
        found = wait_for(reset_mail, timeout=15)
        assert len(found) == 1 and len(smtp.messages()) == before + 1
        assert "/reset-password?token=" in found[0].get_payload(decode=True).decode()
        assert found[0]["List-Unsubscribe"] is None  # account mail carries none
    finally:
        smtp.stop()


# --- lockout ----------------------------------------------------------------------------------

def test_a_locked_login_says_until_when(make_server):
    srv = make_server("--rate-limits", "off", "--lockout-attempts", "2", "--lockout-seconds", "600")
    u = srv.register()
    c = srv.client()
    for _ in range(2):
        problem(c.post(f"{API}/auth/login", json={"login": u["username"], "password": "wrong password!"}), 401,
                "invalid_credentials")
    started = datetime.datetime.now(datetime.timezone.utc)
    r = c.post(f"{API}/auth/login", json={"login": u["username"], "password": PASSWORD})
    body = problem(r, 423, "account_locked")
    m = re.search(r"locked until (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z)\.", body["detail"])
    assert m, body
    until = parse_time(m.group(1))
    assert 590 <= (until - started).total_seconds() <= 610, body
    assert 590 <= int(r.headers["Retry-After"]) <= 600


# --- group transfer ---------------------------------------------------------------------------

def test_transfer_makes_the_member_owner_and_the_owner_admin(server):
    owner, admin, member, outsider = (server.user() for _ in range(4))
    gid = make_group(server, owner, members=[member], admins=[admin])
    r = owner.post(f"{API}/groups/{gid}/transfer", json={"userId": member.id})
    assert r.status_code == 200, r.text
    g = r.json()
    assert g["myRole"] == "admin" and g["owner"]["id"] == member.id
    roles = {m["user"]["id"]: m["role"] for m in member.get(f"{API}/groups/{gid}/members").json()["items"]}
    assert roles == {owner.id: "admin", admin.id: "admin", member.id: "owner"}
    assert member.get(f"{API}/groups/{gid}").json()["myRole"] == "owner"
    # The old owner is an admin now: no longer allowed; the new owner is.
    problem(owner.post(f"{API}/groups/{gid}/transfer", json={"userId": owner.id}), 403, "forbidden")
    assert member.post(f"{API}/groups/{gid}/transfer", json={"userId": owner.id}).status_code == 200
    assert owner.get(f"{API}/groups/{gid}").json()["myRole"] == "owner"


def test_transfer_refusals(server):
    owner, admin, member, outsider = (server.user() for _ in range(4))
    gid = make_group(server, owner, members=[member], admins=[admin])
    problem(admin.post(f"{API}/groups/{gid}/transfer", json={"userId": member.id}), 403, "forbidden")
    problem(member.post(f"{API}/groups/{gid}/transfer", json={"userId": member.id}), 403, "forbidden")
    problem(outsider.post(f"{API}/groups/{gid}/transfer", json={"userId": outsider.id}), 404, "not_found")
    problem(server.client().post(f"{API}/groups/{gid}/transfer", json={"userId": member.id}), 401,
            "unauthenticated")
    field_error(owner.post(f"{API}/groups/{gid}/transfer", json={"userId": outsider.id}), "userId", "invalid")
    field_error(owner.post(f"{API}/groups/{gid}/transfer", json={"userId": owner.id}), "userId", "invalid")
    field_error(owner.post(f"{API}/groups/{gid}/transfer", json={"userId": "nope"}), "userId", "invalid")
    problem(owner.post(f"{API}/groups/{gid}/transfer", json={}), 400, "bad_request")
    problem(owner.post(f"{API}/groups/999999999/transfer", json={"userId": member.id}), 404, "not_found")
    assert owner.get(f"{API}/groups/{gid}").json()["myRole"] == "owner"


def test_parallel_transfers_leave_one_owner(server):
    owner = server.user()
    members = [server.user() for _ in range(6)]
    gid = make_group(server, owner, members=members)

    def transfer(m):
        return owner.post(f"{API}/groups/{gid}/transfer", json={"userId": m.id}).status_code

    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        codes = list(ex.map(transfer, members))
    assert sorted(codes) == [200] + [403] * 5, codes
    items = owner.get(f"{API}/groups/{gid}/members").json()["items"]
    owners = [m["user"]["id"] for m in items if m["role"] == "owner"]
    winner = members[codes.index(200)]
    assert owners == [winner.id]
    assert owner.get(f"{API}/groups/{gid}").json()["owner"]["id"] == winner.id
    assert [m["role"] for m in items if m["user"]["id"] == owner.id] == ["admin"]


# --- unsubscribe ------------------------------------------------------------------------------

def unsubscribe_url(msg):
    value = str(msg["List-Unsubscribe"])
    assert value.startswith("<") and value.endswith(">"), value
    return value[1:-1]


def test_notification_mail_carries_one_click_unsubscribe(server):
    owner = server.user()
    invitee = server.user()
    gid = make_group(server, owner)
    r = owner.post(f"{API}/groups/{gid}/invitations", json={"username": invitee.username})
    assert r.status_code == 201
    msg = server.wait_mail(invitee.user["email"], "invited")[-1]
    url = unsubscribe_url(msg)
    assert url.startswith(server.url + "/api/v1/unsubscribe?token=") or "/api/v1/unsubscribe?token=" in url
    assert str(msg["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    body = msg.get_body(preferencelist=("plain",)).get_content()
    token = url.split("token=", 1)[1]
    assert "/unsubscribe?token=" + token in body
    # Account mail (verification) carries none.
    verify = server.wait_mail(invitee.user["email"], "verify")[0]
    assert verify["List-Unsubscribe"] is None and verify["List-Unsubscribe-Post"] is None

    # The one-click POST: no session, no CSRF token, a form body as mail clients send it.
    r = requests.post(server.url + f"{API}/unsubscribe", params={"token": token},
                      data="List-Unsubscribe=One-Click",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    assert r.json() == {"type": "GROUP_INVITATION", "email": False}
    assert invitee.get(f"{API}/me/notification-settings").json()["email"]["GROUP_INVITATION"] is False
    assert invitee.get(f"{API}/me/notification-settings").json()["email"]["NEW_MATCH"] is True
    # Again: still 200, nothing more mailed of that type.
    assert requests.post(server.url + f"{API}/unsubscribe", params={"token": token}).status_code == 200
    other = server.user()
    gid2 = make_group(server, other)
    before = len(server.mails(invitee.user["email"]))
    assert other.post(f"{API}/groups/{gid2}/invitations", json={"username": invitee.username}).status_code == 201
    assert wait_for(lambda: notifications(invitee, "GROUP_INVITATION")[0]["data"]["groupId"] == gid2)
    time.sleep(1)
    assert len(server.mails(invitee.user["email"])) == before


def test_a_forged_or_altered_token_is_refused(server):
    owner = server.user()
    invitee = server.user()
    gid = make_group(server, owner)
    assert owner.post(f"{API}/groups/{gid}/invitations", json={"username": invitee.username}).status_code == 201
    token = unsubscribe_url(server.wait_mail(invitee.user["email"], "invited")[-1]).split("token=", 1)[1]
    uid, type_, mac = token.split(".")
    forged = [
        f"{owner.id}.{type_}.{mac}",           # another user
        f"{uid}.NEW_MATCH.{mac}",              # another type
        f"{uid}.{type_}.{mac[:-2]}AA",         # another MAC
        f"{uid}.{type_}.",
        "garbage",
        "",
    ]
    for t in forged:
        problem(requests.post(server.url + f"{API}/unsubscribe", params={"token": t}), 400, "invalid_token")
    problem(requests.post(server.url + f"{API}/unsubscribe"), 400, "invalid_token")
    assert invitee.get(f"{API}/me/notification-settings").json()["email"]["GROUP_INVITATION"] is True
    assert owner.get(f"{API}/me/notification-settings").json()["email"]["GROUP_INVITATION"] is True


def test_mail_to_an_address_without_account_names_the_time_zone(server):
    owner = server.user()
    gid = make_group(server, owner)
    address = unique("stranger") + "@example.test"
    assert owner.post(f"{API}/groups/{gid}/invitations", json={"email": address}).status_code == 201
    body = server.wait_mail(address, "invited")[-1].get_body(preferencelist=("plain",)).get_content()
    assert re.search(r"expires on \w+day \d{1,2} \w+ \d{4}, \d{2}:\d{2} UTC\.", body), body


def test_group_wide_mail_is_signed_per_recipient(server):
    owner = server.user()
    members = [server.user() for _ in range(2)]
    gid = make_group(server, owner, members=members)
    for c in [owner, *members]:
        assert c.patch(f"{API}/me/notification-settings", json={"email": {"EVENT_STATUS_UPDATE": True}}).ok
    ev = make_event(owner, gid)
    tokens = set()
    for c in members:
        msg = server.wait_mail(c.user["email"], ev["name"])[-1]
        token = unsubscribe_url(msg).split("token=", 1)[1]
        assert token.startswith(f"{c.id}.EVENT_STATUS_UPDATE.")
        tokens.add(token)
    assert len(tokens) == 2


# --- deadline reminders -----------------------------------------------------------------------

def reminder_servers(make_server):
    a = make_server("--rate-limits", "off")
    if BACKEND != "postgres":
        return a, [a]
    b = make_server("--rate-limits", "off", db_url=a.db_url, workdir=a.workdir)
    return a, [a, b]


def test_deadline_reminders_once_per_user_event_and_phase(make_server):
    a, servers = reminder_servers(make_server)
    owner, voter, artist, idle = (a.user() for _ in range(4))
    gid = make_group(a, owner, members=[voter, artist, idle])
    # Voting ends within 24 hours of starting: the reminder is due as soon as it starts.
    ev = make_event(owner, gid, votingStartsAt=iso(3), matchingStartsAt=iso(6 * 3600), endsAt=iso(12 * 3600),
                    votesPerMember=1)
    eid = ev["id"]
    art_a = submit(artist, eid, png())
    art_i = submit(idle, eid, png(rgb=(1, 2, 3)))
    assert wait_for(lambda: owner.get(f"{API}/events/{eid}").json()["phase"] == "VOTING", timeout=15)
    # `voter` spends the one vote quickly; a reminder may have gone first (the vote was left then).
    voted = voter.put(f"{API}/artworks/{art_a['id']}/vote")
    assert voted.status_code == 200
    # Every member with votes left gets exactly one, whichever process sends it.
    for c in [owner, artist, idle]:
        assert wait_for(lambda c=c: notifications(c, "DEADLINE_REMINDER"), timeout=15), c.username
    time.sleep(1.5)  # several passes of both processes
    for c in [owner, artist, idle]:
        got = notifications(c, "DEADLINE_REMINDER")
        assert len(got) == 1, got
        assert got[0]["data"] == {"eventId": eid, "phase": "VOTING", "endsAt": ev["matchingStartsAt"]}
    assert len(notifications(voter, "DEADLINE_REMINDER")) <= 1
    # Emailed by default, with the time written for people, time zone named.
    mail = [m for m in a.wait_mail(idle.user["email"], "voting in") if m["List-Unsubscribe"] is not None]
    assert mail and "UTC" in str(mail[-1]["Subject"])

    # MATCHING: participants who liked nothing get one; one who liked gets none.
    advance(owner, eid, "MATCHING")
    assert artist.put(f"{API}/artworks/{art_i['id']}/like", json={}).status_code == 200
    assert wait_for(lambda: [n for n in notifications(idle, "DEADLINE_REMINDER")
                             if n["data"]["phase"] == "MATCHING"], timeout=15)
    time.sleep(1.5)
    got = [n for n in notifications(idle, "DEADLINE_REMINDER") if n["data"]["phase"] == "MATCHING"]
    assert len(got) == 1 and got[0]["data"]["endsAt"] == ev["endsAt"]
    # Not participants (no artwork): the owner and the voter get no MATCHING reminder.
    for c in [owner, voter]:
        assert not [n for n in notifications(c, "DEADLINE_REMINDER") if n["data"]["phase"] == "MATCHING"]
    claims = rows(a, f"SELECT user_id, kind, COUNT(*) FROM reminders_sent WHERE subject_id = {eid} "
                     "AND kind LIKE 'DEADLINE_REMINDER:%' GROUP BY user_id, kind HAVING COUNT(*) > 1")
    assert claims == []


def test_no_reminder_before_the_last_24_hours(server):
    owner, member = server.user(), server.user()
    gid = make_group(server, owner, members=[member])
    ev = make_event(owner, gid, matchingStartsAt=iso(3 * 24 * 3600))
    advance(owner, ev["id"], "VOTING")
    time.sleep(1)
    assert notifications(member, "DEADLINE_REMINDER") == []


# --- account deletion -------------------------------------------------------------------------

def test_delete_account_refusals(server):
    owner, member = server.user(), server.user()
    gid = make_group(server, owner, members=[member])
    problem(owner.delete(f"{API}/me", json={"password": "wrong password!"}), 403, "wrong_password")
    problem(owner.delete(f"{API}/me", json={"password": PASSWORD}), 409, "owner_must_transfer")
    problem(owner.delete(f"{API}/me", json={}), 400, "bad_request")
    problem(server.client().delete(f"{API}/me", json={"password": PASSWORD}), 401, "unauthenticated")
    assert owner.get(f"{API}/me").status_code == 200
    assert owner.post(f"{API}/groups/{gid}/transfer", json={"userId": member.id}).status_code == 200
    assert owner.delete(f"{API}/me", json={"password": PASSWORD}).status_code == 204


def test_delete_account_leaves_only_what_product_md_keeps(server):
    leaver, owner, partner, voter = (server.user() for _ in range(4))
    gid = make_group(server, owner, members=[leaver, partner, voter])
    other_gid = make_group(server, owner, members=[leaver])
    # An event in VOTING: the leaver's vote is withdrawn (count and budget right again).
    voting = make_event(owner, gid, votesPerMember=2)["id"]
    target = submit(partner, voting, png())
    leaver_voting_art = submit(leaver, voting, png(rgb=(9, 9, 9)))
    advance(owner, voting, "VOTING")
    assert leaver.put(f"{API}/artworks/{target['id']}/vote").status_code == 200
    assert voter.put(f"{API}/artworks/{leaver_voting_art['id']}/vote").json()["votesRemaining"] == 1
    # An event in MATCHING → CLOSED with a match between leaver and partner.
    matching = make_event(owner, gid)["id"]
    p_art = submit(partner, matching, png(rgb=(10, 20, 30)))
    l_art = submit(leaver, matching, png(rgb=(30, 20, 10)))
    advance(owner, matching, "VOTING")
    assert voter.put(f"{API}/artworks/{l_art['id']}/vote").status_code == 200
    advance(owner, matching, "MATCHING")
    assert partner.put(f"{API}/artworks/{l_art['id']}/like", json={"rank": 1}).status_code == 200
    assert leaver.put(f"{API}/artworks/{p_art['id']}/like", json={"rank": 1}).status_code == 200
    advance(owner, matching, "CLOSED")
    match = partner.get(f"{API}/events/{matching}/matches").json()["items"][0]
    assert match["status"] == "PENDING"
    # A second session and a pending invitation.
    second = server.login(leaver.username)
    third_gid = make_group(server, partner)
    assert partner.post(f"{API}/groups/{third_gid}/invitations", json={"username": leaver.username}).ok
    unsubscribe_token = unsubscribe_url(server.wait_mail(leaver.user["email"], "invited")[-1]).split("token=", 1)[1]
    members_before = owner.get(f"{API}/groups/{gid}").json()["memberCount"]

    r = leaver.delete(f"{API}/me", json={"password": PASSWORD})
    assert r.status_code == 204, r.text
    # Every session ends.
    problem(leaver.get(f"{API}/me"), 401, "unauthenticated")
    problem(second.get(f"{API}/me"), 401, "unauthenticated")
    problem(server.client().post(f"{API}/auth/login", json={"login": leaver.username, "password": PASSWORD}), 401,
            "invalid_credentials")
    # Username and email are free again.
    again = server.register(username=leaver.username, email=leaver.user["email"])
    assert again["id"] != leaver.id
    # Memberships gone, counts right.
    assert owner.get(f"{API}/groups/{gid}").json()["memberCount"] == members_before - 1
    assert owner.get(f"{API}/groups/{other_gid}").json()["memberCount"] == 1
    ids = [m["user"]["id"] for m in owner.get(f"{API}/groups/{gid}/members").json()["items"]]
    assert leaver.id not in ids
    # Artworks gone; the voter's vote on one came back to the budget.
    problem(owner.get(f"{API}/artworks/{leaver_voting_art['id']}"), 404, "not_found")
    problem(owner.get(f"{API}/artworks/{l_art['id']}"), 404, "not_found")
    assert voter.get(f"{API}/events/{voting}").json()["myVotesRemaining"] == 2
    # The leaver's vote in VOTING is withdrawn: the count is right once published.
    advance(owner, voting, "MATCHING")
    assert owner.get(f"{API}/artworks/{target['id']}").json()["voteCount"] == 0
    # The partner was told (MATCH_UPDATE) and the match is gone with the artwork.
    updates = [n for n in notifications(partner, "MATCH_UPDATE") if n["data"]["matchId"] == match["id"]]
    assert updates and "declined" in updates[0]["message"]
    assert partner.get(f"{API}/events/{matching}/matches").json()["items"] == []
    # What is left of the person in the database: the anonymised user row only.
    uid = leaver.id
    user_row = rows(server, f"SELECT username, email, display_name, bio, password_hash FROM users WHERE id = {uid}")
    assert user_row == [(f"deleted-{uid}", f"deleted-{uid}", "Deleted user", "", "")]
    for table, column in [("sessions", "user_id"), ("account_tokens", "user_id"), ("notifications", "user_id"),
                          ("notification_settings", "user_id"), ("memberships", "user_id"),
                          ("invitations", "invitee_id"), ("artworks", "artist_id"), ("likes", "liker_id"),
                          ("match_participants", "user_id"), ("reminders_sent", "user_id")]:
        assert rows(server, f"SELECT COUNT(*) FROM {table} WHERE {column} = {uid}") == [("0",)], table
    # Votes only in events past VOTING (their counts are published and stay).
    assert rows(server, f"SELECT COUNT(*) FROM votes v JOIN events e ON e.id = v.event_id "
                        f"WHERE v.voter_id = {uid} AND e.phase IN ('OPEN', 'VOTING')") == [("0",)]
    # The unsubscribe links the person was sent no longer work.
    problem(requests.post(server.url + f"{API}/unsubscribe", params={"token": unsubscribe_token}), 400,
            "invalid_token")
    # Nobody can invite the anonymised account.
    r = owner.post(f"{API}/groups/{gid}/invitations", json={"username": f"deleted-{uid}"})
    assert r.status_code in (404, 422), r.text
    # The public profile says "Deleted user".
    r = owner.get(f"{API}/users/deleted-{uid}")
    assert r.status_code == 200 and r.json()["displayName"] == "Deleted user"


# --- export -----------------------------------------------------------------------------------

def test_export_is_a_zip_of_the_persons_data_and_original_images(server):
    import io
    import json
    import zipfile
    me, owner, other = server.user(), server.user(), server.user()
    gid = make_group(server, owner, members=[me, other])
    ev = make_event(owner, gid, votesPerMember=2)["id"]
    mine = [submit(me, ev, png(rgb=(5, 6, 7)), title="First")]
    theirs = submit(other, ev, png(rgb=(70, 80, 90)))
    advance(owner, ev, "VOTING")
    assert me.put(f"{API}/artworks/{theirs['id']}/vote").status_code == 200
    advance(owner, ev, "MATCHING")
    assert me.put(f"{API}/artworks/{theirs['id']}/like", json={"rank": 2}).status_code == 200
    assert other.put(f"{API}/artworks/{mine[0]['id']}/like", json={}).status_code == 200
    advance(owner, ev, "CLOSED")
    assert me.patch(f"{API}/me/notification-settings", json={"email": {"NEW_MATCH": False}}).ok

    r = me.get(f"{API}/me/export")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/zip"
    assert "attachment" in r.headers["Content-Disposition"]
    z = zipfile.ZipFile(io.BytesIO(r.content))
    assert z.testzip() is None
    data = json.loads(z.read("data.json"))
    assert data["account"]["id"] == me.id and data["account"]["username"] == me.username
    assert [(m["groupId"], m["role"]) for m in data["memberships"]] == [(gid, "member")]
    assert [a["id"] for a in data["artworks"]] == [a["id"] for a in mine]
    assert data["artworks"][0]["title"] == "First" and data["artworks"][0]["voteCount"] == 0
    assert [(v["artworkId"], v["eventId"]) for v in data["votes"]] == [(theirs["id"], ev)]
    assert [(like["artworkId"], like["rank"]) for like in data["likes"]] == [(theirs["id"], 2)]
    assert len(data["matches"]) == 1 and data["matches"][0]["partnerId"] == other.id
    assert data["emailSettings"]["NEW_MATCH"] is False and data["emailSettings"]["GROUP_INVITATION"] is True
    types = {n["type"] for n in data["notifications"]}
    assert {"GROUP_INVITATION", "EVENT_STATUS_UPDATE", "NEW_MATCH"} <= types, types
    # Every original image, byte for byte as the server serves it.
    for a in data["artworks"]:
        original = me.get(f"{API}/artworks/{a['id']}/image").content
        assert z.read(a["imageFile"]) == original
    assert sorted(z.namelist()) == sorted(["data.json"] + [a["imageFile"] for a in data["artworks"]])
    # Nobody else's data: the other artist's artwork is not in it.
    assert theirs["id"] not in [a["id"] for a in data["artworks"]]
    problem(server.client().get(f"{API}/me/export"), 401, "unauthenticated")


def test_export_of_a_new_account(server):
    import io
    import json
    import zipfile
    me = server.user()
    z = zipfile.ZipFile(io.BytesIO(me.get(f"{API}/me/export").content))
    data = json.loads(z.read("data.json"))
    assert data["artworks"] == [] and data["memberships"] == [] and data["matches"] == []
    assert z.namelist() == ["data.json"]


def test_deleting_the_account_ends_every_stream(server):
    from test_hostile_streams import login, open_stream, read_to_eof
    leaver = server.user()
    other = login(server, leaver)
    streams = [open_stream(server, leaver.token)[0], open_stream(server, other.token)[0]]
    try:
        assert leaver.delete(f"{API}/me", json={"password": PASSWORD}).status_code == 204
        for s in streams:
            read_to_eof(s)
    finally:
        for s in streams:
            s.close()


# --- trades and image files of a deleted account ----------------------------------------------

# The image collector runs every second; a file is collected once 2 s old and unreferenced
# (not 0 s: a temp file being written would count as old, and an upload's Put could lose it).
COLLECT = ("--rate-limits", "off", "--image-collect-interval-s", "1", "--image-collect-grace-s", "2")


_shades = iter(range(1, 60000))


def unique_png(width, height):
    """A PNG no other upload of this run has (its files are its own)."""
    n = next(_shades)
    return png(width, height, (n % 256, (n // 256) % 256, 123))


def image_path(server, key):
    return server.data_dir / "images" / key[:2] / key[2:4] / key


def stored(server, key):
    """Whether the image is stored: a file of the data dir (--images dir, SQLite's default)
    or a blob of the database (--images db, PostgreSQL's default)."""
    if server.db_url.startswith("sqlite:"):
        return image_path(server, key).is_file()
    return rows(server, f"SELECT COUNT(*) FROM image_blobs WHERE key = '{key}'") == [("1",)]


def served_keys(client, urls):
    """The stored keys (ETags, checked against the bytes) of images served at `urls`."""
    import hashlib
    keys = []
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, (url, r.text)
        key = r.headers["ETag"].strip('"')
        assert hashlib.sha256(r.content).hexdigest() == key
        keys.append(key)
    return keys


def match_of(client, event_id, match_id):
    return next((m for m in client.get(f"{API}/events/{event_id}/matches").json()["items"] if m["id"] == match_id),
                None)


def delivery_keys(client, event_id, match_id):
    m = match_of(client, event_id, match_id)
    urls = [p["delivery"][k] for p in m["participants"] if p["delivery"] for k in ("imageUrl", "thumbnailUrl")]
    return served_keys(client, urls)


def test_deleting_the_account_takes_its_matches_messages_deliveries_and_files(make_server):
    from event_helpers import Community
    from test_trades import closed_event_with_matches, must_act, must_deliver, must_post
    srv = make_server(*COLLECT)
    com = Community(srv, members=4)
    leaver, partner, c, d = com.members
    # An ACCEPTED match (the deletion declines it) beside another couple's, and a COMPLETED one
    # (it goes with the leaver's artwork): both artists posted and delivered in each.
    ev, ms = closed_event_with_matches(com, [(leaver, partner), (c, d)])
    open_m, others_m = ms[frozenset((leaver.username, partner.username))], ms[frozenset((c.username, d.username))]
    done_ev, done = closed_event_with_matches(com, [(leaver, c)])
    done_m = next(iter(done.values()))
    for x, y, m in ((leaver, partner, open_m), (c, d, others_m), (leaver, c, done_m)):
        must_act(x, m["id"], "accept")
        must_act(y, m["id"], "accept")
        must_post(x, m["id"], f"hello from {x.username}")
        must_post(y, m["id"], f"hello from {y.username}")
        must_deliver(x, m["id"], unique_png(300, 21))
        must_deliver(y, m["id"], unique_png(301, 22))
    must_act(leaver, done_m["id"], "complete")
    must_act(c, done_m["id"], "complete")
    # An artwork larger than the display size: original, thumbnail and display rendition.
    big_ev = make_event(com.owner, com.gid)["id"]
    big = submit(leaver, big_ev, unique_png(2000, 600))
    assert big["displayUrl"] != big["imageUrl"] and big["displayWidth"] == 1600
    art_keys = served_keys(leaver, [f"{API}/artworks/{big['id']}/{k}" for k in ("image", "thumbnail", "display")])
    taken = delivery_keys(leaver, ev["id"], open_m["id"]) + delivery_keys(leaver, done_ev["id"], done_m["id"]) \
        + art_keys
    kept = delivery_keys(c, ev["id"], others_m["id"])
    assert len(set(taken)) == 11 and len(set(kept)) == 4 and not set(taken) & set(kept)
    assert all(stored(srv, k) for k in taken + kept)

    assert leaver.delete(f"{API}/me", json={"password": PASSWORD}).status_code == 204
    uid = leaver.id
    # Both matches went with the leaver's artworks, with every message and delivery in them
    # (the partners' too); the partner of the open one was told, the COMPLETED one leaves the
    # trade gallery.
    for who, e, m in ((partner, ev, open_m), (c, done_ev, done_m)):
        assert match_of(who, e["id"], m["id"]) is None
        problem(who.get(f"{API}/matches/{m['id']}/messages"), 404, "not_found")
    assert any(n["data"]["matchId"] == open_m["id"] and "declined" in n["message"]
               for n in notifications(partner, "MATCH_UPDATE"))
    assert c.get(f"{API}/events/{done_ev['id']}/trades").json()["items"] == []
    for table, where in [("match_messages", f"author_id = {uid}"), ("match_deliveries", f"user_id = {uid}"),
                         ("match_message_mail", f"user_id = {uid}"),
                         ("match_messages", f"match_id IN ({open_m['id']}, {done_m['id']})"),
                         ("match_deliveries", f"match_id IN ({open_m['id']}, {done_m['id']})"),
                         ("artworks", f"artist_id = {uid}")]:
        assert rows(srv, f"SELECT COUNT(*) FROM {table} WHERE {where}") == [("0",)], (table, where)
    # Nobody else's trade changed.
    got = match_of(c, ev["id"], others_m["id"])
    assert got["status"] == "ACCEPTED" and all(p["delivery"] for p in got["participants"])
    assert len(c.get(f"{API}/matches/{others_m['id']}/messages").json()["items"]) == 2
    # Every file of the deleted artworks (display rendition included) and deliveries is
    # collected; the others' stay.
    assert wait_for(lambda: not any(stored(srv, k) for k in taken), timeout=15), \
        [k for k in taken if stored(srv, k)]
    assert all(stored(srv, k) for k in kept)
    assert delivery_keys(d, ev["id"], others_m["id"]) == kept


def test_export_has_the_persons_messages_deliveries_and_originals_only(server):
    import io
    import json
    import zipfile
    from event_helpers import Community
    from test_trades import closed_event_with_matches, must_act, must_deliver, must_post
    com = Community(server, members=2)
    me, partner = com.members
    ev, ms = closed_event_with_matches(com, [(me, partner)])
    m = next(iter(ms.values()))
    must_act(me, m["id"], "accept")
    must_act(partner, m["id"], "accept")
    sent = [must_post(me, m["id"], "first of mine"), must_post(me, m["id"], "second ✓ of mine")]
    must_post(partner, m["id"], "the partner's")
    mine = must_deliver(me, m["id"], unique_png(333, 17), title="For you")
    must_deliver(partner, m["id"], unique_png(334, 17), title="Theirs")
    big_ev = make_event(com.owner, com.gid)["id"]
    big = submit(me, big_ev, unique_png(1800, 600))
    assert big["displayUrl"] != big["imageUrl"]

    r = me.get(f"{API}/me/export")
    assert r.status_code == 200, r.text
    z = zipfile.ZipFile(io.BytesIO(r.content))
    data = json.loads(z.read("data.json"))
    assert [(x["id"], x["matchId"], x["text"]) for x in data["matchMessages"]] == \
        [(s["id"], m["id"], s["text"]) for s in sent]
    own = next(p for p in mine["participants"] if p["user"]["id"] == me.id)["delivery"]
    assert [(x["matchId"], x["title"], x["width"], x["height"]) for x in data["deliveries"]] == \
        [(m["id"], "For you", 333, 17)]
    assert own["imageUrl"].split("?")[0].endswith(f"/deliveries/{data['deliveries'][0]['id']}/image")
    assert z.read(data["deliveries"][0]["imageFile"]) == me.get(own["imageUrl"]).content
    assert [x["id"] for x in data["matches"]] == [m["id"]] and data["matches"][0]["completedAt"] is None
    # Artworks: the originals as stored, never the display rendition.
    display = me.get(f"{API}/artworks/{big['id']}/display").content
    for a in data["artworks"]:
        assert z.read(a["imageFile"]) == me.get(f"{API}/artworks/{a['id']}/image").content
    assert display not in [z.read(n) for n in z.namelist()]
    assert sorted(z.namelist()) == sorted(["data.json", data["deliveries"][0]["imageFile"]]
                                          + [a["imageFile"] for a in data["artworks"]])
    # The partner's export has only the partner's message and delivery.
    theirs = json.loads(zipfile.ZipFile(io.BytesIO(partner.get(f"{API}/me/export").content)).read("data.json"))
    assert [x["text"] for x in theirs["matchMessages"]] == ["the partner's"]
    assert [x["title"] for x in theirs["deliveries"]] == ["Theirs"]
