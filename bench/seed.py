#!/usr/bin/python3
"""Fills an empty Atelier database for the load scenarios of bench/run, fast.

    bench/seed.py --db sqlite:/tmp/x.db --out DIR [--data-dir DIR] [--users 10000]
                  [--artworks 100000] [--votes 1000000] [--notifications 50]
                  [--small-artworks 1000] [--events bench|none] [--bin build/atelier]

Runs `atelier migrate --db URL` first, then bulk-inserts (SQLite: the sqlite3 module,
one transaction; PostgreSQL: psql with COPY FROM STDIN, one transaction). Debian's
python3 standard library only.

What it makes (all consistent with the invariants the server keeps):
  * users bench1..benchN, verified, all with the password BENCH_PASSWORD (one Argon2id
    string made with libsodium, the server's parameters), and one session each whose
    token is bench-token-NNNNNN (stored as lowercase hex SHA-256, like the server does);
  * one group holding every user (bench1 owns it), member_count = N;
  * event 1 "Bench Event", VOTING, 50 votes per member, --artworks artworks;
    event 2 "Small Event", VOTING, --small-artworks artworks (the 1,000-row comparison
    for keyset pagination); event 3 "Last Season", CLOSED, one artwork per user;
  * --votes votes spread over the three events (at most 45 per user in event 1, so the
    vote scenario always has budget left; 5 in event 2; the rest, up to 50 each, in
    event 3), never for one's own artwork; vote_budgets.used and artworks.vote_count and
    events.artwork_count agree with the rows;
  * --notifications notifications per user (EVENT_STATUS_UPDATE and VOTE_NOTIFICATION,
    half of them read);
  * all artworks share one tiny PNG (written into --data-dir/images when given).
With --events none only the users, their sessions and notifications and the group are made
(bench/event/run creates its event through the API, with the streams listening).

Writes OUT/tokens.txt (line i = the token of user i) and OUT/bench-data.lua, which the
wrk scripts load (event ids, user count, password, and per user an artwork of event 1
that the user has not voted for and did not make: the vote scenario's PUT/DELETE pairs).
"""
import argparse
import array
import ctypes
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
import zlib
import struct
from pathlib import Path

BENCH_PASSWORD = "bench-password-1"
ROOT = Path(__file__).resolve().parent.parent


def tiny_png():
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xc0\x40\x80")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def argon2id(password):
    """crypto_pwhash_str_alg with the server's parameters (t=2, 19 MiB, Argon2id 1.3)."""
    sodium = ctypes.CDLL("libsodium.so.23")
    if sodium.sodium_init() < 0:
        raise RuntimeError("sodium_init failed")
    out = ctypes.create_string_buffer(128)
    pw = password.encode()
    alg = sodium.crypto_pwhash_alg_argon2id13()
    rc = sodium.crypto_pwhash_str_alg(out, pw, ctypes.c_ulonglong(len(pw)), ctypes.c_ulonglong(2),
                                      ctypes.c_size_t(19 * 1024 * 1024), ctypes.c_int(alg))
    if rc != 0:
        raise RuntimeError("crypto_pwhash_str_alg failed")
    return out.value.decode()


def token(i):
    return f"bench-token-{i:06d}"


