"""docs/product.md §1 mail: the mail dir, and SMTP to a real server on loopback (aiosmtpd), with
retries when the server is away; each mail delivered once."""
import mailbox
import socket
import subprocess
import time

import pytest

from conftest import unique


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self, directory, port):
        self.dir = directory
        self.port = port
        self.proc = subprocess.Popen(["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                                      "-c", "aiosmtpd.handlers.Mailbox", str(directory)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("aiosmtpd did not start")

    def messages(self):
        if not self.dir.exists():
            return []
        return list(mailbox.Maildir(str(self.dir), create=False))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def wait_for(fn, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    return fn()


def test_mail_dir_files_are_rfc5322(server):
    u = server.register()
    msg = server.wait_mail(u["email"], "verify")[0]
    assert msg["To"] == u["email"]
    assert "no-reply@localhost" in msg["From"]
    assert msg["Message-ID"].startswith("<") and msg["Message-ID"].endswith(">")
    assert msg.get_content_type() == "text/plain"
    files = list(server.mail_dir.glob("*.eml"))
    assert files and not list(server.mail_dir.glob(".*.tmp"))


def test_smtp_delivery_to_a_real_server(make_server, tmp_path):
    port = free_port()
    smtp = SmtpServer(tmp_path / "maildir", port)
    try:
        srv = make_server("--rate-limits", "off", "--smtp-url", f"smtp://127.0.0.1:{port}",
                          "--smtp-from", "Atelier Tests <atelier@example.test>")
        u = srv.register()
        msgs = wait_for(lambda: [m for m in smtp.messages() if u["email"] in m["To"]])
        assert len(msgs) == 1, msgs
        m = msgs[0]
        assert "atelier@example.test" in m["From"]
        assert "verify" in m["Subject"].lower()
        assert "/verify-email?token=" in m.get_payload(decode=True).decode()
        assert not list(srv.mail_dir.glob("*.eml"))  # SMTP, not the mail dir
    finally:
        smtp.stop()


def test_smtp_outage_keeps_mail_queued_and_delivers_once_later(make_server, tmp_path):
    port = free_port()  # nothing listens here yet
    srv = make_server("--rate-limits", "off", "--smtp-url", f"smtp://127.0.0.1:{port}")
    users = [srv.register() for _ in range(3)]
    time.sleep(1.5)  # the sender has tried and failed at least once
    smtp = SmtpServer(tmp_path / "late-maildir", port)
    try:
        def delivered():
            tos = [m["To"] for m in smtp.messages()]
            return tos if all(any(u["email"] in t for t in tos) for u in users) else None

        tos = wait_for(delivered, timeout=30)
        assert tos, "queued mail was not delivered once the SMTP server came back"
        time.sleep(2)  # nothing more arrives: each mail went out once
        tos = [m["To"] for m in smtp.messages()]
        for u in users:
            assert sum(u["email"] in t for t in tos) == 1, tos
    finally:
        smtp.stop()
