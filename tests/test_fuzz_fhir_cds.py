"""Fuzzing the endpoints that read other systems' JSON: FHIR import and the CDS Hooks service
and feedback endpoints get hypothesis-generated JSON, raw bytes, and valid bundles and
requests mutated one element at a time. Whatever comes in, no answer is a server error: the
test client re-raises any exception a view lets escape, and every status is below 500.

Each test is bounded (100 examples, no deadline); CI runs a fixed set, as the schemathesis
tests do, so that a fault found by chance fails the run that introduced it."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import cds_fhir as fhir
from tests import web_fixtures as web
from tests.cds_fixtures import NOW, URL, at, request_for
from tests.cds_tokens import bearer, claims, sign, trust
from tests.fhir_fixtures import treated_patient
from tests.web_fixtures import PASSWORD
from venowatch.clinic.models import Role
from venowatch.services.integration.fhir_export import export_patient

pytestmark = pytest.mark.django_db

FUZZ = settings(
    # More for a deeper hunt: VENOWATCH_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_fhir_cds.py
    max_examples=int(os.environ.get("VENOWATCH_FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=os.environ.get("CI", "").lower() in ("1", "true", "yes"),
)

# Keys FHIR and CDS Hooks readers look for, so generated objects reach past the first check.
KEYS = st.sampled_from(
    [
        "resourceType", "type", "entry", "resource", "id", "subject", "reference", "patient",
        "identifier", "system", "value", "code", "coding", "status", "performedDateTime",
        "effectiveDateTime", "authored", "item", "linkId", "answer", "valueCoding",
        "valueInteger", "valueBoolean", "component", "hook", "hookInstance", "context",
        "patientId", "prefetch", "fhirServer", "fhirAuthorization", "link", "relation", "url",
        "feedback", "card", "outcome", "outcomeTimestamp", "name", "text",
    ]
) | st.text(max_size=8)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(
        [
            "Bundle",
            "Patient",
            "Procedure",
            "Observation",
            "QuestionnaireResponse",
            "collection",
            "transaction",
            "searchset",
            "patient-view",
            "accepted",
            "overridden",
            "completed",
            "2026-03-01T09:30:00+00:00",
            "2026-03-01",
            "Patient/pt-1",
            "pt-1",
            "x" * 300,
        ]
    )
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=25,
)


def paths(value: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in `value` a mutation can hit, the root first."""
    yield here
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, (*here, key))
    elif isinstance(value, list):
        for n, child in enumerate(value):
            yield from paths(child, (*here, n))


@st.composite
def mutated(draw: st.DrawFn, valid: Any) -> Any:
    """`valid` with one to three of its elements replaced, removed or retyped."""
    doc = copy.deepcopy(valid)
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p in paths(doc) if p]
        if not places:
            return draw(JSON)
        place = draw(st.sampled_from(places))
        parent = doc
        for step in place[:-1]:
            parent = parent[step]
        last = place[-1]
        action = draw(st.sampled_from(["replace", "remove", "empty", "wrap"]))
        if action == "remove":
            del parent[last]
        elif action == "empty":
            parent[last] = draw(st.sampled_from([None, "", [], {}, 0, -1, 10**30, "x" * 5000]))
        elif action == "wrap":
            parent[last] = [parent[last], parent[last]]
        else:
            parent[last] = draw(JSON)
    return doc


def answered(response: Any) -> None:
    assert response.status_code < 500, response.content[:500]
    if response.content:  # a preflight has no body
        assert response["Content-Type"].startswith(("application/json", "application/fhir+json"))


@pytest.fixture
def importer(db: None) -> Client:
    home = web.clinic("Importing clinic")
    client = Client(raise_request_exception=True)
    client.login(username=web.user("imogen", home, Role.ADMIN).username, password=PASSWORD)
    return client


@pytest.fixture
def bundle(db: None) -> dict[str, Any]:
    source, _ = treated_patient(NOW - timedelta(days=1), name="Fuzz Source")
    return export_patient(source, now=NOW - timedelta(days=1))


def post_bundle(client: Client, raw: bytes) -> None:
    answered(client.post("/fhir/r4/", raw, content_type="application/fhir+json"))


@FUZZ
@given(doc=JSON)
def test_fhir_import_answers_any_json_without_a_server_error(importer: Client, doc: Any) -> None:
    post_bundle(importer, json.dumps(doc).encode())


@FUZZ
@given(raw=st.binary(max_size=200))
def test_fhir_import_answers_any_bytes_without_a_server_error(importer: Client, raw: bytes) -> None:
    post_bundle(importer, raw)


