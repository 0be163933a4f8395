"""No body makes the write side a server error: hypothesis-generated bundles and resources
(of shapes FHIR allows and many it does not) POSTed at the base URL and the create routes are
answered 2xx or 4xx, every one an R4-valid Bundle or OperationOutcome."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fhir_fixtures import schema_errors, treated_patient
from tests.fhir_write_fixtures import checkin_response, lab
from venowatch.security.models import Scope
from venowatch.services.clock import utc_now
from venowatch.services.security import tokens

pytestmark = pytest.mark.django_db

scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.text(max_size=12))
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
METHODS = st.sampled_from(["POST", "GET", "PUT", "DELETE", "PATCH", "HEAD", "post", ""])
URLS = st.sampled_from(
    ["QuestionnaireResponse", "Observation", "Patient", "CodeSystem/pgic", "",
     "Patient/1/$everything", "../../admin/", "http://elsewhere.example/fhir/Patient/1",
     "Questionnaire/venowatch-checkin?x=1"]
)  # fmt: skip


def mutated(resource: dict[str, Any]) -> Any:
    """A real resource with one field replaced by anything."""
    return st.tuples(st.sampled_from(sorted(resource)), json_values).map(
        lambda kv: {**resource, kv[0]: kv[1]}
    )


def entries(patient_id: int) -> Any:
    resources = st.one_of(
        json_values,
        st.just(checkin_response(patient_id)),
        mutated(checkin_response(patient_id)),
        mutated(lab(patient_id)),
        st.just({"resourceType": "Claim"}),
    )
    request = st.one_of(json_values, st.fixed_dictionaries({"method": METHODS, "url": URLS}))
    return st.fixed_dictionaries(
        {}, optional={"resource": resources, "request": request, "fullUrl": scalars}
    )


def bundles(patient_id: int) -> Any:
    return st.fixed_dictionaries(
        {"resourceType": st.just("Bundle"),
         "type": st.sampled_from(["transaction", "batch", "collection", "history", 7])},
        optional={"entry": st.one_of(st.lists(entries(patient_id), max_size=4), json_values)},
    )  # fmt: skip


def answered(answer: Any) -> None:
    assert answer.status_code < 500, answer.content[:500]
    body = answer.json()
    assert schema_errors(body) == [], body


@pytest.fixture
def world() -> tuple[int, str]:
    """A treated patient and their advocate's write token, once per test (not per example:
    the examples share the test's transaction)."""
    p, advocate = treated_patient(utc_now())
    return p.pk, tokens.issue(advocate, name="fuzz", scope=Scope.WRITE)[1]


def post(path: str, body: Any, secret: str) -> Any:
    return Client(raise_request_exception=False).post(
        path, json.dumps(body), content_type="application/fhir+json",
        headers={"Authorization": f"Bearer {secret}"},
    )  # fmt: skip


FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(data=st.data())
def test_no_bundle_at_the_base_is_a_server_error(world: tuple[int, str], data: Any) -> None:
    patient_id, secret = world
    answered(post("/fhir/r4", data.draw(bundles(patient_id)), secret))


@FUZZ
@given(data=st.data())
def test_no_resource_posted_to_create_is_a_server_error(world: tuple[int, str], data: Any) -> None:
    patient_id, secret = world
    kind = data.draw(st.sampled_from(["QuestionnaireResponse", "Observation"]))
    body = data.draw(
        st.one_of(json_values, mutated(checkin_response(patient_id)), mutated(lab(patient_id)))
    )
    answered(post(f"/fhir/r4/{kind}", body, secret))
