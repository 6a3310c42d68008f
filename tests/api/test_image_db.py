"""Issue 19: images without a shared disk (--images db, artworks/image_blobs.h).

On PostgreSQL the image bytes live in the database by default, content-addressed and kept
once; each process keeps a bounded cache of files in its own data dir. Collection deletes
the blobs no row names (a blob two artworks share stays), `atelier images import` copies a
dir-mode data dir into the database, and the cache stays under --image-cache-mb. The
configuration checks run on both backends; the rest needs PostgreSQL.
"""
import hashlib
import os
import random
import struct
import subprocess
import time
import zlib

import pytest

from conftest import BACKEND, BIN
from event_helpers import API, Community, make_event, png, submit

postgres_only = pytest.mark.skipif(BACKEND != "postgres", reason="--images db keeps images in PostgreSQL")


def atelier(*args, timeout=120):
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=timeout)


def query(server, statement):
    out = subprocess.run(["/usr/bin/psql", server.db_url, "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", "-c", statement],
                         check=True, capture_output=True, text=True).stdout
    return [tuple(line.split("|")) for line in out.splitlines() if line]


def blob_keys(server):
    return {k for (k,) in query(server, "SELECT key FROM image_blobs")}


def noise_png(width, height, seed):
    """A PNG of random pixels: it does not compress, so its size is about 3 * width * height."""
    rnd = random.Random(seed)
    raw = b"".join(b"\x00" + rnd.randbytes(3 * width) for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


def served(client, art_id, kind="image", **kw):
    r = client.get(f"{API}/artworks/{art_id}/{kind}", **kw)
    assert r.status_code == 200, r.text
    assert hashlib.sha256(r.content).hexdigest() == r.headers["ETag"].strip('"')
    return r


def keys_of(client, art):
    return [served(client, art["id"], kind).headers["ETag"].strip('"') for kind in ("image", "thumbnail")]


def cache_bytes(server):
    root = server.data_dir / "image-cache"
    return sum(p.stat().st_size for p in root.glob("*/*/*") if p.is_file())


def cache_keys(server):
    return {p.name for p in (server.data_dir / "image-cache").glob("*/*/*") if not p.name.startswith(".")}


# ---- configuration (both backends) --------------------------------------------------------

def test_images_db_is_refused_on_sqlite_and_documented_in_help(tmp_path):
    r = atelier("serve", "--db", f"sqlite:{tmp_path}/a.db", "--data-dir", str(tmp_path), "--images", "db")
    assert r.returncode == 2 and "--images db needs a PostgreSQL database" in r.stderr, r.stderr
    r = atelier("serve", "--db", f"sqlite:{tmp_path}/a.db", "--images", "disk")
    assert r.returncode == 2, r.stderr
    r = atelier("images", "import", "--db", f"sqlite:{tmp_path}/a.db", "--data-dir", str(tmp_path))
    assert r.returncode == 2 and "PostgreSQL" in r.stderr, r.stderr
    help_text = atelier("serve", "--help").stdout
    assert "--images" in help_text and "--image-cache-mb" in help_text and "ATELIER_IMAGES" in help_text
    assert "import" in atelier("images", "--help").stdout


# ---- collection -----------------------------------------------------------------------------

@postgres_only
def test_collect_images_deletes_unreferenced_blobs_and_keeps_shared_ones(make_server):
    server = make_server("--rate-limits", "off")  # db is the default on PostgreSQL
    com = Community(server, members=2)
    eid = make_event(com.owner, com.gid, maxArtworksPerMember=10)["id"]
    first, second = com.members
    same = png(71, 33, (1, 2, 3))
    a, b = submit(first, eid, same), submit(second, eid, same)
    shared = keys_of(first, a)
    assert keys_of(second, b) == shared
    assert query(server, f"SELECT COUNT(*) FROM image_blobs WHERE key = '{shared[0]}'") == [("1",)]  # stored once
    gone_art = submit(first, eid, png(72, 33, (4, 5, 6)))
    gone_keys = keys_of(first, gone_art)
    assert set(gone_keys + shared) <= blob_keys(server)
    assert set(gone_keys) <= cache_keys(server)
    assert query(server, "SELECT COUNT(*) FROM image_pins") == [("0",)]  # every upload ended its pins

    for art in (a, gone_art):
        assert first.delete(f"{API}/artworks/{art['id']}").status_code == 204
    out = atelier("collect-images", "--db", server.db_url, "--data-dir", str(server.data_dir),
                  "--image-collect-grace-s", "0")
    assert out.returncode == 0, out.stderr
    assert "removed 2 unreferenced image blobs from the database" in out.stdout, out.stdout
    blobs = blob_keys(server)
    assert not set(gone_keys) & blobs, "the deleted artwork's blobs are still there"
    assert query(server, f"SELECT COUNT(*) FROM image_chunks WHERE key IN ('{gone_keys[0]}', '{gone_keys[1]}')") \
        == [("0",)]
    assert set(shared) <= blobs
    # The cached files of collected blobs went with them (the command used this data dir).
    assert not set(gone_keys) & cache_keys(server)
    assert keys_of(second, b) == shared
    assert first.get(f"{API}/artworks/{gone_art['id']}/image").status_code == 404

    # Within the grace period nothing goes, referenced or not.
    assert second.delete(f"{API}/artworks/{b['id']}").status_code == 204
    out = atelier("collect-images", "--db", server.db_url, "--data-dir", str(server.data_dir))
    assert out.returncode == 0 and "removed 0 unreferenced image blobs" in out.stdout, out.stdout
    assert set(shared) <= blob_keys(server)
    out = atelier("collect-images", "--db", server.db_url, "--data-dir", str(server.data_dir),
                  "--image-collect-grace-s", "0")
    assert "removed 2 unreferenced image blobs" in out.stdout, out.stdout
    assert not set(shared) & blob_keys(server)


@postgres_only
def test_another_process_drops_its_cached_files_of_collected_blobs(make_server):
    """The background pass of a process whose cache holds a blob that another process
    collected removes the file once it is older than the grace period."""
    a = make_server("--rate-limits", "off", "--image-collect-interval-s", "1", "--image-collect-grace-s", "0")
    com = Community(a, members=1)
    eid = make_event(com.owner, com.gid, maxArtworksPerMember=10)["id"]
    art = submit(com.members[0], eid, png(73, 33, (7, 8, 9)))
    keys = keys_of(com.members[0], art)
    assert com.members[0].delete(f"{API}/artworks/{art['id']}").status_code == 204
    deadline = time.time() + 10
    while time.time() < deadline and (set(keys) & (blob_keys(a) | cache_keys(a))):
        time.sleep(0.2)
    assert not set(keys) & blob_keys(a)
    assert not set(keys) & cache_keys(a)


# ---- import ---------------------------------------------------------------------------------

@postgres_only
def test_images_import_copies_a_dir_mode_data_dir_into_the_database(make_server, tmp_path):
    old = make_server("--rate-limits", "off", "--images", "dir")
    com = Community(old, members=1)
    eid = make_event(com.owner, com.gid, maxArtworksPerMember=10)["id"]
    arts = [submit(com.members[0], eid, png(60 + i, 40, (i, 90, 200))) for i in range(3)]
    before = {(a["id"], kind): served(com.owner, a["id"], kind).content for a in arts for kind in ("image", "thumbnail")}
    assert blob_keys(old) == set()  # dir mode: nothing in the database
    old.stop()
    files = sorted(p for p in (old.data_dir / "images").glob("*/*/*") if not p.name.startswith("."))
    assert len(files) == 6

    # A damaged file is refused (and the others copied).
    bad = files[0].parent / ("0" * 64)
    bad.write_bytes(b"not what the name says")
    r = atelier("images", "import", "--db", old.db_url, "--data-dir", str(old.data_dir))
    assert r.returncode == 1 and "damaged" in r.stderr and str(bad) in r.stderr, (r.stdout, r.stderr)
    assert "6 image files" in r.stdout and "0 already there" in r.stdout, r.stdout
    bad.unlink()
    # Again: nothing more to copy.
    r = atelier("images", "import", "--db", old.db_url, "--data-dir", str(old.data_dir))
    assert r.returncode == 0, r.stderr
    assert "0 image files" in r.stdout and "6 already there" in r.stdout, r.stdout
    assert blob_keys(old) == {p.name for p in files}

    # A db-mode server with an empty data dir of its own serves them byte for byte.
    new = make_server("--rate-limits", "off", db_url=old.db_url, data_dir=tmp_path / "fresh")
    for (art_id, kind), content in before.items():
        assert served(new.client(com.owner.token), art_id, kind).content == content
    # So does one started on the old data dir with a cache far smaller than its images: the
    # dir-mode files are not its cache, so it leaves them alone (and warns that they are there).
    on_old = make_server("--rate-limits", "off", "--image-cache-mb", "1", db_url=old.db_url, data_dir=old.data_dir)
    for (art_id, kind), content in before.items():
        assert served(on_old.client(com.owner.token), art_id, kind).content == content
    assert sorted(p for p in (old.data_dir / "images").glob("*/*/*") if not p.name.startswith(".")) == files
    assert "atelier images import" in on_old.log_path.read_text(errors="replace")


# ---- the cache ------------------------------------------------------------------------------

@postgres_only
def test_the_cache_stays_under_image_cache_mb(make_server):
    server = make_server("--rate-limits", "off", "--image-cache-mb", "1")
    com = Community(server, members=1)
    eid = make_event(com.owner, com.gid, maxArtworksPerMember=10)["id"]
    artist = com.members[0]
    arts, originals = [], {}
    for i in range(6):  # ~300 KB each (and a thumbnail): about 2 MiB in all
        data = noise_png(320, 300, i)
        art = submit(artist, eid, data)
        arts.append(art)
        originals[art["id"]] = served(artist, art["id"]).content
        assert cache_bytes(server) <= 1 << 20, cache_bytes(server)
    assert sum(len(c) for c in originals.values()) > 1 << 20
    # Every image is still served whole (the evicted ones from the database again), and the
    # cache stays under its bound all along.
    for _ in range(2):
        for art in arts:
            assert served(artist, art["id"]).content == originals[art["id"]]
            assert cache_bytes(server) <= 1 << 20, cache_bytes(server)


@postgres_only
def test_cold_and_cached_serving_of_a_large_image(make_server, tmp_path):
    """Measures (and prints) serving a ~5 MB original from the database into an empty cache
    and from the cache; both are byte for byte the upload."""
    a = make_server("--rate-limits", "off")
    com = Community(a, members=1)
    eid = make_event(com.owner, com.gid, maxArtworksPerMember=10)["id"]
    data = noise_png(1300, 1300, 42)
    assert len(data) > 5_000_000
    art = submit(com.members[0], eid, data)
    b = make_server("--rate-limits", "off", db_url=a.db_url, data_dir=tmp_path / "cold")
    c = b.client(com.owner.token)
    timings = {}
    for label in ("cold", "cached", "cached again"):
        started = time.perf_counter()
        r = served(c, art["id"])
        timings[label] = time.perf_counter() - started
        assert len(r.content) > 5_000_000
    r304 = c.get(f"{API}/artworks/{art['id']}/image", headers={"If-None-Match": r.headers["ETag"]})
    assert r304.status_code == 304
    print(f"\n{len(r.content)} byte image served by a second process: " +
          ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in timings.items()))
    assert os.path.getsize(b.data_dir / "image-cache" / r.headers["ETag"].strip('"')[:2] /
                           r.headers["ETag"].strip('"')[2:4] / r.headers["ETag"].strip('"')) == len(r.content)
