"""The write side driven by a FHIR client nobody here wrote: `fhirclient` 4.4.0 (the SMART on
FHIR Python client) against the live server creates a QuestionnaireResponse and posts a
transaction and a batch, parsing every answer into its strict R4 models.

A minimal fixture of its own (`writer`): the read side's shared one (tests/fhir_client.py,
on the fhirread branch) first reads the CapabilityStatement, which this branch does not
serve; after the merge these tests can take `fhir_server` instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fhirclient.models.bundle import Bundle
from fhirclient.models.operationoutcome import OperationOutcome
from fhirclient.models.questionnaireresponse import QuestionnaireResponse
from fhirclient.server import FHIRServer
from requests import HTTPError

from tests.fhir_fixtures import schema_errors, treated_patient
from tests.fhir_write_fixtures import checkin_response, lab
from venowatch.clinic.models import CheckIn, Lab
from venowatch.security.models import Scope
from venowatch.services.clock import utc_now
from venowatch.services.security import tokens

pytestmark = pytest.mark.django_db(transaction=True)
Connect = Callable[[Any], FHIRServer]


@pytest.fixture
def writer(live_server: Any, settings: Any) -> Connect:
    settings.VENOWATCH_BASE_URL = live_server.url

    def connect(user: Any) -> FHIRServer:
        server = FHIRServer(None, base_uri=f"{live_server.url}/fhir/r4")
        _, secret = tokens.issue(user, name="fhirclient", scope=Scope.WRITE)
        server.session.headers["Authorization"] = f"Bearer {secret}"
        return server

    return connect


def test_the_client_creates_a_questionnaire_response(writer: Connect) -> None:
    p, _ = treated_patient(utc_now())
    assert p.user is not None
    server = writer(p.user)
    response = QuestionnaireResponse(checkin_response(p.pk))  # strict: raises on bad R4
    answer = response.create(server)
    created = QuestionnaireResponse(answer)
    stored = CheckIn.objects.filter(patient=p).latest("pk")
    assert created.id == f"checkin-{stored.pk}"
    assert created.meta.versionId == "1"
    assert created.item[0].answer[0].valueCoding.code == "much_worse"
    assert schema_errors(answer) == []


def test_the_client_hears_a_refusal_as_an_operation_outcome(writer: Connect) -> None:
    p, advocate = treated_patient(utc_now())
    server = writer(advocate)
    future = QuestionnaireResponse(checkin_response(p.pk, minutes_ago=-600))
    with pytest.raises(HTTPError) as refused:
        future.create(server)
    answer = refused.value.response
    assert answer is not None
    assert answer.status_code == 422
    outcome = OperationOutcome(answer.json())
    assert outcome.issue[0].expression == ["QuestionnaireResponse.authored"]


def test_the_client_posts_a_transaction_and_reads_the_response_bundle(writer: Connect) -> None:
    p, advocate = treated_patient(utc_now())
    server = writer(advocate)
    transaction = Bundle({
        "resourceType": "Bundle", "type": "transaction",
        "entry": [
            {"resource": checkin_response(p.pk),
             "request": {"method": "POST", "url": "QuestionnaireResponse"}},
            {"resource": lab(p.pk), "request": {"method": "POST", "url": "Observation"}},
            {"request": {"method": "GET", "url": "CodeSystem/pgic"}},
        ],
    })  # fmt: skip
    answer = Bundle(transaction.create(server))  # POSTed at the base, as the client does
    assert answer.type == "transaction-response"
    statuses = [e.response.status for e in answer.entry]
    assert statuses == ["201 Created", "201 Created", "200 OK"]
    stored = Lab.objects.filter(patient=p).latest("pk")
    assert answer.entry[1].response.location == f"Observation/lab-{stored.pk}"
    assert answer.entry[2].resource.resource_type == "CodeSystem"


def test_the_client_posts_a_batch_and_each_entry_answers_for_itself(writer: Connect) -> None:
    p, advocate = treated_patient(utc_now())
    server = writer(advocate)
    batch = Bundle({
        "resourceType": "Bundle", "type": "batch",
        "entry": [
            {"resource": checkin_response(p.pk),
             "request": {"method": "POST", "url": "QuestionnaireResponse"}},
            {"request": {"method": "DELETE", "url": f"Patient/{p.pk}"}},
        ],
    })  # fmt: skip
    answer = Bundle(batch.create(server))
    assert answer.type == "batch-response"
    created, deleted = (e.response for e in answer.entry)
    assert created.status == "201 Created"
    assert created.location.endswith("/_history/1")
    assert deleted.status == "405 Method Not Allowed"
    assert "never deletes" in deleted.outcome.issue[0].diagnostics
