"""Helpers for test_groups.py, test_invitations.py and test_notifications.py."""
import sqlite3
import subprocess

from conftest import unique

API = "/api/v1"


def new_group(client, name=None, **fields):
    r = client.post(f"{API}/groups", json={"name": name or unique("grp"), **fields})
    assert r.status_code == 201, r.text
    return r.json()


def invite(admin, gid, user=None, **body):
    if user is not None:
        body["username"] = user.username
    r = admin.post(f"{API}/groups/{gid}/invitations", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def join(admin, gid, user, role="member"):
    inv = invite(admin, gid, user)
    r = user.post(f"{API}/invitations/{inv['id']}/accept")
    assert r.status_code == 200, r.text
    if role == "admin":
        r = admin.patch(f"{API}/groups/{gid}/members/{user.id}", json={"role": "admin"})
        assert r.status_code == 200, r.text


def db_exec(server, sql):
    """Runs one statement on the server's own database (to move stored times)."""
    if server.db_url.startswith("sqlite:"):
        con = sqlite3.connect(server.db_url[len("sqlite:"):], timeout=10)
        try:
            con.execute(sql)
            con.commit()
        finally:
            con.close()
    else:
        subprocess.run(["/usr/bin/psql", server.db_url, "-qc", sql], check=True, capture_output=True)


def collect(client, path, limit):
    """Every item of a paginated list, following nextCursor; returns (items, pages)."""
    items, pages, cursor = [], 0, None
    while True:
        params = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        r = client.get(path, params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) >= {"items", "nextCursor"}, body
        assert len(body["items"]) <= limit
        items += body["items"]
        pages += 1
        cursor = body["nextCursor"]
        if cursor is None:
            return items, pages
        assert pages < 100
