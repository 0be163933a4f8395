"""Every route of the REST API, as its OpenAPI document lists them, asked with bad ids, bad
query values, bad bodies, bodies too large and methods it does not serve: each answer is the
API's one error shape, `{"detail": [{"loc": [...], "msg": "..."}]}`, with the status that says
what went wrong and `loc` in the one convention (docs/api.md, "Errors"), and nothing is
logged with a traceback. A route added later is walked too."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client

from tests.api_fixtures import Api
from tests.web_fixtures import clinic, user
from venowatch.api.v1 import api as v1
from venowatch.clinic.models import Role

pytestmark = pytest.mark.django_db

PARTS = {"path", "query", "header", "body"}
METHODS = ("get", "post", "put", "patch", "delete")


def _routes() -> list[tuple[str, str, dict[str, Any]]]:
    paths = v1.get_openapi_schema()["paths"]
    return [(m.upper(), p, op) for p, ops in paths.items() for m, op in ops.items()]


ROUTES = _routes()
BODIES = [r for r in ROUTES if "requestBody" in r[2]]
ROUTE_IDS = [f"{m} {p}" for m, p, _ in ROUTES]
BODY_IDS = [f"{m} {p}" for m, p, _ in BODIES]


def _params(op: dict[str, Any], where: str) -> list[dict[str, Any]]:
    return [p for p in op.get("parameters", []) if p["in"] == where]


def _url(path: str, **given: str) -> str:
    for name in [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]:
        path = path.replace("{" + name + "}", given.get(name, "1"))
    return path


def problems(response: Any, status: int) -> list[dict[str, Any]]:
    """The answer's problems, once it is checked to be the API's error shape with `status`."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert list(body) == ["detail"], body
    assert body["detail"], body
    for item in body["detail"]:
        assert isinstance(item["loc"], list), item
        assert not item["loc"] or item["loc"][0] in PARTS, item
        assert isinstance(item["msg"], str), item
        assert item["msg"].strip(), item
        assert "None" not in item["msg"], item
    return list(body["detail"])


def locs(response: Any, status: int) -> list[list[Any]]:
    return [item["loc"] for item in problems(response, status)]


@pytest.fixture
def staff() -> Api:
    return Api(user("alex", clinic("Clinic A"), Role.ADVOCATE))


@pytest.fixture(autouse=True)
def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.INFO)
    yield
    logged = [r for r in caplog.get_records("call") if r.exc_info or r.levelno >= logging.ERROR]
    assert not logged, [r.getMessage() for r in logged]


def _send(staff: Api, method: str, url: str, raw: bytes | None = None, **headers: str) -> Any:
    return staff.client.generic(
        method,
        url,
        raw if raw is not None else b"",
        content_type="application/json",
        headers={"Authorization": f"Bearer {staff.secret}", **headers},
    )


def test_the_walk_covers_the_api() -> None:
    assert len(ROUTES) >= 20, ROUTE_IDS
    assert len(BODIES) >= 10, BODY_IDS


@pytest.mark.parametrize(("method", "path", "op"), ROUTES, ids=ROUTE_IDS)
def test_a_path_id_that_is_not_a_number_is_a_404_naming_it(
    staff: Api, method: str, path: str, op: dict[str, Any]
) -> None:
    for param in _params(op, "path"):
        name = param["name"]
        answer = _send(staff, method, _url(path, **{name: "abc"}))
        (problem,) = problems(answer, 404)
        assert problem["loc"] == ["path", name]
        assert "'abc' is not an id" in problem["msg"]
        assert "{" + name + "}" in problem["msg"]


@pytest.mark.parametrize(("method", "path", "op"), ROUTES, ids=ROUTE_IDS)
def test_a_path_id_out_of_range_is_a_422_naming_it(
    staff: Api, method: str, path: str, op: dict[str, Any]
) -> None:
    for param in _params(op, "path"):
        for bad in ("0", "99999999999999999999"):
            answer = _send(staff, method, _url(path, **{param["name"]: bad}), b"{}")
            assert ["path", param["name"]] in locs(answer, 422)


def _bad_value(schema: dict[str, Any]) -> str | None:
    """A value the parameter's schema refuses, or None if it takes any text."""
    kinds = [schema, *schema.get("anyOf", [])]
    if any(k.get("type") in ("integer", "boolean") or "$ref" in k or "enum" in k for k in kinds):
        return "abc!"
    if any(k.get("format") == "date-time" for k in kinds):
        return "yesterday"
    longest = [k["maxLength"] for k in kinds if "maxLength" in k]
    return "x" * (longest[0] + 1) if longest else None


@pytest.mark.parametrize(("method", "path", "op"), ROUTES, ids=ROUTE_IDS)
def test_a_bad_query_or_header_value_is_a_422_naming_it(
    staff: Api, method: str, path: str, op: dict[str, Any]
) -> None:
    for where in ("query", "header"):
        for param in _params(op, where):
            bad = _bad_value(param["schema"])
            assert bad is not None, f"no bad value known for {param}"
            url = _url(path)
            if where == "query":
                answer = staff.client.generic(
                    method, f"{url}?{param['name']}={bad}", b"{}",
                    content_type="application/json",
                    headers={"Authorization": f"Bearer {staff.secret}"},
                )  # fmt: skip
            else:
                answer = _send(staff, method, url, b"{}", **{param["name"]: bad})
            assert [where, param["name"]] in locs(answer, 422)


