"""Helpers shared by test_events.py, test_artworks.py and test_voting.py: groups with
members, events, phase changes, notifications, and real images made here (PNG by hand
with zlib+struct; JPEG, WebP and GIF converted with the `vips` CLI from libvips-tools)."""
import datetime
import struct
import subprocess
import tempfile
import time
import zlib
from pathlib import Path

from conftest import unique

API = "/api/v1"
VIPS = "/usr/bin/vips"


# --- time ---------------------------------------------------------------------------------
def iso(seconds_from_now):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- groups -------------------------------------------------------------------------------
def make_group(server, owner, members=(), admins=()):
    """A group owned by `owner` with the given clients as members or admins; returns its id."""
    r = owner.post(f"{API}/groups", json={"name": unique("grp")[:60]})
    assert r.status_code == 201, r.text
    gid = r.json()["id"]
    for c in list(members) + list(admins):
        r = owner.post(f"{API}/groups/{gid}/invitations", json={"username": c.username})
        assert r.status_code == 201, r.text
        r = c.post(f"{API}/invitations/{r.json()['id']}/accept")
        assert r.status_code == 200, r.text
    for c in admins:
        r = owner.patch(f"{API}/groups/{gid}/members/{c.id}", json={"role": "admin"})
        assert r.status_code == 200, r.text
    return gid


class Community:
    """An owner, an admin, members and an outsider, all logged in, in one group."""

    def __init__(self, server, members=2):
        self.server = server
        self.owner = server.user()
        self.admin = server.user()
        self.members = [server.user() for _ in range(members)]
        self.outsider = server.user()
        self.gid = make_group(server, self.owner, members=self.members, admins=[self.admin])

    @property
    def everyone(self):
        return [self.owner, self.admin, *self.members]


def make_event(client, gid, **fields):
    body = {"name": unique("event"), **fields}
    r = client.post(f"{API}/groups/{gid}/events", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def advance(client, eid, to):
    r = client.post(f"{API}/events/{eid}/advance", json={"to": to})
    assert r.status_code == 200, r.text
    assert r.json()["phase"] == to
    return r.json()


def advance_to(client, eid, phase):
    order = ["OPEN", "VOTING", "MATCHING", "CLOSED"]
    current = client.get(f"{API}/events/{eid}").json()["phase"]
    for p in order[order.index(current) + 1:order.index(phase) + 1]:
        advance(client, eid, p)


# --- notifications ------------------------------------------------------------------------
def notifications(client, type_=None):
    """Every notification of the caller (all pages), newest first."""
    out, cursor = [], None
    while True:
        params = {"limit": 100}
        if cursor:
            params["cursor"] = cursor
        r = client.get(f"{API}/notifications", params=params)
        assert r.status_code == 200, r.text
        out += r.json()["items"]
        cursor = r.json()["nextCursor"]
        if not cursor:
            break
    return [n for n in out if type_ is None or n["type"] == type_]


def wait_for(predicate, timeout=10, interval=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


# --- images -------------------------------------------------------------------------------
def png(width=64, height=48, rgb=(200, 30, 60)):
    """A real RGB PNG made by hand: every row a filter byte 0 and the colour."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def png_bomb(width=30000, height=30000):
    """A valid 1-bit grayscale PNG of 900 megapixels (over the 100 MP limit): ~110 KB on
    the wire, ~112 MB once inflated."""
    comp = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    body = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)) +
            chunk(b"IDAT", body) + chunk(b"IEND", b""))


def convert(data, suffix):
    """Converts image bytes with the vips CLI to the format of `suffix` (.jpg .webp .gif)."""
    with tempfile.TemporaryDirectory() as d:
        src, dst = Path(d) / "in.png", Path(d) / f"out{suffix}"
        src.write_bytes(data)
        subprocess.run([VIPS, "copy", str(src), str(dst)], check=True, capture_output=True)
        return dst.read_bytes()


def image_size(data):
    """(width, height) as vipsheader reads the bytes."""
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["/usr/bin/vipsheader", "-f", "width", f.name], check=True, capture_output=True,
                             text=True).stdout
        h = subprocess.run(["/usr/bin/vipsheader", "-f", "height", f.name], check=True, capture_output=True,
                           text=True).stdout
        return int(out), int(h)


GPS_MARK = b"ATELIERSECRETCAM"


def exif_gps_segment():
    """An APP1 Exif segment: IFD0 with Make=GPS_MARK and a GPS IFD (48°51'29.73" N)."""
    le = "<"
    ifd0_off, make_off, gps_off = 8, 38, 56
    ifd0 = struct.pack(le + "H", 2)
    ifd0 += struct.pack(le + "HHII", 0x010F, 2, len(GPS_MARK) + 1, make_off)  # Make
    ifd0 += struct.pack(le + "HHII", 0x8825, 4, 1, gps_off)  # GPSInfo pointer
    ifd0 += struct.pack(le + "I", 0)
    make = GPS_MARK + b"\x00"
    make += b"\x00" * (gps_off - make_off - len(make))
    rationals_off = gps_off + 2 + 3 * 12 + 4
    gps = struct.pack(le + "H", 3)
    gps += struct.pack(le + "HHI", 0x0000, 1, 4) + bytes([2, 2, 0, 0])  # GPSVersionID
    gps += struct.pack(le + "HHI", 0x0001, 2, 2) + b"N\x00\x00\x00"  # GPSLatitudeRef
    gps += struct.pack(le + "HHII", 0x0002, 5, 3, rationals_off)  # GPSLatitude
    gps += struct.pack(le + "I", 0)
    gps += struct.pack(le + "IIIIII", 48, 1, 51, 1, 2973, 100)
    tiff = b"II*\x00" + struct.pack(le + "I", ifd0_off) + ifd0 + make + gps
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with_gps(width=64, height=48):
    jpg = convert(png(width, height, (10, 120, 200)), ".jpg")
    assert jpg[:2] == b"\xff\xd8"
    return jpg[:2] + exif_gps_segment() + jpg[2:]


# --- uploads ------------------------------------------------------------------------------
def upload(client, eid, image=None, title="An artwork", description=None, filename="art.png",
           content_type="image/png"):
    files = {"title": (None, title)}
    if description is not None:
        files["description"] = (None, description)
    if image is not None:
        files["image"] = (filename, image, content_type)
    return client.post(f"{API}/events/{eid}/artworks", files=files)


def submit(client, eid, image=None, **kw):
    r = upload(client, eid, image if image is not None else png(), **kw)
    assert r.status_code == 201, r.text
    return r.json()


# --- direct database access (for rows whose API belongs to a later feature) ---------------
def sql(server, statement):
    """Runs one statement against the server's database (SQLite file or PostgreSQL)."""
    if server.db_url.startswith("sqlite:"):
        import sqlite3
        con = sqlite3.connect(server.db_url[len("sqlite:"):], timeout=10)
        try:
            con.execute(statement)
            con.commit()
        finally:
            con.close()
    else:
        subprocess.run(["/usr/bin/psql", server.db_url, "-v", "ON_ERROR_STOP=1", "-qc", statement], check=True,
                       capture_output=True)
