"""Checks real server answers against docs/openapi.yaml, as web/e2e/support/contract.ts does
for the browser tests. conftest.py routes every `requests` answer of the API tests through
`check()`, so the server and the contract cannot drift apart unnoticed.

What is checked, for a path the document lists (or any path under /api/):
- the operation exists (an unknown /api/ path must answer 404, a known path with an
  undocumented method 405, both as problem+json);
- the status is documented for that operation, or is one the document's conventions allow
  on every operation (its `x-any-operation-responses`; 413 on any operation with a body);
- the Content-Type is one the status documents, and a documented-empty answer is empty;
- a JSON body validates against the documented schema (JSON Schema 2020-12, $refs
  resolved inside the document), and a problem's `status` equals the HTTP status.

Only answers are checked, never requests: tests that send garbage still get checked answers.
Validators are compiled once per (schema pointer) and cached for the process.
"""
import datetime
import functools
import json
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import yaml

SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"

PROBLEM = "application/problem+json"


class ContractViolation(AssertionError):
    """An answer that docs/openapi.yaml does not allow."""


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _format_checker():
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("date-time")
    def date_time(value):
        if not isinstance(value, str):
            return True
        if not _RFC3339.match(value):
            return False
        datetime.datetime.fromisoformat(value[:19])  # raises on 2026-13-40
        return True

    @checker.checks("email")
    def email(value):
        return not isinstance(value, str) or re.fullmatch(r"[^@\s]+@[^@\s]+", value) is not None

    @checker.checks("uri")
    def uri(value):
        return not isinstance(value, str) or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$", value) is not None

    return checker


def load_spec():
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def _escape(token):
    return token.replace("~", "~0").replace("/", "~1")


