"""Crash safety (hardening issue): SIGKILL the server during a flood of votes and uploads,
restart it on the same database and data dir, and check that every acknowledged vote and
upload is there and nothing half-written is visible: every artwork row's files exist whole
(their SHA-256 is their key), counters equal the rows they count, and the API agrees.
Runs on both backends (the database of a PostgreSQL run outlives the killed process)."""
import hashlib
import random
import signal
import sqlite3
import subprocess
import threading
import time

import requests

from event_helpers import API, Community, advance, make_event, png, submit, upload

ROUNDS = 2
VOTERS = 6


def sql(server, query):
    """Rows (tuples of str) of a read-only query on the server's own database."""
    if server.db_url.startswith("sqlite:"):
        con = sqlite3.connect(f"file:{server.db_url[len('sqlite:'):]}?mode=ro", uri=True, timeout=10)
        try:
            return [tuple(str(v) for v in row) for row in con.execute(query).fetchall()]
        finally:
            con.close()
    out = subprocess.run(["/usr/bin/psql", server.db_url, "-At", "-F", "|", "-c", query], check=True,
                         capture_output=True, text=True).stdout
    return [tuple(line.split("|")) for line in out.splitlines() if line]


def kill_and_restart(server):
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait()
    assert server.proc.returncode == -signal.SIGKILL
    server.log.close()
    server.start()


class Flood:
    """Votes on one event (VOTING) and uploads to another (OPEN) from many threads, keeping
    what the server acknowledged. Stops when the server goes away."""

    def __init__(self, com, vote_eid, targets, upload_eid):
        self.com = com
        self.vote_eid = vote_eid
        self.targets = targets  # artwork id -> artist id
        self.upload_eid = upload_eid
        self.upload_eids = [upload_eid]
        self.voted = {}  # (voter id, artwork id) -> acknowledged state
        self.uncertain = set()
        self.acks = 0
        self.acked_uploads = {}  # artwork id -> sha256 of the bytes sent
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.seq = 0

    def voter(self, client, rng):
        """Votes and takes votes back at random until stopped; `voted` holds the state the
        server last acknowledged per (voter, artwork); a request cut off by the kill leaves
        its pair in `uncertain` (either state is then correct)."""
        mine = [a for a, artist in self.targets.items() if artist != client.id]
        while not self.stop.is_set():
            aid = rng.choice(mine)
            pair = (client.id, aid)
            with self.lock:
                was = self.voted.get(pair, False)
                self.uncertain.add(pair)
            try:
                if was:
                    r = client.delete(f"{API}/artworks/{aid}/vote", timeout=10)
                else:
                    r = client.put(f"{API}/artworks/{aid}/vote", timeout=10)
            except requests.RequestException:
                return
            if r.status_code != 200:
                raise AssertionError(f"vote: {r.status_code} {r.text}")
            with self.lock:
                self.voted[pair] = not was
                self.uncertain.discard(pair)
                self.acks += 1

    def settle(self, server):
        """After a restart: the pairs cut off by the kill take the state the database has."""
        rows = {(str(v), str(a)) for v, a in sql(server, "SELECT voter_id, artwork_id FROM votes")}
        for pair in self.uncertain:
            self.voted[pair] = pair in rows
        self.uncertain.clear()

    def uploader(self, client, rng):
        while not self.stop.is_set():
            with self.lock:
                self.seq += 1
                n = self.seq
            image = png(16 + n % 200, 16 + n // 200, (n % 256, rng.randrange(256), 7))
            try:
                r = upload(client, self.upload_eid, image, title=f"flood {n}")
            except requests.RequestException:
                return
            if r.status_code == 201:
                with self.lock:
                    self.acked_uploads[r.json()["id"]] = hashlib.sha256(image).hexdigest()
            elif r.status_code == 409:  # artwork_limit_reached: this uploader is done
                return
            else:
                raise AssertionError(f"upload: {r.status_code} {r.text}")

    def run_until_killed(self, server, kill_after):
        rng = random.Random(kill_after)
        errors = []

        def guard(fn, *a):
            try:
                fn(*a)
            except Exception as e:  # noqa: BLE001 — reported below
                errors.append(e)

        threads = [threading.Thread(target=guard, args=(self.voter, c, random.Random(rng.random())))
                   for c in self.com.everyone[:VOTERS]]
        threads += [threading.Thread(target=guard, args=(self.uploader, c, random.Random(rng.random())))
                    for c in self.com.everyone]
        self.stop.clear()
        votes_before, uploads_before = self.acks, len(self.acked_uploads)
        for t in threads:
            t.start()
        time.sleep(kill_after)
        # On a loaded machine an upload (each of its files synced) can take seconds: wait
        # until this round has something of each kind acknowledged, so the kill always
        # lands among acknowledged writes of both kinds.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not errors and (
                self.acks == votes_before or len(self.acked_uploads) == uploads_before):
            time.sleep(0.05)
        kill_and_restart(server)
        self.stop.set()
        for t in threads:
            t.join(timeout=30)
        assert not errors, (errors, server.logged_errors())


