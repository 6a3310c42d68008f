"""docs/product.md §4: groups, members, roles — and who may do what."""
import pytest

from conftest import field_error, problem, unique
from group_helpers import API, collect, invite, join, new_group


@pytest.fixture(scope="module")
def crew(server):
    """A group with an owner, an admin, a member, an invited user and an outsider."""
    class Crew:
        pass
    c = Crew()
    c.owner, c.admin, c.member, c.invited, c.outsider = (server.user() for _ in range(5))
    c.group = new_group(c.owner, description="d", purpose="p")
    c.gid = c.group["id"]
    join(c.owner, c.gid, c.admin, role="admin")
    join(c.owner, c.gid, c.member)
    c.invitation = invite(c.owner, c.gid, c.invited)
    return c


def test_create_group_returns_the_group_with_caller_as_owner(server):
    a = server.user()
    name = unique("Ink ")
    r = a.post(f"{API}/groups", json={"name": name, "description": "We draw.", "purpose": "trade"})
    assert r.status_code == 201, r.text
    g = r.json()
    assert set(g) == {"id", "name", "description", "purpose", "createdAt", "owner", "memberCount", "myRole"}
    assert isinstance(g["id"], str)
    assert g["name"] == name and g["description"] == "We draw." and g["purpose"] == "trade"
    assert g["owner"] == {"id": a.id, "username": a.username, "displayName": a.user["profile"]["displayName"]}
    assert g["memberCount"] == 1 and g["myRole"] == "owner"
    assert g["createdAt"].endswith("Z")
    assert a.get(f"{API}/groups/{g['id']}").json() == g
    members = a.get(f"{API}/groups/{g['id']}/members").json()["items"]
    assert [(m["user"]["id"], m["role"]) for m in members] == [(a.id, "owner")]


def test_create_group_defaults_and_validation(server):
    a = server.user()
    g = new_group(a)
    assert g["description"] == "" and g["purpose"] == ""
    field_error(a.post(f"{API}/groups", json={"name": "ab"}), "name", "invalid")
    field_error(a.post(f"{API}/groups", json={"name": "x" * 65}), "name", "invalid")
    field_error(a.post(f"{API}/groups", json={"name": "   ab   "}), "name", "invalid")
    field_error(a.post(f"{API}/groups", json={"name": 123}), "name", "invalid")
    field_error(a.post(f"{API}/groups", json={"name": unique("g"), "description": "d" * 2001}), "description",
                "invalid")
    problem(a.post(f"{API}/groups", json={}), 400, "bad_request")
    problem(a.post(f"{API}/groups", data="{", headers={"Content-Type": "application/json"}), 400, "bad_request")
    # Lengths count characters, not bytes: 64 two-byte characters fit.
    r = a.post(f"{API}/groups", json={"name": "é" * 63 + unique("")[-1]})
    assert r.status_code == 201, r.text


def test_group_name_is_unique_ignoring_case(server):
    a, b = server.user(), server.user()
    name = unique("Atelier Nord ")
    new_group(a, name=name)
    problem(b.post(f"{API}/groups", json={"name": name.upper()}), 409, "group_name_taken")
    problem(b.post(f"{API}/groups", json={"name": "  " + name.lower() + " "}), 409, "group_name_taken")
    # Renaming onto another group's name is refused too; a case change of one's own is fine.
    other = new_group(b)
    problem(b.patch(f"{API}/groups/{other['id']}", json={"name": name.lower()}), 409, "group_name_taken")
    r = b.patch(f"{API}/groups/{other['id']}", json={"name": other["name"].upper()})
    assert r.status_code == 200 and r.json()["name"] == other["name"].upper()


def test_creating_a_group_needs_a_verified_email_and_a_login(server):
    u = server.user(verified=False)
    problem(u.post(f"{API}/groups", json={"name": unique("g")}), 403, "email_not_verified")
    problem(server.client().post(f"{API}/groups", json={"name": unique("g")}), 401, "unauthenticated")
    assert u.get(f"{API}/groups").json() == {"items": [], "nextCursor": None}


def test_list_my_groups_paginates_newest_first(server):
    a, b = server.user(), server.user()
    mine = [new_group(a)["id"] for _ in range(5)]
    new_group(b)  # not a's
    items, pages = collect(a, f"{API}/groups", 2)
    assert [g["id"] for g in items] == list(reversed(mine)) and pages == 3
    # Stable under inserts: a new group does not shift the next page.
    first = a.get(f"{API}/groups", params={"limit": 2}).json()
    newest = new_group(a)["id"]
    second = a.get(f"{API}/groups", params={"limit": 2, "cursor": first["nextCursor"]}).json()
    assert [g["id"] for g in second["items"]] == list(reversed(mine))[2:4]
    assert newest not in [g["id"] for g in second["items"]]


def test_list_rejects_bad_limits_and_forged_cursors(server):
    a = server.user()
    for limit in ["0", "101", "abc", "-1"]:
        problem(a.get(f"{API}/groups", params={"limit": limit}), 400, "bad_request")
    for cursor in ["nope", "YWJj", "c1.5", "!!!"]:
        problem(a.get(f"{API}/groups", params={"cursor": cursor}), 400, "bad_request")


