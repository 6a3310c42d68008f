"""`atelier demo` (docs/product.md §1): a demo community with known logins and an event in each phase."""
import subprocess

from conftest import BIN, Server


def test_demo_fills_an_empty_database_once(make_server, tmp_path):
    pg = make_server.pg_cluster
    db_url = pg.new_database() if pg else f"sqlite:{tmp_path}/demo.db"
    args = [str(BIN), "demo", "--db", db_url, "--data-dir", str(tmp_path / "data")]
    first = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "ada" in first.stdout and "atelier-demo" in first.stdout
    again = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "nothing added" in again.stdout

    srv = Server(db_url, tmp_path, ["--rate-limits", "off"])
    try:
        ada = srv.login("ada", "atelier-demo")
        groups = ada.get("/api/v1/groups").json()["items"]
        assert [g["name"] for g in groups] == ["Sketch Club"]
        assert groups[0]["memberCount"] == 5 and groups[0]["myRole"] == "owner"
        events = ada.get(f"/api/v1/groups/{groups[0]['id']}/events").json()["items"]
        assert sorted(e["phase"] for e in events) == ["CLOSED", "MATCHING", "OPEN", "VOTING"]
        closed = next(e for e in events if e["phase"] == "CLOSED")
        results = ada.get(f"/api/v1/events/{closed['id']}/results").json()["items"]
        assert len(results) == 5 and results[0]["rank"] == 1
        art = ada.get(f"/api/v1/events/{closed['id']}/artworks").json()["items"][0]
        img = ada.get(art["thumbnailUrl"] if art["thumbnailUrl"].startswith("/") else "/" + art["thumbnailUrl"])
        assert img.status_code == 200 and img.headers["Content-Type"].startswith("image/")
    finally:
        srv.stop()
