"""Issue 15 for notifications: the feed's route resolves the caller before it reads anything
else, the page is one user's whatever the cursor, and the bytes are the old ones."""
from conftest import problem
from group_helpers import API
from test_notifications import invitations_for


def test_the_caller_is_resolved_before_the_parameters(server):
    anon = server.client()
    for params in ({"cursor": "forged"}, {"limit": "0"}, {"unread": "maybe"}, {}):
        problem(anon.get(f"{API}/notifications", params=params), 401, "unauthenticated")
    bob = server.user()
    token = bob.token
    assert bob.post(f"{API}/auth/logout").status_code == 204
    problem(server.client(token).get(f"{API}/notifications", params={"cursor": "forged"}), 401, "unauthenticated")


def test_a_cursor_reads_only_the_callers_notifications(server):
    ann, bob = server.user(), server.user()
    invitations_for(server, bob, 2)
    invitations_for(server, ann, 3)
    invitations_for(server, bob, 1)
    first = ann.get(f"{API}/notifications", params={"limit": 1}).json()
    assert first["nextCursor"] is not None
    # Ann's cursor on Bob's feed: Bob's own older notifications, never Ann's.
    page = bob.get(f"{API}/notifications", params={"cursor": first["nextCursor"]}).json()
    mine = {n["id"] for n in bob.get(f"{API}/notifications").json()["items"]}
    theirs = {n["id"] for n in ann.get(f"{API}/notifications").json()["items"]}
    assert {n["id"] for n in page["items"]} <= mine and not {n["id"] for n in page["items"]} & theirs
    assert page["unreadCount"] == 3


def test_settings_bytes_keep_their_order(server):
    bob = server.user()
    r = bob.get(f"{API}/me/notification-settings")
    assert r.text == ('{"email":{"DEADLINE_REMINDER":true,"EVENT_STATUS_UPDATE":false,"GROUP_INVITATION":true,'
                      '"MATCH_MESSAGE":true,"MATCH_UPDATE":true,"NEW_MATCH":true,"NO_MATCH":true,'
                      '"TRADE_DELIVERED":true,"TRADE_REMINDER":true,"VOTE_NOTIFICATION":false}}')


def test_feed_bytes(server):
    bob = server.user()
    invitations_for(server, bob, 2)
    r = bob.get(f"{API}/notifications", params={"limit": 1})
    body = r.json()
    n = body["items"][0]
    assert r.text.startswith('{"items":[{"id":"' + n["id"] + '","type":"GROUP_INVITATION","message":')
    assert r.text.endswith('"createdAt":"' + n["createdAt"] + '","read":false}],"nextCursor":"'
                           + body["nextCursor"] + '","unreadCount":2}')