@FUZZ
@given(data=st.data())
def test_fhir_import_answers_mutated_bundles_without_a_server_error(
    importer: Client, bundle: dict[str, Any], data: st.DataObject
) -> None:
    post_bundle(importer, json.dumps(data.draw(mutated(bundle))).encode())


@pytest.fixture
def ehr(db: None, monkeypatch: pytest.MonkeyPatch, settings: Any) -> Client:
    settings.VENOWATCH_BASE_URL_SET = False
    at(monkeypatch, NOW)
    trust(web.clinic("Calling clinic"))
    return Client(raise_request_exception=True)


def post_cds(client: Client, path: str, raw: bytes) -> None:
    token = bearer(sign(claims(f"http://testserver{path}", NOW)))
    answered(client.post(path, raw, content_type="application/json", HTTP_AUTHORIZATION=token))


CDS_REQUEST = request_for(
    "pt-1",
    fhir.prefetch(
        {
            "procedures": [{"kind": "venoplasty", "performed_at": "2026-02-20T10:00:00+00:00"}],
            "checkins": [{"at": "2026-03-01T09:00:00+00:00", "pgic": "much_worse"}],
            "labs": [{"at": "2026-03-02T09:00:00+00:00", "kind": "blood", "result": "normal"}],
        },
        "pt-1",
    ),
)
FEEDBACK_REQUEST = {
    "feedback": [
        {
            "card": "9f1e1f6a-0000-4000-8000-000000000001",
            "outcome": "overridden",
            "overrideReason": {"reason": {"code": "x", "display": "no"}, "userComment": "c"},
            "acceptedSuggestions": [{"id": "s"}],
            "outcomeTimestamp": "2026-03-07T15:00:00Z",
        }
    ]
}


@FUZZ
@given(doc=JSON)
def test_the_cds_service_answers_any_json_without_a_server_error(ehr: Client, doc: Any) -> None:
    post_cds(ehr, URL, json.dumps(doc).encode())


@FUZZ
@given(data=st.data())
def test_the_cds_service_answers_mutated_requests_without_a_server_error(
    ehr: Client, data: st.DataObject
) -> None:
    post_cds(ehr, URL, json.dumps(data.draw(mutated(CDS_REQUEST))).encode())


@FUZZ
@given(data=st.data())
def test_cds_feedback_answers_mutated_feedback_without_a_server_error(
    ehr: Client, data: st.DataObject
) -> None:
    doc = data.draw(st.one_of(mutated(FEEDBACK_REQUEST), JSON))
    post_cds(ehr, f"{URL}/feedback", json.dumps(doc).encode())


@FUZZ
@given(raw=st.binary(max_size=200), method=st.sampled_from(["get", "put", "delete", "options"]))
def test_cds_answers_any_bytes_and_method_without_a_server_error(
    ehr: Client, raw: bytes, method: str
) -> None:
    post_cds(ehr, URL, raw)
    answered(ehr.generic(method.upper(), URL, raw, content_type="application/json"))


@pytest.fixture
def api_targets(db: None) -> tuple[Any, list[tuple[str, str]]]:
    """A staff token and every API operation that takes a body, aimed at a real patient."""
    import re

    from tests.api_fixtures import Api
    from venowatch.api.v1 import api as v1
    from venowatch.protocol import ProcedureKind
    from venowatch.services.care.records import record_procedure

    home = web.clinic("API clinic")
    staff = web.user("sam", home, Role.ADVOCATE)
    p = web.patient("Pat Fuzz", home, advocate=staff)
    record_procedure(
        p, kind=ProcedureKind.VENOPLASTY, performed_at=NOW - timedelta(days=3), now=NOW
    )
    operations = [
        (method, re.sub(r"\{[^}]+\}", str(p.pk), path))
        for path, ops in v1.get_openapi_schema()["paths"].items()
        for method, op in ops.items()
        if "requestBody" in op
    ]
    return Api(staff), operations


@FUZZ
@given(data=st.data())
def test_api_bodies_of_any_json_or_bytes_get_no_server_error(
    api_targets: tuple[Any, list[tuple[str, str]]], data: st.DataObject
) -> None:
    """Beside schemathesis, which sends JSON the OpenAPI document describes: anything at all,
    to every operation that reads a body."""
    api, operations = api_targets
    method, path = data.draw(st.sampled_from(operations))
    raw = data.draw(st.one_of(st.binary(max_size=100), JSON.map(lambda v: json.dumps(v).encode())))
    client = Client(raise_request_exception=True)
    answer = getattr(client, method)(
        path,
        raw,
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.secret}"},
    )
    assert answer.status_code < 500, answer.content[:300]
    if answer.status_code >= 400:  # every refusal in the API's one shape
        assert "detail" in answer.json()