class Plan:
    """Every row, computed once; the writers only serialise it."""

    def __init__(self, a):
        self.a = a
        self.now = int(time.time() * 1000)
        self.rng = random.Random(20261126)
        U = a.users
        # Events: (id, name, phase, votes_per_member, artwork count, per-user vote quota).
        self.events = [(1, "Bench Event", "VOTING", 50, a.artworks, 45),
                       (2, "Small Event", "VOTING", 50, a.small_artworks, 5),
                       (3, "Last Season", "CLOSED", 50, U, 50)] if a.events == "bench" else []
        first = 1
        self.first_art = {}
        for e in self.events:
            self.first_art[e[0]] = first
            first += e[4]
        self.total_artworks = first - 1
        self.vote_count = array.array("i", bytes(4 * (self.total_artworks + 1)))
        # Votes per event and user: spend --votes in event order, at most the quota each.
        left = a.votes
        self.quota = {}
        for eid, _, _, _, n_art, quota in self.events:
            per_user = min(quota, left // U, max(0, n_art - (n_art + U - 1) // U - 1))
            self.quota[eid] = per_user
            left -= per_user * U
        if left > 0:
            print(f"seed: {left} votes do not fit the budgets (50 per user per event); made fewer", file=sys.stderr)
        self.votes = []  # (voter, artwork, event) in PK order
        self.budgets = []
        self.pairs = []  # per user: an event-1 artwork to PUT/DELETE a vote on
        for u in range(1, U + 1):
            mine = []
            for eid, _, _, _, n_art, _ in self.events:
                k = self.quota[eid]
                base = self.first_art[eid]
                chosen = set()
                if k:
                    while len(chosen) < k:
                        for idx in self.rng.sample(range(n_art), min(n_art, k - len(chosen) + 4)):
                            if idx % U != (u - 1) and len(chosen) < k:
                                chosen.add(base + idx)
                    self.budgets.append((eid, u, k))
                    for art in chosen:
                        self.vote_count[art] += 1
                        mine.append((art, eid))
                if eid == 1 and n_art > 1:
                    while True:
                        idx = self.rng.randrange(n_art)
                        if idx % U != (u - 1) and base + idx not in chosen:
                            self.pairs.append(base + idx)
                            break
            mine.sort()
            self.votes.extend((u, art, eid) for art, eid in mine)
        self.image_key = hashlib.sha256(tiny_png()).hexdigest()
        self.password_hash = argon2id(BENCH_PASSWORD)

    # Row generators, one per table, in insert order. Values are Python ints/str/None.
    def users(self):
        h = self.password_hash
        for i in range(1, self.a.users + 1):
            yield (i, f"bench{i}", f"bench{i}@example.test", h, 1, f"Bench Artist {i}", "", None, 0, 0,
                   self.now - 86400000)

    def sessions(self):
        exp = self.now + 30 * 86400000
        for i in range(1, self.a.users + 1):
            yield (hashlib.sha256(token(i).encode()).hexdigest(), i, self.now, exp)

    def groups(self):
        yield (1, "Bench Group", "bench group", "Load test group", "benchmarks", 1, self.a.users, self.now - 86400000)

    def memberships(self):
        for i in range(1, self.a.users + 1):
            yield (1, i, "owner" if i == 1 else "member", self.now - 86400000 + i)

    def events_rows(self):
        for eid, name, phase, vpm, n_art, _ in self.events:
            yield (eid, 1, name, "", phase, None, None, None, vpm, 10, n_art, 1, self.now - 3600000 + eid, None)

    def artworks(self):
        U = self.a.users
        k = self.image_key
        for eid, _, _, _, n_art, _ in self.events:
            base = self.first_art[eid]
            t0 = self.now - 3000000
            for idx in range(n_art):
                aid = base + idx
                yield (aid, eid, idx % U + 1, f"Artwork {aid}", "", k, "image/png", k, "image/png", 1, 1,
                       self.vote_count[aid], t0 + idx)

    def vote_budgets(self):
        return iter(self.budgets)

    def votes_rows(self):
        t = self.now - 600000
        for v, art, eid in self.votes:
            yield (v, art, eid, t)

    def notifications(self):
        U = self.a.users
        nid = 0
        for j in range(self.a.notifications):
            if j % 2 == 0:
                kind = "EVENT_STATUS_UPDATE"
                message = f"\u201cBench Event {j}\u201d is now VOTING"
                data = json.dumps({"eventId": "1", "groupId": "1", "phase": "VOTING"}, separators=(",", ":"))
            else:
                kind = "VOTE_NOTIFICATION"
                message = f"Voting has ended in \u201cLast Season\u201d: \u201cArtwork {j}\u201d received {j} votes"
                data = json.dumps({"artworkId": str(j), "eventId": "3", "voteCount": j, "rank": 1 + j % 7},
                                  separators=(",", ":"))
            for u in range(1, U + 1):
                nid += 1
                created = self.now - 500000 + nid
                yield (nid, u, kind, message, data, created, 1 if j < self.a.notifications // 2 else 0,
                       rendered(kind, message, data, created), RENDERED_VERSION)


def iso_time(ms):
    """The server's time format (FormatTime): milliseconds only when they are not zero."""
    t = time.gmtime(ms // 1000)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", t)
    return text + (f".{ms % 1000:03d}Z" if ms % 1000 else "Z")


# notify::api::kRenderedVersion (notify/resources.h: FNV-1a of the description's member
# names): rows of another version are written from their columns, which is slower.
RENDERED_VERSION = 209359371


def rendered(kind, message, data, created):
    """notifications.rendered as the server's Notifier writes it (RenderedMembers)."""
    return (f'"type":{json.dumps(kind)},"message":{json.dumps(message, ensure_ascii=False)},"data":{data},'
            f'"createdAt":{json.dumps(iso_time(created))}')


TABLES = [
    ("users", "id, username, email, password_hash, email_verified, display_name, bio, portfolio_url, "
              "failed_logins, locked_until, created_at", "users"),
    ("sessions", "token_hash, user_id, created_at, expires_at", "sessions"),
    ("art_groups", "id, name, name_key, description, purpose, owner_id, member_count, created_at", "groups"),
    ("memberships", "group_id, user_id, role, joined_at", "memberships"),
    ("events", "id, group_id, name, description, phase, voting_starts_at, matching_starts_at, ends_at, "
               "votes_per_member, max_artworks_per_member, artwork_count, created_by, created_at, next_transition_at",
     "events_rows"),
    ("artworks", "id, event_id, artist_id, title, description, image_key, image_type, thumb_key, thumb_type, width, "
                 "height, vote_count, created_at", "artworks"),
    ("vote_budgets", "event_id, user_id, used", "vote_budgets"),
    ("votes", "voter_id, artwork_id, event_id, created_at", "votes_rows"),
    ("notifications", "id, user_id, type, message, data, created_at, is_read, rendered, rendered_version",
     "notifications"),
]


def load_sqlite(path, plan):
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-262144")
    con.execute("BEGIN")
    for table, cols, gen in TABLES:
        t = time.time()
        n = len(cols.split(","))
        cur = con.executemany(f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * n)})", getattr(plan, gen)())
        print(f"seed: {table}: {cur.rowcount} rows, {time.time() - t:.1f}s", file=sys.stderr)
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def copy_text(v):
    if v is None:
        return "\\N"
    if isinstance(v, int):
        return str(v)
    return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def load_postgres(url, plan):
    p = subprocess.Popen(["/usr/bin/psql", url, "-q", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, text=True, bufsize=1 << 20)
    w = p.stdin.write
    w("BEGIN;\n")
    for table, cols, gen in TABLES:
        w(f"COPY {table} ({cols}) FROM STDIN;\n")
        rows = getattr(plan, gen)()
        while True:
            chunk = [r for _, r in zip(range(20000), rows)]
            if not chunk:
                break
            w("".join("\t".join(map(copy_text, r)) + "\n" for r in chunk))
        w("\\.\n")
    for table in ("users", "art_groups", "events", "artworks", "notifications"):
        w(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}));\n")
    w("COMMIT;\nANALYZE;\n")
    p.stdin.close()
    if p.wait() != 0:
        raise SystemExit("seed: psql failed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", required=True, help="where tokens.txt and bench-data.lua go")
    ap.add_argument("--data-dir", help="the server's data dir (the shared image is written there)")
    ap.add_argument("--bin", default=os.environ.get("ATELIER_BIN", str(ROOT / "build" / "atelier")))
    ap.add_argument("--users", type=int, default=10000)
    ap.add_argument("--artworks", type=int, default=100000)
    ap.add_argument("--small-artworks", type=int, default=1000)
    ap.add_argument("--votes", type=int, default=1000000)
    ap.add_argument("--notifications", type=int, default=50)
    ap.add_argument("--events", choices=["bench", "none"], default="bench",
                    help="none: users, sessions, notifications and the group only")
    a = ap.parse_args()
    if a.users < 2 or (a.events == "bench" and (a.artworks < 2 or a.small_artworks < 2)):
        raise SystemExit("seed: need at least 2 users and 2 artworks per event")
    start = time.time()
    mig = [a.bin, "migrate", "--db", a.db] + (["--data-dir", a.data_dir] if a.data_dir else [])
    subprocess.run(mig, check=True, stdout=subprocess.DEVNULL)
    plan = Plan(a)
    print(f"seed: planned {len(plan.votes)} votes in {time.time() - start:.1f}s", file=sys.stderr)
    if a.db.startswith("sqlite:"):
        load_sqlite(a.db[len("sqlite:"):], plan)
    else:
        load_postgres(a.db, plan)
    if a.data_dir and plan.events:
        key = plan.image_key
        d = Path(a.data_dir) / "images" / key[:2] / key[2:4]
        d.mkdir(parents=True, exist_ok=True)
        (d / key).write_bytes(tiny_png())
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tokens.txt").write_text("".join(token(i) + "\n" for i in range(1, a.users + 1)))
    lua = ["-- Written by bench/seed.py; loaded by the wrk scripts in bench/lua.",
           "return {", f"  users = {a.users},", "  event = 1,", "  small_event = 2,",
           f"  password = {json.dumps(BENCH_PASSWORD)},",
           "  -- vote_art[u]: an artwork of event 1 user u neither made nor voted for",
           "  vote_art = {" + ",".join(map(str, plan.pairs)) + "},", "}"]
    (out / "bench-data.lua").write_text("\n".join(lua) + "\n")
    print(f"seed: done in {time.time() - start:.1f}s ({a.users} users, {plan.total_artworks} artworks, "
          f"{len(plan.votes)} votes, {a.users * a.notifications} notifications)", file=sys.stderr)


if __name__ == "__main__":
    main()
