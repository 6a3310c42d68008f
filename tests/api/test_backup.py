"""`atelier backup PATH` and `atelier restore PATH` (app/ops.h, docs/operations.md).

The round trip runs under write load: votes and uploads go on in threads while the backup
is taken from the running server; every write acknowledged before the backup started must
be in a server started on the restored copy (votes counted, images served byte for byte).
SQLite only (a PostgreSQL deployment is backed up with pg_dump), except the refusal."""
import hashlib
import subprocess
import threading
import time

import pytest

from conftest import BACKEND, BIN, Client
from event_helpers import API, Community, advance, make_event, png, submit, upload

sqlite_only = pytest.mark.skipif(BACKEND != "sqlite", reason="atelier backup copies SQLite deployments")


def atelier(*args, timeout=120):
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=timeout)


def served(client, art_id, kind="image"):
    r = client.get(f"{API}/artworks/{art_id}/{kind}")
    assert r.status_code == 200, r.text
    assert hashlib.sha256(r.content).hexdigest() == r.headers["ETag"].strip('"')
    return r.content


class Load:
    """Votes and uploads in threads, each write recorded with the moment its answer came."""

    def __init__(self, voters, targets, uploaders, upload_event):
        self.votes = []  # (acknowledged at, voter, artwork id)
        self.uploads = []  # (acknowledged at, uploader, artwork id, bytes sent)
        self.errors = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.vote, args=(v, [t for t in targets if t["artist"]["id"] != v.id]))
                        for v in voters]
        self.threads += [threading.Thread(target=self.upload, args=(u, upload_event, i))
                         for i, u in enumerate(uploaders)]

    def vote(self, voter, targets):
        for art in targets:
            if self.stop.is_set():
                return
            r = voter.put(f"{API}/artworks/{art['id']}/vote")
            if r.status_code != 200:
                self.errors.append(r.text)
                return
            with self.lock:
                self.votes.append((time.monotonic(), voter, art["id"]))
            time.sleep(0.01)

    def upload(self, uploader, eid, n):
        for i in range(10):
            if self.stop.is_set():
                return
            data = png(120 + i, 90 + n, (n * 40 % 256, i * 20 % 256, 99))
            r = upload(uploader, eid, data, title=f"load {n}.{i}")
            if r.status_code != 201:
                self.errors.append(r.text)
                return
            with self.lock:
                self.uploads.append((time.monotonic(), uploader, r.json()["id"], data))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)


@sqlite_only
def test_a_backup_taken_under_writes_restores_every_write_acknowledged_before_it(make_server, tmp_path):
    server = make_server("--rate-limits", "off")
    com = Community(server, members=6)
    artists, uploaders = com.members[:3], com.members[3:]
    voting = make_event(com.owner, com.gid, maxArtworksPerMember=10, votesPerMember=50)["id"]
    targets = [submit(a, voting, png(60 + i, 40, (i * 9 % 256, 10, 200)), title=f"art {i}")
               for i, a in enumerate(artists * 5)]
    advance(com.owner, voting, "VOTING")
    opened = make_event(com.owner, com.gid, maxArtworksPerMember=10)["id"]

    backup_dir = tmp_path / "backup"
    with Load(com.everyone, targets, uploaders, opened) as load:
        # Let writes get going, then take the backup while they go on.
        deadline = time.time() + 20
        while (len(load.votes) < 20 or len(load.uploads) < 3) and time.time() < deadline:
            time.sleep(0.05)
        backup_started = time.monotonic()
        out = atelier("backup", "--db", server.db_url, "--data-dir", str(server.data_dir), str(backup_dir))
        backup_ended = time.monotonic()
        time.sleep(0.3)
    assert out.returncode == 0, out.stderr
    assert not load.errors, load.errors[:3]
    votes_before = [(v, a) for t, v, a in load.votes if t < backup_started]
    uploads_before = [(u, a, d) for t, u, a, d in load.uploads if t < backup_started]
    during = [t for t, *_ in load.votes + load.uploads if backup_started <= t <= backup_ended]
    assert len(votes_before) >= 20 and len(uploads_before) >= 3
    assert during, "no write was acknowledged while the backup ran"
    assert (backup_dir / "atelier-backup.json").is_file() and (backup_dir / "atelier.db").is_file()

    # The original's images, as it serves them, to compare byte for byte.
    original = {a: (served(u, a), served(u, a, "thumbnail")) for u, a, _ in uploads_before}
    original.update({t["id"]: (served(com.owner, t["id"]), served(com.owner, t["id"], "thumbnail"))
                     for t in targets})

    # Restore into a new deployment and start a server on it.
    target = tmp_path / "restored"
    out = atelier("restore", "--db", f"sqlite:{target}/atelier.db", "--data-dir", str(target / "data"),
                  str(backup_dir))
    assert out.returncode == 0, out.stderr
    restored = make_server("--rate-limits", "off", db_url=f"sqlite:{target}/atelier.db", workdir=target)

    def again(client):  # the same session, on the restored server
        return Client(restored, client.token)

    for voter, art_id in votes_before:
        r = again(voter).get(f"{API}/artworks/{art_id}")
        assert r.status_code == 200, r.text
        assert r.json()["myVote"] is True, (voter.username, art_id)
    for uploader, art_id, data in uploads_before:
        r = again(uploader).get(f"{API}/artworks/{art_id}")
        assert r.status_code == 200, r.text
    for art_id, (image, thumb) in original.items():
        assert served(again(com.owner), art_id) == image
        assert served(again(com.owner), art_id, "thumbnail") == thumb

    # Counted: once VOTING ends the counts are at least the votes acknowledged before.
    advance(again(com.owner), voting, "MATCHING")
    counts = {t["id"]: again(com.owner).get(f"{API}/artworks/{t['id']}").json()["voteCount"] for t in targets}
    for t in targets:
        assert counts[t["id"]] >= sum(1 for _, a in votes_before if a == t["id"]), t["id"]
    # ...and at most what the original holds (the copy is a snapshot of it, nothing made up).
    advance(com.owner, voting, "MATCHING")
    for t in targets:
        assert counts[t["id"]] <= com.owner.get(f"{API}/artworks/{t['id']}").json()["voteCount"]


