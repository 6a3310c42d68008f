"""The artworks bench/event/run uploads: one real image per uploader, every one different.

Even-numbered images are PNGs written here (zlib, Debian's python3 only); odd-numbered
ones are JPEGs converted from such PNGs by one `vipsthumbnail` process (libvips-tools, in
scripts/install-deps), so the server decodes both formats. Sizes vary between 320 and
1,279 px on the long side: most are larger than the 480 px thumbnail, some are not. Each image's rows are slices of a wavy
colour band at offsets that depend on the image's number, so no two images have the same
pixels (the server stores images by the hash of their bytes).
"""
import math
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

_BAND = bytes(int(127 + 120 * math.sin(i / 37.0 + (i % 3) * 2.1)) for i in range(3 * 2400))


def dimensions(n):
    """(width, height) of image n: deterministic, spread over the sizes above."""
    long_side = 320 + (n * 389) % 960
    short_side = max(200, long_side * (55 + (n * 7) % 45) // 100)
    return (long_side, short_side) if n % 4 < 3 else (short_side, long_side)


def png(n):
    width, height = dimensions(n)
    stride = n % 11 + 1
    rows = []
    for y in range(height):
        off = 3 * ((n * 37 + y * stride + (y * y // (n % 97 + 3))) % 1024)
        rows.append(b"\x00" + _BAND[off:off + 3 * width])

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b""))


def make(count, directory):
    """Writes images 0..count-1 into `directory`; returns [(path, content type, (w, h))]."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    out, to_jpeg = [], []
    tool = shutil.which("vipsthumbnail")
    for n in range(count):
        p = d / f"art{n}.png"
        p.write_bytes(png(n))
        if n % 2 == 1 and tool:
            to_jpeg.append(p)
            out.append((d / f"art{n}.jpg", "image/jpeg", dimensions(n)))
        else:
            out.append((p, "image/png", dimensions(n)))
    # One process converts them all; the size is larger than any image, and ">" keeps
    # vipsthumbnail from enlarging, so each JPEG has its PNG's dimensions.
    for i in range(0, len(to_jpeg), 200):
        subprocess.run([tool, *map(str, to_jpeg[i:i + 200]), "-s", "4000x4000>", "-o", "%s.jpg[Q=85,strip]"],
                       check=True, capture_output=True)
    return out
