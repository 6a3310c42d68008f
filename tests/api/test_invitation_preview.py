"""docs/product.md §4, "The link in an invitation's email": GET /invitations/preview?token=T
shows the invitation to whoever holds the link, without a session, and nothing more."""
import hashlib
import re
import secrets
import sqlite3
import subprocess

from conftest import PASSWORD, problem, unique
from group_helpers import API, db_exec, invite, new_group

PREVIEW_FIELDS = {"group", "invitedBy", "invitee", "email", "status", "expiresAt"}


def preview_token(server, to):
    """The preview token of the newest invitation mail to `to`, from its link."""
    body = server.wait_mail(to, "join")[-1].get_body(preferencelist=("plain",)).get_content()
    tokens = re.findall(r"/invitations\?preview=([A-Za-z0-9_-]+)", body)
    assert tokens, body
    return tokens[-1]


def preview(server, token, **kw):
    return server.client().get(f"{API}/invitations/preview", params={"token": token}, **kw)


def db_value(server, sql):
    """One value from the server's own database."""
    if server.db_url.startswith("sqlite:"):
        con = sqlite3.connect(server.db_url[len("sqlite:"):], timeout=10)
        try:
            row = con.execute(sql).fetchone()
        finally:
            con.close()
        return None if row is None else row[0]
    out = subprocess.run(["/usr/bin/psql", server.db_url, "-tAc", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip() or None


def test_email_invitation_link_shows_the_invitation_without_login(server):
    owner = server.user()
    g = new_group(owner, description="Linocuts, traded by post\nevery season")
    address = unique("newcomer") + "@example.test"
    inv = invite(owner, g["id"], email=address)
    token = preview_token(server, address)
    assert len(token) == 43  # 256 bits in unpadded base64url

    r = preview(server, token)  # no session, no cookie
    assert r.status_code == 200, r.text
    p = r.json()
    assert set(p) == PREVIEW_FIELDS
    assert p["group"] == {"name": g["name"], "description": "Linocuts, traded by post\nevery season"}
    assert p["invitedBy"] == inv["invitedBy"] and p["invitedBy"]["id"] == owner.id
    assert p["invitee"] is None and p["email"] == address
    assert p["status"] == "pending" and p["expiresAt"] == inv["expiresAt"]
    # Only the token's hash is stored.
    stored = db_value(server, f"SELECT preview_hash FROM invitations WHERE id = {inv['id']}")
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert db_value(server, f"SELECT COUNT(*) FROM invitations WHERE preview_hash = '{token}'") in (0, "0")
    # Each invitation has a token of its own.
    other = unique("other") + "@example.test"
    invite(owner, g["id"], email=other)
    assert preview_token(server, other) != token
    assert preview(server, preview_token(server, other)).json()["email"] == other


def test_username_invitation_mail_carries_a_preview_link(server):
    owner, bob = server.user(), server.user()
    g = new_group(owner)
    inv = invite(owner, g["id"], bob)
    p = preview(server, preview_token(server, bob.user["email"])).json()
    assert p["invitee"] == inv["invitee"] and p["invitee"]["username"] == bob.username
    assert p["email"] is None and p["status"] == "pending" and p["group"]["name"] == g["name"]


def test_preview_follows_the_invitation_through_every_state(server):
    owner = server.user()
    gid = new_group(owner)["id"]
    people = {state: server.user() for state in ("accepted", "declined", "revoked", "expired")}
    tokens, invs = {}, {}
    for state, person in people.items():
        invs[state] = invite(owner, gid, person)
        tokens[state] = preview_token(server, person.user["email"])
    assert people["accepted"].post(f"{API}/invitations/{invs['accepted']['id']}/accept").status_code == 200
    assert people["declined"].post(f"{API}/invitations/{invs['declined']['id']}/decline").status_code == 204
    assert owner.delete(f"{API}/invitations/{invs['revoked']['id']}").status_code == 204
    # Pending but past its time: shown as expired before anything writes that status.
    db_exec(server, f"UPDATE invitations SET expires_at = 1000 WHERE id = {invs['expired']['id']}")
    for state, token in tokens.items():
        r = preview(server, token)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == state, (state, r.json())
    # The preview never writes: the expired one is still stored as pending.
    assert db_value(server, f"SELECT status FROM invitations WHERE id = {invs['expired']['id']}") == "pending"


def test_forged_altered_and_missing_tokens_are_refused(server):
    owner = server.user()
    address = unique("x") + "@example.test"
    invite(owner, new_group(owner)["id"], email=address)
    token = preview_token(server, address)
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (secrets.token_urlsafe(32), altered, token[:-1], token + "A", token.upper(), "", "x" * 5000):
        problem(preview(server, bad), 400, "invalid_token")
    problem(server.client().get(f"{API}/invitations/preview"), 400, "invalid_token")
    # The invitation's other tokens and ids are no preview tokens either.
    problem(preview(server, hashlib.sha256(token.encode()).hexdigest()), 400, "invalid_token")
    problem(preview(server, "1"), 400, "invalid_token")
    assert preview(server, token).status_code == 200


def test_the_token_cannot_answer_the_invitation(server):
    owner, bob, mallory = server.user(), server.user(), server.user()
    gid = new_group(owner)["id"]
    inv = invite(owner, gid, bob)
    token = preview_token(server, bob.user["email"])
    anon = server.client()
    # Not a session: as a Bearer token or a session cookie it is nobody.
    problem(server.client(token).get(f"{API}/me"), 401, "unauthenticated")
    problem(server.client(token).post(f"{API}/invitations/{inv['id']}/accept"), 401, "unauthenticated")
    problem(anon.post(f"{API}/invitations/{inv['id']}/accept", params={"token": token}), 401, "unauthenticated")
    problem(anon.get(f"{API}/me", cookies={"atelier_session": token}), 401, "unauthenticated")
    # Someone else's session with the token alongside still finds no invitation of theirs.
    problem(mallory.post(f"{API}/invitations/{inv['id']}/accept", params={"token": token, "preview": token}), 404,
            "not_found")
    problem(mallory.post(f"{API}/invitations/{inv['id']}/decline", params={"token": token}), 404, "not_found")
    assert mallory.get(f"{API}/me/invitations").json()["items"] == []
    # Other methods on the preview path do not exist.
    r = anon.post(f"{API}/invitations/preview", params={"token": token})
    assert r.status_code in (401, 405), r.text
    assert preview(server, token).json()["status"] == "pending"
    assert bob.get(f"{API}/me/invitations").json()["items"][0]["status"] == "pending"


def test_token_of_a_deleted_group_or_account_is_invalid(server):
    owner, bob = server.user(), server.user()
    gid = new_group(owner)["id"]
    address = unique("gone") + "@example.test"
    invite(owner, gid, email=address)
    invite(owner, gid, bob)
    by_mail, by_name = preview_token(server, address), preview_token(server, bob.user["email"])
    assert bob.delete(f"{API}/me", json={"password": PASSWORD}).status_code == 204
    problem(preview(server, by_name), 400, "invalid_token")
    assert preview(server, by_mail).status_code == 200
    assert owner.delete(f"{API}/groups/{gid}").status_code == 204
    problem(preview(server, by_mail), 400, "invalid_token")


def test_previews_are_rate_limited_per_client(make_server):
    srv = make_server()  # rate limits on (the default)
    codes = [preview(srv, secrets.token_urlsafe(32)).status_code for _ in range(31)]
    assert codes[:30] == [400] * 30 and codes[30] == 429, codes
    r = preview(srv, secrets.token_urlsafe(32))
    problem(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) >= 1
