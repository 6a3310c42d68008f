"""bench/event/run (issue 19) at a small size: a clean run passes every check, and a run
that loses an acknowledged artwork, vote and notification afterwards (--sabotage) fails
exactly those checks and exits 1. On PostgreSQL the bench runs two processes behind nginx."""
import os
import subprocess
import sys

from conftest import BACKEND, BIN, ROOT

SMALL = ["--members", "24", "--uploads", "8", "--open-seconds", "2", "--vote-seconds", "2", "--votes-per-member", "3",
         "--reads-per-second", "10", "--notifications", "2"]


def run_bench(*extra):
    env = dict(os.environ, ATELIER_BIN=str(BIN))
    return subprocess.run([sys.executable, str(ROOT / "bench" / "event" / "run"), "--db", BACKEND, *SMALL, *extra],
                          env=env, capture_output=True, text=True, timeout=300)


def check_lines(out):
    return {line[5:].split(":")[0]: line[:4] for line in out.splitlines() if line.startswith(("ok   ", "FAIL "))}


def test_a_clean_run_passes_every_check():
    r = run_bench()
    assert r.returncode == 0, r.stdout + r.stderr
    checks = check_lines(r.stdout)
    assert len(checks) >= 15 and set(checks.values()) == {"ok  "}, r.stdout
    assert "request errors: 0" in r.stdout
    for phase in ("OPEN", "VOTING", "MATCHING"):
        assert f"the EVENT_STATUS_UPDATE for {phase} reached all 24 streams" in checks
    if BACKEND == "postgres":
        assert "streams per process:" in r.stdout and "atelier-b" in r.stdout


def test_lost_artwork_vote_and_notification_are_found():
    r = run_bench("--sabotage")
    assert r.returncode == 1, r.stdout + r.stderr
    checks = check_lines(r.stdout)
    for name in ("every upload answered 201 is an artwork of its member with its dimensions",
                 "every vote answered 200 is in the database",
                 "every stream received every notification written for its member, once",
                 "every artist's stream received the VOTE_NOTIFICATION"):
        assert checks.get(name) == "FAIL", (name, r.stdout)
    # What was not touched still passes.
    for name in ("no vote that was not answered 200", "no stream dropped",
                 "each member's vote budget used equals the votes answered 200"):
        assert checks.get(name) == "ok  ", (name, r.stdout)
    assert "request errors: 0" in r.stdout
