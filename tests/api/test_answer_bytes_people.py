"""The exact bytes of the account, group, invitation and event answers (issue 15).

These answers are written from one description per resource; clients (and caches of
bodies) see the same text as before: compact JSON, members in the documented order,
strings escaped as boost::json::serialize escapes them, null for absent values. Each
answer is compared with the text Python writes for the same values in that order
(json.dumps escapes exactly the same characters when ensure_ascii is off).
"""
import json

from conftest import PASSWORD, unique
from event_helpers import iso
from group_helpers import db_exec

API = "/api/v1"

PUBLIC_USER = ["id", "username", "displayName"]
USER = ["id", "username", "email", "emailVerified", "createdAt",
        {"profile": ["displayName", "bio", "portfolioUrl"]}]
USER_PROFILE = PUBLIC_USER + ["bio", "portfolioUrl"]
GROUP = ["id", "name", "description", "purpose", "createdAt", {"owner": PUBLIC_USER}, "memberCount", "myRole"]
MEMBER = [{"user": PUBLIC_USER}, "role", "joinedAt"]
INVITATION = ["id", {"group": ["id", "name"]}, {"invitee": PUBLIC_USER}, "email", {"invitedBy": PUBLIC_USER},
              "status", "createdAt", "expiresAt"]
EVENT = ["id", "groupId", "name", "description", "phase", "votingStartsAt", "matchingStartsAt", "endsAt",
         "votesPerMember", "maxArtworksPerMember", "artworkCount", "createdAt", "myVotesRemaining", "anonymousVoting",
         "tradesDueAt", "avoidRepeatPartners"]
LOGIN = ["token", "expiresAt", {"user": USER}]


def ordered(value, shape):
    """value with its members in the order `shape` lists (nested shapes in dicts)."""
    if value is None:
        return None
    out = {}
    for member in shape:
        if isinstance(member, dict):
            ((name, inner),) = member.items()
            out[name] = ordered(value[name], inner)
        else:
            out[member] = value[member]
    assert set(out) == set(value), f"members {sorted(value)} instead of {sorted(out)}"
    return out


def page_of(shape):
    return lambda body: {"items": [ordered(i, shape) for i in body["items"]], "nextCursor": body["nextCursor"]}


def exact(r, status, shape):
    """Asserts r's body is byte for byte the compact text of its values in `shape`'s order."""
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"] == "application/json", r.headers
    body = r.json()
    want = shape(body) if callable(shape) else ordered(body, shape)
    assert r.text == json.dumps(want, ensure_ascii=False, separators=(",", ":")), r.text
    return body


# Text that needs escaping, and text that must not be escaped (non-ASCII, '/', '<').
TRICKY = 'Ann "the \\ one" </b> Ærø ✓ 𝄞'


def test_account_answers_keep_their_bytes(server):
    name = unique("bytes")
    email = f"{name}@example.test"
    r = server.client().post(f"{API}/auth/register", json={"username": name, "email": email, "password": PASSWORD})
    user = exact(r, 201, USER)
    assert user["emailVerified"] is False and user["profile"]["portfolioUrl"] is None

    r = server.client().post(f"{API}/auth/resend-verification", json={"email": email})
    assert r.status_code == 202 and r.text == '{"status":"accepted"}', r.text
    token = server.link_token(email, "/verify-email")
    user = exact(server.client().post(f"{API}/auth/verify-email", json={"token": token}), 200, USER)
    assert user["emailVerified"] is True

    r = server.client().post(f"{API}/auth/login", json={"login": name, "password": PASSWORD})
    login = exact(r, 200, LOGIN)
    me = server.client(login["token"])
    exact(me.get(f"{API}/me"), 200, USER)

    r = me.patch(f"{API}/me", json={"displayName": TRICKY, "bio": "line one\nline\ttwo\r\nthree",
                                    "portfolioUrl": "https://example.test/a?b=c&d=%22"})
    user = exact(r, 200, USER)
    assert user["profile"]["displayName"] == TRICKY
    assert '"displayName":"Ann \\"the \\\\ one\\" </b> Ærø ✓ 𝄞"' in r.text
    assert '"bio":"line one\\nline\\ttwo\\r\\nthree"' in r.text
    exact(me.get(f"{API}/me"), 200, USER)

    other = server.user()
    profile = exact(other.get(f"{API}/users/{name}"), 200, USER_PROFILE)
    assert profile["displayName"] == TRICKY and profile["portfolioUrl"] == "https://example.test/a?b=c&d=%22"
    r = me.patch(f"{API}/me", json={"portfolioUrl": None})
    assert exact(r, 200, USER)["profile"]["portfolioUrl"] is None
    assert exact(other.get(f"{API}/users/{name}"), 200, USER_PROFILE)["portfolioUrl"] is None

    r = server.client().post(f"{API}/auth/password-reset/request", json={"email": email})
    assert r.status_code == 202 and r.text == '{"status":"accepted"}', r.text


