"""Collection of image files that no artwork references any more (artworks/image_collector.h):
the files of a deleted artwork go, a file shared with another artwork stays, and the file of
an upload in progress is never taken. Both backends: the collector reads the references from
the database, whichever it is. On PostgreSQL the images are in the database (--images db,
the default there): a blob collected there takes its file in the local cache with it."""
import hashlib
import itertools
import os
import subprocess
import threading
import time

import pytest

from conftest import BACKEND, BIN
from event_helpers import API, Community, make_event, png, submit, upload, wait_for

# A pass every second, and no grace period: a file is removed at the first pass that finds
# it unreferenced.
COLLECT = ("--rate-limits", "off", "--image-collect-interval-s", "1", "--image-collect-grace-s", "0")

_colours = itertools.count(1)


def unique_png():
    """A PNG no other test of this run uploads (so its files are its own)."""
    n = next(_colours)
    return png(40 + n % 50, 30, (n % 256, (n // 256) % 256, 77))


# On PostgreSQL (--images db, the default there) the files are the process's cache of the
# database's blobs, in a directory of their own.
IMAGES = "image-cache" if BACKEND == "postgres" else "images"


def path_of(server, key):
    return server.data_dir / IMAGES / key[:2] / key[2:4] / key


def keys_of(client, art):
    """The image's and the thumbnail's keys (their ETags), checked against the bytes served."""
    keys = []
    for kind in ("image", "thumbnail"):
        r = client.get(f"{API}/artworks/{art['id']}/{kind}")
        assert r.status_code == 200, r.text
        key = r.headers["ETag"].strip('"')
        assert hashlib.sha256(r.content).hexdigest() == key
        keys.append(key)
    return keys


def gone(server, keys):
    return lambda: not any(path_of(server, k).exists() for k in keys)


@pytest.fixture(scope="module")
def collecting(make_server):
    return make_server(*COLLECT)


@pytest.fixture
def event(collecting):
    com = Community(collecting, members=2)
    eid = make_event(com.owner, com.gid, maxArtworksPerMember=10)["id"]
    return com, eid


def test_the_files_of_a_deleted_artwork_are_removed(collecting, event):
    com, eid = event
    artist = com.members[0]
    art = submit(artist, eid, unique_png())
    other = submit(artist, eid, unique_png())
    keys = keys_of(artist, art)
    assert all(path_of(collecting, k).is_file() for k in keys)

    r = artist.delete(f"{API}/artworks/{art['id']}")
    assert r.status_code == 204, r.text
    assert wait_for(gone(collecting, keys), timeout=10), "the deleted artwork's files are still there"
    # The other artwork keeps its files and is served as before.
    assert all(path_of(collecting, k).is_file() for k in keys_of(artist, other))


def test_a_file_shared_by_two_artworks_stays_while_one_references_it(collecting, event):
    com, eid = event
    first, second = com.members
    same = unique_png()
    a = submit(first, eid, same)
    b = submit(second, eid, same)
    shared = keys_of(first, a)
    assert keys_of(second, b) == shared  # the same bytes are stored once
    witness = submit(first, eid, unique_png())
    witness_keys = keys_of(first, witness)

    for art in (a, witness):
        r = first.delete(f"{API}/artworks/{art['id']}")
        assert r.status_code == 204, r.text
    # The witness's files going shows that a pass ran after both deletions.
    assert wait_for(gone(collecting, witness_keys), timeout=10)
    assert all(path_of(collecting, k).is_file() for k in shared)
    assert keys_of(second, b) == shared  # served byte for byte

    # Once the last artwork naming them is gone (deleted by a group admin), so are they.
    r = com.admin.delete(f"{API}/artworks/{b['id']}")
    assert r.status_code == 204, r.text
    assert wait_for(gone(collecting, shared), timeout=10)


def test_deleting_a_group_removes_the_files_of_its_artworks(collecting):
    com = Community(collecting, members=1)
    eid = make_event(com.owner, com.gid, maxArtworksPerMember=10)["id"]
    art = submit(com.members[0], eid, unique_png())
    keys = keys_of(com.members[0], art)
    r = com.owner.delete(f"{API}/groups/{com.gid}")
    assert r.status_code == 204, r.text
    assert wait_for(gone(collecting, keys), timeout=10)


def test_the_file_of_an_upload_in_progress_is_never_removed(make_server):
    """An upload of bytes already stored finds the file, and the artwork that stored it is
    deleted before the upload's row is inserted: the collector must not take the file in
    between. The server holds every upload 4 s between storing its files and inserting its
    row (a test-only setting), long enough for several passes."""
    server = make_server(*COLLECT, env={"ATELIER_TEST_UPLOAD_PAUSE_MS": "4000"})
    com = Community(server, members=2)
    eid = make_event(com.owner, com.gid, maxArtworksPerMember=10)["id"]
    first, second = com.members
    same = unique_png()
    a = submit(first, eid, same)
    witness = submit(first, eid, unique_png())
    keys, witness_keys = keys_of(first, a), keys_of(first, witness)

    answer = {}
    started = time.monotonic()
    in_progress = threading.Thread(target=lambda: answer.update(r=upload(second, eid, same)))
    in_progress.start()
    time.sleep(1.0)  # the upload has stored (found) its files and waits before its insert
    for art in (a, witness):
        r = first.delete(f"{API}/artworks/{art['id']}")
        assert r.status_code == 204, r.text
    # A pass ran after the deletions while the upload was still in progress...
    assert wait_for(gone(server, witness_keys), timeout=10)
    assert in_progress.is_alive() and time.monotonic() - started < 4.0, "the upload finished too early to tell"
    # ...and left the files the upload is about to reference.
    assert all(path_of(server, k).is_file() for k in keys)
    in_progress.join()
    assert answer["r"].status_code == 201, answer["r"].text
    b = answer["r"].json()
    assert keys_of(second, b) == keys
    # Later passes keep them: the new row references them.
    time.sleep(2.5)
    assert keys_of(second, b) == keys
    assert all(path_of(server, k).is_file() for k in keys)


def test_collect_images_runs_one_pass_from_the_command_line(make_server):
    """`atelier collect-images` with the server's --db and --data-dir, while it runs (its own
    collector is off by default for an hour): removes the deleted artwork's files and old
    temp files, keeps the rest."""
    server = make_server("--rate-limits", "off")
    com = Community(server, members=1)
    eid = make_event(com.owner, com.gid, maxArtworksPerMember=10)["id"]
    artist = com.members[0]
    art, kept = submit(artist, eid, unique_png()), submit(artist, eid, unique_png())
    keys = keys_of(artist, art)
    r = artist.delete(f"{API}/artworks/{art['id']}")
    assert r.status_code == 204, r.text
    time.sleep(1.5)
    assert all(path_of(server, k).is_file() for k in keys)  # nothing collects by itself yet

    # What a Put that crashed mid-write leaves: an old temp file, and a fresh one.
    kept_keys = keys_of(artist, kept)
    folder = path_of(server, kept_keys[0]).parent
    old_temp, new_temp = folder / f".{kept_keys[0]}.tmp-AAAAAA", folder / f".{kept_keys[0]}.tmp-BBBBBB"
    old_temp.write_bytes(b"partial")
    new_temp.write_bytes(b"partial")
    hour_ago = time.time() - 3600
    os.utime(old_temp, (hour_ago, hour_ago))

    out = subprocess.run([str(BIN), "collect-images", "--db", server.db_url, "--data-dir", str(server.data_dir),
                          "--image-collect-grace-s", "600"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    # The deleted artwork's files are older than 600 s? No: just written, so they stay.
    assert "removed 0 unreferenced image " in out.stdout, out.stdout
    assert "and 1 temp files" in out.stdout, out.stdout
    assert not old_temp.exists() and new_temp.exists()
    assert all(path_of(server, k).is_file() for k in keys)

    out = subprocess.run([str(BIN), "collect-images", "--db", server.db_url, "--data-dir", str(server.data_dir),
                          "--image-collect-grace-s", "0"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "removed 2 unreferenced image " in out.stdout, out.stdout
    assert gone(server, keys)()
    assert keys_of(artist, kept) == kept_keys
    assert all(path_of(server, k).is_file() for k in kept_keys)