def test_unknown_or_malformed_group_ids_are_404(server):
    a = server.user()
    for gid in ["999999999", "abc", "0", "-1", "1.5"]:
        problem(a.get(f"{API}/groups/{gid}"), 404, "not_found")
        problem(a.get(f"{API}/groups/{gid}/members"), 404, "not_found")


def test_patch_group(server, crew):
    r = crew.admin.patch(f"{API}/groups/{crew.gid}", json={"description": "new words"})
    assert r.status_code == 200 and r.json()["description"] == "new words" and r.json()["myRole"] == "admin"
    r = crew.owner.patch(f"{API}/groups/{crew.gid}", json={"purpose": "swap", "name": crew.group["name"]})
    assert r.status_code == 200 and r.json()["purpose"] == "swap" and r.json()["description"] == "new words"
    field_error(crew.owner.patch(f"{API}/groups/{crew.gid}", json={"name": "ab"}), "name", "invalid")
    problem(crew.member.patch(f"{API}/groups/{crew.gid}", json={"description": "x"}), 403, "forbidden")
    problem(crew.outsider.patch(f"{API}/groups/{crew.gid}", json={"description": "x"}), 404, "not_found")
    assert crew.member.get(f"{API}/groups/{crew.gid}").json()["description"] == "new words"


def test_delete_group_is_owner_only(server):
    owner, admin, member = server.user(), server.user(), server.user()
    gid = new_group(owner)["id"]
    join(owner, gid, admin, role="admin")
    join(owner, gid, member)
    problem(admin.delete(f"{API}/groups/{gid}"), 403, "forbidden")
    problem(member.delete(f"{API}/groups/{gid}"), 403, "forbidden")
    assert owner.delete(f"{API}/groups/{gid}").status_code == 204
    for c in (owner, admin, member):
        problem(c.get(f"{API}/groups/{gid}"), 404, "not_found")
        assert gid not in [g["id"] for g in c.get(f"{API}/groups").json()["items"]]


def test_members_list_and_member_count(server):
    owner = server.user()
    gid = new_group(owner)["id"]
    others = [server.user() for _ in range(4)]
    for u in others:
        join(owner, gid, u)
    items, pages = collect(owner, f"{API}/groups/{gid}/members", 2)
    assert pages == 3
    assert [m["user"]["id"] for m in items] == [owner.id] + [u.id for u in others]
    assert [m["role"] for m in items] == ["owner"] + ["member"] * 4
    assert set(items[1]) == {"user", "role", "joinedAt"}
    assert set(items[1]["user"]) == {"id", "username", "displayName"}
    assert owner.get(f"{API}/groups/{gid}").json()["memberCount"] == 5
    assert others[0].get(f"{API}/groups/{gid}").json()["myRole"] == "member"
    problem(owner.get(f"{API}/groups/{gid}/members", params={"cursor": "forged"}), 400, "bad_request")


def test_role_changes_are_owner_only(server):
    owner, a, b = server.user(), server.user(), server.user()
    gid = new_group(owner)["id"]
    join(owner, gid, a)
    join(owner, gid, b)
    r = owner.patch(f"{API}/groups/{gid}/members/{a.id}", json={"role": "admin"})
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "admin" and r.json()["user"]["id"] == a.id and "joinedAt" in r.json()
    assert a.get(f"{API}/groups/{gid}").json()["myRole"] == "admin"
    problem(a.patch(f"{API}/groups/{gid}/members/{b.id}", json={"role": "admin"}), 403, "forbidden")
    problem(b.patch(f"{API}/groups/{gid}/members/{b.id}", json={"role": "admin"}), 403, "forbidden")
    field_error(owner.patch(f"{API}/groups/{gid}/members/{b.id}", json={"role": "owner"}), "role", "invalid")
    field_error(owner.patch(f"{API}/groups/{gid}/members/{b.id}", json={"role": "boss"}), "role", "invalid")
    problem(owner.patch(f"{API}/groups/{gid}/members/{b.id}", json={}), 400, "bad_request")
    problem(owner.patch(f"{API}/groups/{gid}/members/{owner.id}", json={"role": "member"}), 403, "forbidden")
    stranger = server.user()
    problem(owner.patch(f"{API}/groups/{gid}/members/{stranger.id}", json={"role": "admin"}), 404, "not_found")
    problem(owner.patch(f"{API}/groups/{gid}/members/xyz", json={"role": "admin"}), 404, "not_found")
    r = owner.patch(f"{API}/groups/{gid}/members/{a.id}", json={"role": "member"})
    assert r.status_code == 200 and r.json()["role"] == "member"


