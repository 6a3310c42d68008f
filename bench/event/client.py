"""HTTP/1.1 and server-sent events over asyncio streams, for bench/event/run.

Plain sockets and one event loop (Debian's python3 only): the load generator shares the
machine's two cores with the servers it measures, so it must cost little per request and
nothing per idle stream.
"""
import asyncio
import json
import time


class HttpError(Exception):
    pass


class Response:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


async def read_head(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise HttpError(f"bad status line {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        if line:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
    return int(parts[1]), headers


async def read_chunk(reader):
    """One chunk of a chunked body: its bytes, or b"" for the last."""
    size_line = await reader.readuntil(b"\r\n")
    size = int(size_line.split(b";", 1)[0], 16)
    if size == 0:
        while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
            pass
        return b""
    data = await reader.readexactly(size + 2)
    return data[:-2]


class Conn:
    """One keep-alive connection; one request at a time."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None
        self.last_used = 0.0

    def usable(self, max_idle):
        return (self.writer is not None and not self.reader.at_eof() and not self.writer.is_closing()
                and time.monotonic() - self.last_used < max_idle)

    async def connect(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method, path, headers=None, body=b""):
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status, h = await read_head(self.reader)
        if h.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while chunk := await read_chunk(self.reader):
                parts.append(chunk)
            data = b"".join(parts)
        elif "content-length" in h:
            data = await self.reader.readexactly(int(h["content-length"]))
        elif status in (204, 304) or method == "HEAD":
            data = b""
        else:
            data = await self.reader.read()
            h["connection"] = "close"
        if h.get("connection", "").lower() == "close":
            self.close()
        self.last_used = time.monotonic()
        return Response(status, h, data)


class Pool:
    """At most `size` keep-alive connections to one address, shared by every task. A
    connection idle longer than the server keeps one (15 s) is replaced before use, so a
    request is never sent on a connection the server is closing."""

    def __init__(self, host, port, size, max_idle=10.0):
        self.host, self.port, self.max_idle = host, port, max_idle
        self.free = asyncio.LifoQueue()
        for _ in range(size):
            self.free.put_nowait(Conn(host, port))

    async def request(self, method, path, headers=None, body=b"", timeout=60.0):
        conn = await self.free.get()
        try:
            if not conn.usable(self.max_idle):
                conn.close()
                await asyncio.wait_for(conn.connect(), timeout)
            return await asyncio.wait_for(conn.request(method, path, headers, body), timeout)
        except BaseException:
            conn.close()
            raise
        finally:
            self.free.put_nowait(conn)

    def close(self):
        while not self.free.empty():
            self.free.get_nowait().close()


def multipart(fields, files):
    """(content type, body) of a multipart/form-data request. files: name -> (filename,
    content type, bytes)."""
    boundary = "atelier-bench-5b1d0c3e9a7f"
    out = []
    for name, value in fields.items():
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, ctype, data) in files.items():
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                   f'Content-Type: {ctype}\r\n\r\n'.encode() + data + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(out)


class Stream:
    """One member's notification stream (GET /notifications/stream), kept open. Every
    notification received is kept with its arrival time; `on_event` sees each as it comes.
    A stream the server or a proxy ends early counts as dropped and is opened again with
    Last-Event-ID, as a browser does, so what it missed can still be checked."""

    def __init__(self, host, port, token, member):
        self.host, self.port, self.token, self.member = host, port, token, member
        self.received = []  # (monotonic time, notification id, notification dict)
        self.drops = []  # why the stream ended early, once per drop
        self.opened = asyncio.Event()
        self.open_seconds = None
        self.upstream = None
        self.closing = False
        self.writer = None
        self.last_id = None

    async def open_once(self):
        t = time.monotonic()
        reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)
        lines = ["GET /api/v1/notifications/stream HTTP/1.1", f"Host: {self.host}:{self.port}",
                 f"Authorization: Bearer {self.token}", "Accept: text/event-stream"]
        if self.last_id is not None:
            lines.append(f"Last-Event-ID: {self.last_id}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        status, headers = await read_head(reader)
        if status != 200:
            raise HttpError(f"stream answered {status}")
        self.upstream = headers.get("x-upstream", self.upstream)
        chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        return t, reader, chunked

    async def run(self, on_event):
        while not self.closing:
            try:
                t, reader, chunked = await self.open_once()
                buf = b""
                while True:
                    data = await read_chunk(reader) if chunked else await reader.read(65536)
                    if not data:
                        break
                    buf += data
                    while (end := buf.find(b"\n\n")) >= 0:
                        block, buf = buf[:end], buf[end + 2:]
                        self._block(block, t, on_event)
                if not self.closing:
                    self.drops.append("ended by the server")
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, HttpError, ValueError) as e:
                if self.closing:
                    break
                self.drops.append(f"{type(e).__name__}: {e}")
                await asyncio.sleep(0.5)
            finally:
                if self.writer is not None:
                    self.writer.close()
            if not self.opened.is_set() and len(self.drops) > 5:
                return

    def _block(self, block, t_open, on_event):
        now = time.monotonic()
        if not self.opened.is_set():  # the first block is the ": stream open" comment
            self.open_seconds = now - t_open
            self.opened.set()
        nid = data = None
        for line in block.decode().split("\n"):
            if line.startswith("id:"):
                nid = int(line[3:].strip())
            elif line.startswith("data:"):
                data = line[5:].lstrip()
        if data is None:
            return
        n = json.loads(data)
        self.last_id = nid
        self.received.append((now, nid, n))
        on_event(self, now, n)

    def close(self):
        self.closing = True
        if self.writer is not None:
            self.writer.close()
