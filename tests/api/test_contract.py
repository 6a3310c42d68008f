"""The contract check itself (openapi_contract.py, wired in conftest.py): it accepts what
docs/openapi.yaml documents, rejects what it does not, and is applied to every answer."""
import copy
import json
import re
import threading

import pytest
import requests

import openapi_contract
from openapi_contract import Contract, ContractViolation

API = "/api/v1"
JSON = "application/json"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def contract():
    return Contract()


def problem_body(status, code):
    return json.dumps({"type": "about:blank", "title": "t", "status": status, "detail": "d", "code": code}).encode()


def test_documented_answers_pass(contract):
    page = json.dumps({"items": [], "nextCursor": None}).encode()
    assert contract.problems("GET", f"http://h{API}/groups?limit=5", 200, JSON, page) == []
    assert contract.problems("GET", f"http://h{API}/groups", 401, PROBLEM, problem_body(401, "unauthenticated")) == []
    assert contract.problems("GET", "http://h/healthz", 200, JSON, b'{"status":"ok"}') == []
    # Unknown API path: a 404 problem. UI paths are not the API's business.
    assert contract.problems("GET", f"http://h{API}/nope", 404, PROBLEM, problem_body(404, "not_found")) == []
    assert contract.problems("GET", "http://h/groups/7", 200, "text/html", b"<html>") == []
    # The statuses any operation may answer.
    for status, code in [(429, "rate_limited"), (500, "internal_error"), (503, "unavailable"),
                         (431, "header_too_large")]:
        assert contract.problems("GET", f"http://h{API}/me", status, PROBLEM, problem_body(status, code)) == []
    # 413 on an operation with a body.
    assert contract.problems("POST", f"http://h{API}/groups", 413, PROBLEM,
                             problem_body(413, "payload_too_large")) == []
    # An event stream is not read.
    assert contract.problems("GET", f"http://h{API}/notifications/stream", 200, "text/event-stream", None) == []


def test_a_body_that_breaks_the_schema_fails(contract):
    assert contract.problems("GET", f"http://h{API}/groups", 200, JSON, b'{"items":"x","nextCursor":null}')
    assert contract.problems("GET", f"http://h{API}/groups", 200, JSON, b'{"items":[]}')  # missing nextCursor
    assert contract.problems("GET", f"http://h{API}/groups", 200, JSON, b'not json')
    assert contract.problems("GET", "http://h/healthz", 200, JSON, b'{"status":"fine"}')
    # A problem without a code, or whose status is not the HTTP status.
    assert contract.problems("GET", f"http://h{API}/groups", 401, PROBLEM,
                             b'{"type":"about:blank","title":"t","status":401}')
    assert contract.problems("GET", f"http://h{API}/groups", 401, PROBLEM, problem_body(403, "unauthenticated"))
    # A bad date-time.
    me = {"id": "1", "username": "ann", "email": "a@b.test", "emailVerified": True, "displayName": "Ann",
          "bio": "", "portfolioUrl": None, "createdAt": "yesterday"}
    found = contract.problems("GET", f"http://h{API}/me", 200, JSON, json.dumps(me).encode())
    assert any("yesterday" in f for f in found), found


def test_an_undocumented_status_or_content_type_fails(contract):
    found = contract.problems("POST", f"http://h{API}/groups", 418, PROBLEM, problem_body(418, "teapot"))
    assert found and "not documented" in found[0]
    assert contract.problems("GET", f"http://h{API}/groups", 413, PROBLEM, problem_body(413, "payload_too_large"))
    assert contract.problems("GET", f"http://h{API}/groups", 200, "text/html", b"<html>")
    assert contract.problems("GET", f"http://h{API}/groups", 401, JSON, problem_body(401, "unauthenticated"))
    # An unknown API path that does not answer 404; a known path with an unknown method.
    assert contract.problems("GET", f"http://h{API}/nope", 200, JSON, b"{}")
    assert contract.problems("DELETE", f"http://h{API}/auth/login", 404, PROBLEM, problem_body(404, "not_found"))
    assert contract.problems("DELETE", f"http://h{API}/auth/login", 405, PROBLEM,
                             problem_body(405, "method_not_allowed")) == []
    # Documented without a body, but one came.
    assert contract.problems("POST", f"http://h{API}/notifications/read-all", 204, JSON, b"{}")


