"""The write side driven by a FHIR client nobody here wrote: `fhirclient` 4.4.0 (the SMART on
FHIR Python client) against the live server creates a QuestionnaireResponse and posts a
transaction and a batch, parsing every answer into its strict R4 models. The client is the
read side's fixture (tests/fhir_client.py): it reads the CapabilityStatement first, and every
answer it gets is checked (tests/fhir_checks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fhirclient.models.bundle import Bundle
from fhirclient.models.operationoutcome import OperationOutcome
from fhirclient.models.questionnaireresponse import QuestionnaireResponse
from fhirclient.server import FHIRServer
from requests import HTTPError

from tests.fhir_client import Connect
from tests.fhir_fixtures import schema_errors, treated_patient
from tests.fhir_write_fixtures import checkin_response, lab
from venowatch.clinic.models import CheckIn, Lab
from venowatch.security.models import Scope
from venowatch.services.clock import utc_now

pytestmark = pytest.mark.django_db(transaction=True)


Writer = Callable[[Any], FHIRServer]


@pytest.fixture
def writer(fhir_server: Connect) -> Writer:
    """A client with a write token of the user's."""
    return lambda user: fhir_server(user, Scope.WRITE)


def test_the_client_creates_a_questionnaire_response(writer: Writer) -> None:
    p, _ = treated_patient(utc_now())
    assert p.user is not None
    server = writer(p.user)
    response = QuestionnaireResponse(checkin_response(p.pk))  # strict: raises on bad R4
    answer = response.create(server)
    created = QuestionnaireResponse(answer)
    stored = CheckIn.objects.filter(patient=p).latest("pk")
    assert created.id == f"checkin-{stored.pk}"
    # The version it was created at is the one a read gives (its ETag's too).
    read = QuestionnaireResponse.read(created.id, server)
    assert created.meta.versionId == read.meta.versionId
    assert created.item[0].answer[0].valueCoding.code == "much_worse"
    assert schema_errors(answer) == []
    # The fixture's checks (tests/fhir_checks) ran on the create's answer as on the read's.
    assert [c.split(" ")[0] for c in server.checked] == ["GET", "POST", "GET"]


def test_the_client_hears_a_refusal_as_an_operation_outcome(writer: Writer) -> None:
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


def test_the_client_posts_a_transaction_and_reads_the_response_bundle(writer: Writer) -> None:
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


def test_the_client_posts_a_batch_and_each_entry_answers_for_itself(writer: Writer) -> None:
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
    assert created.location.endswith(f"/_history/{answer.entry[0].resource.meta.versionId}")
    assert deleted.status == "405 Method Not Allowed"
    assert "never deletes" in deleted.outcome.issue[0].diagnostics