@sqlite_only
def test_backup_refuses_a_target_that_is_not_empty_or_not_a_directory(make_server, tmp_path):
    server = make_server("--rate-limits", "off")
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    out = atelier("backup", "--db", server.db_url, "--data-dir", str(server.data_dir), str(full))
    assert out.returncode == 1 and "not empty" in out.stderr, out.stderr
    assert [p.name for p in full.iterdir()] == ["keep.txt"]

    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for bad in (a_file, a_file / "below"):
        out = atelier("backup", "--db", server.db_url, "--data-dir", str(server.data_dir), str(bad))
        assert out.returncode == 1 and out.stderr.startswith("atelier: backup:"), out.stderr
    assert a_file.read_text() == "x"

    out = atelier("backup", "--db", f"sqlite:{tmp_path}/none.db", "--data-dir", str(tmp_path / "d"),
                  str(tmp_path / "b1"))
    assert out.returncode == 1 and "no SQLite database" in out.stderr, out.stderr
    assert not (tmp_path / "none.db").exists()

    # An empty directory is fine.
    empty = tmp_path / "empty"
    empty.mkdir()
    out = atelier("backup", "--db", server.db_url, "--data-dir", str(server.data_dir), str(empty))
    assert out.returncode == 0, out.stderr


@sqlite_only
def test_restore_refuses_a_deployment_that_is_in_use_or_not_empty_unless_forced(make_server, tmp_path):
    server = make_server("--rate-limits", "off")
    com = Community(server, members=1)
    eid = make_event(com.owner, com.gid)["id"]
    art = submit(com.members[0], eid, png(33, 44, (5, 6, 7)))
    backup_dir = tmp_path / "backup"
    out = atelier("backup", "--db", server.db_url, "--data-dir", str(server.data_dir), str(backup_dir))
    assert out.returncode == 0, out.stderr

    # Not a backup.
    for bad in (tmp_path / "missing", server.data_dir):
        out = atelier("restore", "--db", f"sqlite:{tmp_path}/x/atelier.db", "--data-dir", str(tmp_path / "x"),
                      str(bad))
        assert out.returncode == 1 and out.stderr.startswith("atelier: restore:"), out.stderr
    assert not (tmp_path / "x" / "atelier.db").exists()

    # A running server's deployment: refused, --force or not.
    for force in ((), ("--force",)):
        out = atelier("restore", "--db", server.db_url, "--data-dir", str(server.data_dir), *force, str(backup_dir))
        assert out.returncode == 1 and "stop it" in out.stderr, out.stderr
    assert server.client().get("/readyz").status_code == 200

    # A stopped deployment with data: refused without --force, replaced with it.
    target = tmp_path / "target"
    out = atelier("restore", "--db", f"sqlite:{target}/atelier.db", "--data-dir", str(target / "data"),
                  str(backup_dir))
    assert out.returncode == 0, out.stderr
    before = (target / "atelier.db").read_bytes()
    out = atelier("restore", "--db", f"sqlite:{target}/atelier.db", "--data-dir", str(target / "data"),
                  str(backup_dir))
    assert out.returncode == 1 and "--force" in out.stderr and "holds a database" in out.stderr, out.stderr
    assert (target / "atelier.db").read_bytes() == before
    out = atelier("restore", "--db", f"sqlite:{target}/atelier.db", "--data-dir", str(target / "data"), "--force",
                  str(backup_dir))
    assert out.returncode == 0, out.stderr
    restored = make_server("--rate-limits", "off", db_url=f"sqlite:{target}/atelier.db", workdir=target)
    assert served(Client(restored, com.members[0].token), art["id"]) == served(com.members[0], art["id"])

    # A damaged image in the backup is found, and nothing is replaced.
    damaged = next(p for p in (backup_dir / "images").rglob("*") if p.is_file())
    damaged.write_bytes(b"not the bytes of its name")
    fresh = tmp_path / "fresh"
    out = atelier("restore", "--db", f"sqlite:{fresh}/atelier.db", "--data-dir", str(fresh / "data"),
                  str(backup_dir))
    assert out.returncode == 1 and "damaged" in out.stderr, out.stderr
    assert not (fresh / "atelier.db").exists()


def test_restore_says_what_it_does(tmp_path):
    out = atelier("restore", "--help")
    assert out.returncode == 0
    assert "--force" in out.stdout and "must be stopped" in out.stdout, out.stdout


def test_backup_of_postgresql_is_refused_with_a_pointer_to_the_documentation(make_server, tmp_path):
    url = make_server.pg_cluster.new_database() if make_server.pg_cluster else "postgresql://atelier@127.0.0.1/x"
    for command in ("backup", "restore"):
        out = atelier(command, "--db", url, "--data-dir", str(tmp_path / "data"), str(tmp_path / "b"))
        assert out.returncode == 1, out
        assert "PostgreSQL" in out.stderr and "docs/operations.md" in out.stderr, out.stderr
    assert not (tmp_path / "b").exists()