def check_consistent(server, com, flood):
    # Counters equal the rows they count.
    assert sql(server, "SELECT a.id, a.vote_count, (SELECT COUNT(*) FROM votes v WHERE v.artwork_id = a.id) "
                       "FROM artworks a WHERE a.vote_count <> (SELECT COUNT(*) FROM votes v "
                       "WHERE v.artwork_id = a.id)") == []
    assert sql(server, "SELECT e.id FROM events e WHERE e.artwork_count <> "
                       "(SELECT COUNT(*) FROM artworks a WHERE a.event_id = e.id)") == []
    assert sql(server, "SELECT b.event_id, b.user_id FROM vote_budgets b WHERE b.used <> (SELECT COUNT(*) "
                       "FROM votes v WHERE v.event_id = b.event_id AND v.voter_id = b.user_id)") == []
    assert sql(server, "SELECT v.voter_id, v.event_id FROM votes v LEFT JOIN vote_budgets b "
                       "ON b.event_id = v.event_id AND b.user_id = v.voter_id WHERE b.user_id IS NULL") == []

    # Every acknowledged vote (and acknowledged withdrawal) is as acknowledged.
    rows = {(str(v), str(a)) for v, a in sql(server, "SELECT voter_id, artwork_id FROM votes")}
    wrong = [(pair, state) for pair, state in flood.voted.items()
             if pair not in flood.uncertain and (pair in rows) != state]
    assert not wrong, f"acknowledged votes lost or resurrected: {wrong[:10]}"
    flood.settle(server)
    by_id = {c.id: c for c in com.everyone}
    for (voter_id, aid), state in list(flood.voted.items())[:40]:
        r = by_id[voter_id].get(f"{API}/artworks/{aid}")
        assert r.status_code == 200 and r.json()["myVote"] is state, r.text
    for c in com.everyone[:VOTERS]:
        used = sql(server, f"SELECT COUNT(*) FROM votes WHERE event_id = {flood.vote_eid} AND voter_id = {c.id}")
        ev = c.get(f"{API}/events/{flood.vote_eid}").json()
        assert ev["myVotesRemaining"] == ev["votesPerMember"] - int(used[0][0]), ev

    # Every acknowledged upload is there, whole; every artwork row's files are whole.
    listed = []
    for eid in flood.upload_eids:
        in_event = []
        cursor = None
        while True:
            r = com.owner.get(f"{API}/events/{eid}/artworks",
                              params={"limit": 100, **({"cursor": cursor} if cursor else {})})
            assert r.status_code == 200, r.text
            in_event += [a["id"] for a in r.json()["items"]]
            cursor = r.json()["nextCursor"]
            if not cursor:
                break
        assert com.owner.get(f"{API}/events/{eid}").json()["artworkCount"] == len(in_event)
        listed += in_event
    lost = set(flood.acked_uploads) - set(listed)
    assert not lost, f"acknowledged uploads lost: {sorted(lost)}"
    for aid in listed:
        for kind in ("image", "display", "thumbnail"):
            r = com.owner.get(f"{API}/artworks/{aid}/{kind}")
            assert r.status_code == 200 and len(r.content) > 0, (aid, kind, r.status_code)
            assert r.content[:8] == b"\x89PNG\r\n\x1a\n" or r.content[:4] in (b"RIFF", b"\xff\xd8\xff\xe0",
                                                                             b"\xff\xd8\xff\xdb", b"GIF8")
    images = server.data_dir / "images"
    rows = sql(server, "SELECT image_key, thumb_key, COALESCE(display_key, image_key) FROM artworks")
    if server.db_url.startswith("sqlite:"):
        for key, thumb, display in rows:
            for k in (key, thumb, display):
                p = images / k[:2] / k[2:4] / k
                assert p.is_file(), f"artwork file missing: {p}"
                assert hashlib.sha256(p.read_bytes()).hexdigest() == k, f"half-written file: {p}"
    else:
        # --images db: every key a row names is a whole blob in the database.
        whole = dict(sql(server, "SELECT b.key, encode(sha256(string_agg(c.data, ''::bytea ORDER BY c.seq)), 'hex') "
                                 "FROM image_blobs b JOIN image_chunks c ON c.key = b.key GROUP BY b.key"))
        for key, thumb, display in rows:
            for k in (key, thumb, display):
                assert whole.get(k) == k, f"artwork blob missing or damaged: {k}"


def test_sigkill_during_votes_and_uploads_loses_nothing_acknowledged(make_server):
    s = make_server("--rate-limits", "off")
    com = Community(s, members=VOTERS - 2)
    vote_ev = make_event(com.owner, com.gid, votesPerMember=50, maxArtworksPerMember=10)
    targets = {}
    for i, c in enumerate(com.everyone):
        for j in range(3):
            a = submit(c, vote_ev["id"], png(20 + i, 20 + j))
            targets[a["id"]] = c.id
    advance(com.owner, vote_ev["id"], "VOTING")
    upload_ev = make_event(com.owner, com.gid, maxArtworksPerMember=10)

    flood = Flood(com, vote_ev["id"], targets, upload_ev["id"])
    for round_ in range(ROUNDS):
        if round_ > 0:  # a fresh event, so that uploads are still flowing at the kill
            flood.upload_eid = make_event(com.owner, com.gid, maxArtworksPerMember=10)["id"]
            flood.upload_eids.append(flood.upload_eid)
        flood.run_until_killed(s, kill_after=0.8 + 0.7 * round_)
        print(f"\nround {round_ + 1}: {flood.acks} vote changes and {len(flood.acked_uploads)} uploads "
              f"acknowledged before SIGKILL")
        check_consistent(s, com, flood)
    assert flood.acks and flood.acked_uploads, "the flood did not get anything acknowledged before the kill"

    # After the vote, the visible counts are the rows.
    advance(com.owner, vote_ev["id"], "MATCHING")
    counts = dict(sql(s, f"SELECT artwork_id, COUNT(*) FROM votes WHERE event_id = {vote_ev['id']} "
                         "GROUP BY artwork_id"))
    for aid in targets:
        a = com.owner.get(f"{API}/artworks/{aid}").json()
        assert a["voteCount"] == int(counts.get(str(aid), 0)), a
        assert a["voteCount"] == sum(1 for (_, t), state in flood.voted.items() if t == aid and state)