def _properties(op: dict[str, Any]) -> set[str]:
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1]
    return set(v1.get_openapi_schema()["components"]["schemas"][name]["properties"])


@pytest.mark.parametrize(("method", "path", "op"), BODIES, ids=BODY_IDS)
def test_a_bad_body_names_each_field_as_it_was_sent(
    staff: Api, method: str, path: str, op: dict[str, Any]
) -> None:
    answer = _send(staff, method, _url(path), b'{"unexpected": 1}')
    named = locs(answer, 422)
    assert ["body", "unexpected"] in named
    for loc in named:
        assert loc[0] == "body", loc
        assert loc[1] in _properties(op) | {"unexpected"}, loc


@pytest.mark.parametrize(("method", "path", "op"), BODIES, ids=BODY_IDS)
def test_a_body_that_is_not_an_object_or_not_json_names_the_body(
    staff: Api, method: str, path: str, op: dict[str, Any]
) -> None:
    assert locs(_send(staff, method, _url(path), b"[1, 2]"), 422) == [["body"]]
    assert locs(_send(staff, method, _url(path), b'{"note": '), 400) == [["body"]]
    empty = problems(_send(staff, method, _url(path), b""), 422)
    assert [p["loc"] for p in empty] == [["body"]]
    assert "no body" in empty[0]["msg"]


@pytest.mark.parametrize(("method", "path", "op"), BODIES, ids=BODY_IDS)
def test_a_body_over_the_limit_is_a_413(
    staff: Api, method: str, path: str, op: dict[str, Any], settings: Any
) -> None:
    settings.VENOWATCH_API_MAX_BODY = 2048
    over = json.dumps({"note": "x" * 4096}).encode()
    (problem,) = problems(_send(staff, method, _url(path), over), 413)
    assert problem["loc"] == ["body"]
    assert "2 KiB" in problem["msg"]
    # Past Django's own limit on a body held in memory (2.5 MB) too: a 413, not an HTML 400.
    huge = json.dumps({"note": "x" * (5 << 20)}).encode()
    assert locs(_send(staff, method, _url(path), huge), 413) == [["body"]]


@pytest.mark.parametrize("path", sorted({p for _, p, _ in ROUTES}))
def test_a_method_not_served_is_a_405_saying_what_is(staff: Api, path: str) -> None:
    served = {m for m, p, _ in ROUTES if p == path}
    for method in (m.upper() for m in METHODS if m.upper() not in served):
        answer = _send(staff, method, _url(path), b"{}")
        (problem,) = problems(answer, 405)
        assert problem["loc"] == []
        assert set(answer["Allow"].split(", ")) == served
        assert method in problem["msg"]
        assert all(m in problem["msg"] for m in served)


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/api/v1/nothing", "/api/v1/openapi.json"),
        ("/api/v1/patients/1/nothing", "nothing is served at /api/v1/patients/1/nothing"),
        ("/api/v1/patients/", "without the trailing slash"),
        ("/api/v2/patients", "nothing is served at /api/v2/patients"),
        ("/api/", "nothing is served"),
    ],
)
def test_an_unknown_path_is_a_json_404(path: str, words: str) -> None:
    for method in ("GET", "POST"):
        (problem,) = problems(Client().generic(method, path), 404)
        assert problem["loc"] == ["path"]
        assert words in problem["msg"]


def test_a_write_without_credentials_is_a_401_as_a_read_is() -> None:
    """No token and no session: nobody to forge a request for, so not a CSRF 403 but the API's
    401, on every route that writes (as a browser sends it, with CSRF checks on)."""
    anonymous = Client(enforce_csrf_checks=True)
    (read,) = problems(anonymous.get("/api/v1/patients"), 401)
    assert read["loc"] == ["header", "Authorization"]
    writes = [(m, p) for m, p, _ in ROUTES if m != "GET"]
    assert writes, "the API has routes that write"
    for method, path in writes:
        answer = anonymous.generic(method, _url(path), "{}", content_type="application/json")
        assert problems(answer, 401) == [read], f"{method} {path}"


def test_a_session_without_its_csrf_token_is_told_which_header() -> None:
    staff = user("alex", clinic("Clinic A"), Role.ADVOCATE)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    answer = browser.post("/api/v1/tasks/1", {}, content_type="application/json")
    (problem,) = problems(answer, 403)
    assert problem["loc"] == ["header", "X-CSRFToken"]


def test_a_crash_is_a_json_500_and_logged(
    staff: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr("venowatch.api.patients.worklist", broken)
    staff.client.raise_request_exception = False
    (problem,) = problems(staff.get("/patients"), 500)
    assert problem["loc"] == []
    assert "a bug" not in problem["msg"]
    assert any(r.exc_info for r in caplog.records), "the crash is in the log"
    caplog.clear()  # the one traceback this test means to cause


def test_a_chunked_body_without_its_length_is_a_411_not_missing_fields(staff: Api) -> None:
    answer = staff.client.post(
        "/api/v1/tasks/1",
        b'{"action": "acknowledge"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {staff.secret}", "Transfer-Encoding": "chunked"},
        CONTENT_LENGTH="",
    )
    (problem,) = problems(answer, 411)
    assert problem["loc"] == ["header", "Content-Length"]