def test_remove_and_leave(server):
    owner, admin, admin2, m1, m2 = (server.user() for _ in range(5))
    gid = new_group(owner)["id"]
    join(owner, gid, admin, role="admin")
    join(owner, gid, admin2, role="admin")
    join(owner, gid, m1)
    join(owner, gid, m2)
    problem(owner.delete(f"{API}/groups/{gid}/members/{owner.id}"), 409, "owner_cannot_leave")
    problem(admin.delete(f"{API}/groups/{gid}/members/{owner.id}"), 403, "forbidden")
    problem(admin.delete(f"{API}/groups/{gid}/members/{admin2.id}"), 403, "forbidden")
    problem(m1.delete(f"{API}/groups/{gid}/members/{m2.id}"), 403, "forbidden")
    problem(admin.delete(f"{API}/groups/{gid}/members/{server.user().id}"), 404, "not_found")
    assert admin.delete(f"{API}/groups/{gid}/members/{m1.id}").status_code == 204
    problem(m1.get(f"{API}/groups/{gid}"), 404, "not_found")
    assert m2.delete(f"{API}/groups/{gid}/members/{m2.id}").status_code == 204  # leaves
    problem(m2.get(f"{API}/groups/{gid}/members"), 404, "not_found")
    assert owner.delete(f"{API}/groups/{gid}/members/{admin2.id}").status_code == 204
    assert admin.delete(f"{API}/groups/{gid}/members/{admin.id}").status_code == 204  # an admin may leave
    g = owner.get(f"{API}/groups/{gid}").json()
    assert g["memberCount"] == 1
    assert len(owner.get(f"{API}/groups/{gid}/members").json()["items"]) == 1


ROLES = ["owner", "admin", "member", "invited", "outsider", "anonymous"]


def _matrix_cases(crew, server):
    gid = crew.gid
    target = crew.member.id
    # (method, path, body, expected status by caller role). Writes that would change the
    # fixture are aimed at ids that make them fail after the authorization check.
    missing_user = "999999999"
    return [
        ("GET", f"{API}/groups/{gid}", None, [200, 200, 200, 404, 404, 401]),
        ("GET", f"{API}/groups/{gid}/members", None, [200, 200, 200, 404, 404, 401]),
        ("PATCH", f"{API}/groups/{gid}", {"description": "m"}, [200, 200, 403, 404, 404, 401]),
        ("PATCH", f"{API}/groups/{gid}/members/{missing_user}", {"role": "admin"}, [404, 403, 403, 404, 404, 401]),
        ("PATCH", f"{API}/groups/{gid}/members/{target}", {"role": "member"}, [200, 403, 403, 404, 404, 401]),
        ("DELETE", f"{API}/groups/{gid}/members/{missing_user}", None, [404, 404, 403, 404, 404, 401]),
        ("GET", f"{API}/groups/{gid}/invitations", None, [200, 200, 403, 404, 404, 401]),
        ("POST", f"{API}/groups/{gid}/invitations", {"username": crew.member.username},
         [409, 409, 403, 404, 404, 401]),
        ("DELETE", f"{API}/invitations/{crew.invitation['id']}-x", None, [404, 404, 404, 404, 404, 401]),
        ("POST", f"{API}/invitations/{crew.invitation['id']}/decline", None, [404, 404, 404, None, 404, 401]),
        ("POST", f"{API}/invitations/{crew.invitation['id']}/accept", None, [404, 404, 404, None, 404, 401]),
        ("GET", f"{API}/me/invitations", None, [200, 200, 200, 200, 200, 401]),
        ("GET", f"{API}/groups", None, [200, 200, 200, 200, 200, 401]),
        ("DELETE", f"{API}/groups/{gid}", None, [None, 403, 403, 404, 404, 401]),
    ]


def test_authorization_matrix(server, crew):
    clients = {"owner": crew.owner, "admin": crew.admin, "member": crew.member, "invited": crew.invited,
               "outsider": crew.outsider, "anonymous": server.client()}
    failures = []
    for method, path, body, expected in _matrix_cases(crew, server):
        for role, want in zip(ROLES, expected):
            if want is None:  # would change the fixture for the rest (checked elsewhere)
                continue
            r = clients[role].request(method, path, json=body)
            if r.status_code != want:
                failures.append(f"{role} {method} {path}: want {want}, got {r.status_code} {r.text[:120]}")
            elif want >= 400:
                code = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}.get(want)
                if code and r.json().get("code") != code:
                    failures.append(f"{role} {method} {path}: code {r.json().get('code')}")
    assert not failures, "\n".join(failures)
    # The invited user becomes a member only by accepting; then the member column applies.
    r = crew.invited.post(f"{API}/invitations/{crew.invitation['id']}/accept")
    assert r.status_code == 200 and r.json()["myRole"] == "member"
    problem(crew.invited.patch(f"{API}/groups/{crew.gid}", json={"description": "x"}), 403, "forbidden")
    problem(crew.invited.get(f"{API}/groups/{crew.gid}/invitations"), 403, "forbidden")


def test_cookie_auth_needs_csrf_for_group_writes(server):
    u = server.user()
    c = server.client()
    r = c.post(f"{API}/auth/login", json={"login": u.username, "password": "correct horse battery"})
    assert r.status_code == 200
    problem(c.post(f"{API}/groups", json={"name": unique("g")}), 403, "csrf_failed")
    csrf = c.session.cookies.get("atelier_csrf")
    r = c.post(f"{API}/groups", json={"name": unique("g")}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    assert c.get(f"{API}/groups").status_code == 200