def test_every_answer_of_the_tests_is_checked(server):
    """A document that the server's /healthz breaks fails plain requests calls, Sessions,
    the test Client, and also a call made in a thread whose exception is swallowed."""
    spec = copy.deepcopy(openapi_contract.load_spec())
    spec["components"]["schemas"]["Health"]["required"].append("uptime")
    old = openapi_contract.use_contract(Contract(spec))
    try:
        with pytest.raises(ContractViolation, match="uptime"):
            requests.get(server.url + "/healthz", timeout=10)
        with pytest.raises(ContractViolation):
            requests.Session().get(server.url + "/healthz", timeout=10)
        with pytest.raises(ContractViolation):
            server.client().get("/healthz")
        openapi_contract.violations.clear()

        def swallow():
            try:
                requests.get(server.url + "/healthz", timeout=10)
            except ContractViolation:
                pass
        t = threading.Thread(target=swallow)
        t.start()
        t.join()
        assert len(openapi_contract.violations) == 1, openapi_contract.violations
    finally:
        openapi_contract.use_contract(old)
        openapi_contract.violations.clear()
    # The real document accepts the real answer.
    assert requests.get(server.url + "/healthz", timeout=10).json() == {"status": "ok"}


SRC = openapi_contract.SPEC_PATH.parents[1] / "src"
# How the C++ code names a problem code (common/error.h, http/problem.h) or a field code
# (Validation::Add, FieldError lists).
_PROBLEM_CODE = [
    re.compile(r'(?:ApiError|Problem)\(\s*(?:\w+\s*,\s*)?\d{3}\s*,\s*"(\w+)"'),
    re.compile(r'\bConflict\(\s*"(\w+)"'),
    re.compile(r'\bForbidden\((?:[^;()]|\([^;()]*\))*?,\s*"(\w+)"\s*\)'),
    re.compile(r'\bstd::string code\s*=\s*"(\w+)"'),
]
_FIELD_CODE = [
    re.compile(r'\.Add\(\s*[^,;()]+(?:\([^;()]*\))?\s*,\s*"(\w+)"\s*,'),
    re.compile(r'\{\s*\{[^,{};]+,\s*"(\w+)"\s*,\s*"'),
]


def codes_in_source():
    problem, field = set(), set()
    for path in sorted(SRC.rglob("*")):
        if path.suffix not in (".cpp", ".h") or path.stem.endswith("_test"):
            continue
        text = re.sub(r"//[^\n]*", "", path.read_text(encoding="utf-8"))
        problem.update(m for rx in _PROBLEM_CODE for m in rx.findall(text))
        field.update(m for rx in _FIELD_CODE for m in rx.findall(text))
    return problem, field


def test_every_error_code_in_the_source_is_in_the_enum(contract):
    """The web UI's error table is generated from the enum, so a code the server answers
    and the enum lacks would reach users as a raw detail; the answer would also fail the
    contract check, but only in a test that provokes it."""
    problem, field = codes_in_source()
    # The scan must still see the codes it is known to find, or it checks nothing.
    assert {"bad_request", "not_found", "forbidden", "cannot_vote_own", "wrong_phase", "validation_failed",
            "header_too_large", "unavailable"} <= problem, problem
    assert {"invalid", "weak_password"} <= field, field
    missing = problem - contract.error_codes()
    assert not missing, f"add to ErrorCode (and x-user-messages) in docs/openapi.yaml: {sorted(missing)}"
    missing = field - contract.field_error_codes()
    assert not missing, f"add to FieldErrorCode in docs/openapi.yaml: {sorted(missing)}"


def test_every_error_code_has_a_user_message(contract):
    messages = contract.spec["components"]["schemas"]["ErrorCode"]["x-user-messages"]
    assert set(messages) == contract.error_codes()
    assert all(isinstance(m, str) and m.strip() for m in messages.values())


def test_an_unknown_code_fails_the_check(contract):
    assert contract.problems("GET", f"http://h{API}/groups", 401, PROBLEM, problem_body(401, "made_up")) != []
    bad_field = json.dumps({"type": "about:blank", "title": "t", "status": 422, "code": "validation_failed",
                            "errors": [{"field": "name", "code": "made_up", "message": "m"}]}).encode()
    assert contract.problems("POST", f"http://h{API}/groups", 422, PROBLEM, bad_field) != []
