"""docs/product.md §1–§2: health, limits, errors, the UI fallback, request ids, shutdown."""
import socket
import threading
import time

import requests

from conftest import problem


def test_healthz_and_readyz(server):
    r = requests.get(server.url + "/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    r = requests.get(server.url + "/readyz")
    assert r.status_code == 200


def test_metrics_are_prometheus_text(server):
    requests.get(server.url + "/healthz")
    r = requests.get(server.url + "/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain")
    assert 'atelier_http_requests_total{route="/healthz",status="200"}' in r.text
    assert "atelier_http_request_duration_seconds_bucket" in r.text
    assert "atelier_db_pool_in_use" in r.text


def test_unknown_api_path_is_404_problem_with_or_without_auth(server):
    problem(requests.get(server.url + "/api/v1/nope"), 404, "not_found")
    problem(requests.get(server.url + "/api/v1/nope", headers={"Authorization": "Bearer x"}), 404, "not_found")
    problem(requests.post(server.url + "/api/v1/groups/1/nope"), 404, "not_found")


def test_other_paths_answer_the_ui_index(server):
    for path in ["/", "/groups/123", "/verify-email?token=abc", "/invitations"]:
        r = requests.get(server.url + path)
        assert r.status_code == 200, path
        assert r.headers["Content-Type"].startswith("text/html"), path


def test_malformed_json_and_wrong_content_type(server):
    c = server.client()
    r = c.post("/api/v1/auth/login", data="{not json", headers={"Content-Type": "application/json"})
    problem(r, 400, "bad_request")
    r = c.post("/api/v1/auth/login", data='{"login":"a","password":"b"}', headers={"Content-Type": "text/plain"})
    problem(r, 400, "bad_request")
    r = c.post("/api/v1/auth/login", json=["array"])
    problem(r, 400, "bad_request")


def test_json_body_over_one_mebibyte_is_413(server):
    big = '{"login":"' + "a" * (1024 * 1024 + 10) + '"}'
    r = requests.post(server.url + "/api/v1/auth/login", data=big, headers={"Content-Type": "application/json"})
    problem(r, 413, "payload_too_large")


def test_headers_over_16_kib_are_431(server):
    r = requests.get(server.url + "/healthz", headers={"X-Big": "a" * (17 * 1024)})
    problem(r, 431, "header_too_large")


def test_request_id_is_echoed_or_made(server):
    r = requests.get(server.url + "/healthz", headers={"X-Request-Id": "abc-123"})
    assert r.headers["X-Request-Id"] == "abc-123"
    r = requests.get(server.url + "/healthz")
    assert r.headers["X-Request-Id"]


def test_keep_alive_serves_several_requests_on_one_connection(server):
    s = requests.Session()
    for _ in range(5):
        assert s.get(server.url + "/healthz").status_code == 200


def test_slow_client_cannot_hold_a_connection_forever_and_others_are_served(make_server):
    srv = make_server("--rate-limits", "off", env={"ATELIER_HEADER_TIMEOUT_S": "1"})
    host, port = srv.url.replace("http://", "").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finishes its headers
    assert requests.get(srv.url + "/healthz", timeout=5).status_code == 200
    sock.settimeout(5)
    start = time.time()
    data = sock.recv(100)  # the server closes it after the header timeout
    assert data == b"" and time.time() - start < 4.5
    sock.close()


def test_sigterm_finishes_requests_in_flight_and_exits_zero(make_server):
    srv = make_server("--rate-limits", "off")
    c = srv.client()
    results = []

    def slow_register(i):
        # Registration hashes a password (tens of ms): in flight when SIGTERM arrives.
        r = c.post("/api/v1/auth/register", json={"username": f"sigterm_{i}", "email": f"sigterm_{i}@example.test",
                                                   "password": "long enough password"})
        results.append(r.status_code)

    threads = [threading.Thread(target=slow_register, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.02)
    code = srv.stop()
    for t in threads:
        t.join()
    assert code == 0
    # Every request that reached the server got its full answer; none was cut off.
    assert all(s == 201 for s in results), results