def test_group_and_invitation_answers_keep_their_bytes(server):
    owner, guest, late = server.user(), server.user(), server.user()
    owner.patch(f"{API}/me", json={"displayName": TRICKY})
    r = owner.post(f"{API}/groups", json={"name": unique("grp") + " \"q\"", "description": "d\\e", "purpose": "é"})
    group = exact(r, 201, GROUP)
    gid = group["id"]
    assert group["myRole"] == "owner" and group["memberCount"] == 1 and group["owner"]["displayName"] == TRICKY
    exact(owner.get(f"{API}/groups/{gid}"), 200, GROUP)
    exact(owner.patch(f"{API}/groups/{gid}", json={"description": None}), 200, GROUP)
    exact(owner.get(f"{API}/groups", params={"limit": 1}), 200, page_of(GROUP))

    by_name = exact(owner.post(f"{API}/groups/{gid}/invitations", json={"username": guest.username}), 201, INVITATION)
    assert by_name["email"] is None and by_name["invitee"]["id"] == guest.id and by_name["status"] == "pending"
    by_mail = exact(owner.post(f"{API}/groups/{gid}/invitations", json={"email": f"{unique('x')}@example.test"}),
                    201, INVITATION)
    assert by_mail["invitee"] is None and by_mail["email"]
    stale = exact(owner.post(f"{API}/groups/{gid}/invitations", json={"username": late.username}), 201, INVITATION)
    db_exec(server, f"UPDATE invitations SET expires_at = 1000 WHERE id = {int(stale['id'])}")
    page = exact(owner.get(f"{API}/groups/{gid}/invitations"), 200, page_of(INVITATION))
    assert [i["status"] for i in page["items"]] == ["expired", "pending", "pending"]
    exact(owner.get(f"{API}/groups/{gid}/invitations", params={"limit": 1}), 200, page_of(INVITATION))
    mine = exact(guest.get(f"{API}/me/invitations"), 200, page_of(INVITATION))
    assert [i["id"] for i in mine["items"]] == [by_name["id"]]

    joined = exact(guest.post(f"{API}/invitations/{by_name['id']}/accept"), 200, GROUP)
    assert joined["myRole"] == "member" and joined["memberCount"] == 2
    member = exact(owner.patch(f"{API}/groups/{gid}/members/{guest.id}", json={"role": "admin"}), 200, MEMBER)
    assert member["role"] == "admin" and member["user"]["id"] == guest.id
    members = exact(owner.get(f"{API}/groups/{gid}/members"), 200, page_of(MEMBER))
    assert [m["role"] for m in members["items"]] == ["owner", "admin"]
    exact(owner.get(f"{API}/groups/{gid}/members", params={"limit": 1}), 200, page_of(MEMBER))


def test_event_answers_keep_their_bytes(server):
    owner = server.user()
    gid = owner.post(f"{API}/groups", json={"name": unique("grp")}).json()["id"]
    r = owner.post(f"{API}/groups/{gid}/events", json={"name": 'Spring "Open" \\ ✓'})
    event = exact(r, 201, EVENT)
    assert event["votingStartsAt"] is None and event["phase"] == "OPEN" and event["myVotesRemaining"] == 3
    assert event["anonymousVoting"] is False
    r = owner.post(f"{API}/groups/{gid}/events",
                   json={"name": "Timed", "description": "a\nb", "votingStartsAt": iso(3600),
                         "matchingStartsAt": iso(7200), "endsAt": iso(10800), "votesPerMember": 5,
                         "tradesDueAt": iso(20000), "avoidRepeatPartners": False})
    timed = exact(r, 201, EVENT)
    assert timed["votingStartsAt"] and timed["endsAt"] and timed["votesPerMember"] == 5
    assert timed["tradesDueAt"] and timed["avoidRepeatPartners"] is False
    exact(owner.get(f"{API}/events/{event['id']}"), 200, EVENT)
    exact(owner.patch(f"{API}/events/{timed['id']}", json={"endsAt": None, "description": None}), 200, EVENT)
    hidden = exact(owner.patch(f"{API}/events/{timed['id']}", json={"anonymousVoting": True}), 200, EVENT)
    text = owner.get(f"{API}/events/{timed['id']}").text
    assert hidden["anonymousVoting"] is True and r'"myVotesRemaining":5,"anonymousVoting":true,"tradesDueAt":"' in text
    assert text.endswith(r'"avoidRepeatPartners":false}')
    exact(owner.get(f"{API}/groups/{gid}/events"), 200, page_of(EVENT))
    exact(owner.get(f"{API}/groups/{gid}/events", params={"limit": 1}), 200, page_of(EVENT))
    advanced = exact(owner.post(f"{API}/events/{event['id']}/advance", json={"to": "VOTING"}), 200, EVENT)
    assert advanced["phase"] == "VOTING"