class Contract:
    """The parsed document, its route table and a cache of compiled validators.
    Thread-safe: tests call it from their own threads too."""

    def __init__(self, spec=None):
        """spec: the parsed document; docs/openapi.yaml when None."""
        self.spec = spec if spec is not None else load_spec()
        self._resolver = jsonschema.RefResolver.from_schema(self.spec)
        self._formats = _format_checker()
        self._validators = {}
        self._lock = threading.Lock()
        routes = []
        for template, ops in self.spec["paths"].items():
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            routes.append((template, re.compile(f"^{pattern}$"), ops))
        # Literal paths first (/notifications/read-all before /notifications/{id}/read).
        routes.sort(key=lambda r: "{" in r[0])
        self.routes = routes
        self.any_operation = {str(k): v["$ref"] for k, v in self.spec["x-any-operation-responses"].items()}
        for pointer in self.any_operation.values():
            self.resolve(pointer)  # fails at start-up if the document lacks one

    def resolve(self, pointer):
        """The object at a local "#/a/b" pointer, following $refs."""
        obj = self.spec
        for part in pointer.lstrip("#/").split("/"):
            obj = obj[part.replace("~1", "/").replace("~0", "~")]
        if isinstance(obj, dict) and "$ref" in obj:
            return self.resolve(obj["$ref"])
        return obj

    def validator(self, pointer):
        with self._lock:
            v = self._validators.get(pointer)
            if v is None:
                v = jsonschema.Draft202012Validator({"$ref": pointer}, resolver=self._resolver,
                                                    format_checker=self._formats)
                self._validators[pointer] = v
            return v

    @functools.lru_cache(maxsize=None)
    def route(self, path):
        for template, regex, ops in self.routes:
            if regex.match(path):
                return template, ops
        return None, None

    def problems(self, method, url, status, content_type, body):
        """Returns what is wrong with one answer ([] when it matches the contract).
        body: bytes, or None when it was not read (a stream)."""
        path = urlsplit(url).path
        m = method.lower()
        what = f"{method} {path} → {status}"
        template, ops = self.route(path)
        if template is None:
            if not path.startswith("/api/"):
                return []  # the UI's files and index.html
            if status != 404:
                return [f"{what}: no such operation in openapi.yaml"]
            return self._check_body(what, "#/components/responses/NotFound", status, content_type, body)
        if m not in ops:
            if status != 405:
                return [f"{what}: {method} {template} is not in openapi.yaml"]
            return self._check_body(what, self.any_operation["405"], status, content_type, body)
        responses = ops[m]["responses"]
        key = str(status)
        if key in responses:
            pointer = f"#/paths/{_escape(template)}/{m}/responses/{key}"
        elif f"{key[0]}XX" in responses:
            pointer = f"#/paths/{_escape(template)}/{m}/responses/{key[0]}XX"
        elif key in self.any_operation:
            pointer = self.any_operation[key]
        elif key == "413" and "requestBody" in ops[m]:
            pointer = "#/components/responses/PayloadTooLarge"  # any body over the limit
        else:
            return [f"{what}: status {status} is not documented for {method} {template} "
                    f"(documented: {', '.join(sorted(responses))})"]
        return self._check_body(what, pointer, status, content_type, body)

    def _check_body(self, what, pointer, status, content_type, body):
        response = self.resolve(pointer)
        ct = (content_type or "").split(";")[0].strip().lower()
        content = response.get("content")
        if not content:
            if body:
                return [f"{what}: documented without a body, but has {ct or 'a body'}: {body[:200]!r}"]
            return []
        if ct not in content:
            return [f"{what}: Content-Type {ct or '(none)'} is not documented (expected {', '.join(content)})"]
        if body is None or not ct.endswith("json"):
            return []
        try:
            data = json.loads(body)
        except ValueError:
            return [f"{what}: the body is not JSON: {body[:200]!r}"]
        # Reached through the response's own pointer so that $refs resolve in the document.
        while "$ref" in self._at(pointer):
            pointer = self._at(pointer)["$ref"]
        errors = sorted(self.validator(f"{pointer}/content/{_escape(ct)}/schema").iter_errors(data),
                        key=lambda e: list(e.absolute_path))
        out = [f"{what}: at /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]]
        if not out and ct == PROBLEM and data.get("status") != status:
            out.append(f"{what}: the problem's status {data.get('status')} is not the HTTP status")
        if out:
            out.append(f"  body: {body[:400]!r}")
        return out

    def _at(self, pointer):
        obj = self.spec
        for part in pointer.lstrip("#/").split("/"):
            obj = obj[part.replace("~1", "/").replace("~0", "~")]
        return obj

    def error_codes(self):
        """The enum of problem codes (components/schemas/ErrorCode)."""
        return set(self.spec["components"]["schemas"]["ErrorCode"]["enum"])

    def field_error_codes(self):
        return set(self.spec["components"]["schemas"]["FieldErrorCode"]["enum"])


_contract = None
_contract_lock = threading.Lock()


def contract():
    """The process's Contract of docs/openapi.yaml, made on first use."""
    global _contract
    with _contract_lock:
        if _contract is None:
            _contract = Contract()
        return _contract


def use_contract(c):
    """Replaces the process's Contract (for the checker's own tests); returns the old one."""
    global _contract
    with _contract_lock:
        old, _contract = _contract, c
        return old


# Mismatches seen during the running test (conftest.py fails the test on any, also on one
# that the test itself caught). Each xdist worker is a process running one test at a time.
violations = []


def check_response(response, streamed):
    """Raises ContractViolation when a requests.Response breaks the contract. A streamed
    answer's body is read only when it is JSON (finite); an event stream is left alone."""
    req = response.request
    ct = response.headers.get("Content-Type")
    body = None
    if req.method != "HEAD" and (not streamed or (ct or "").split(";")[0].strip().endswith("json")):
        body = response.content
    found = contract().problems(req.method, req.url, response.status_code, ct, body)
    if found:
        raise ContractViolation("answer does not match docs/openapi.yaml:\n" + "\n".join(found))
