"""venowatch's FHIR server as `fhirclient` (the SMART on FHIR Python client) meets it: it reads
the CapabilityStatement, searches, follows the pages and reads what it found, parsing every
answer into its own R4 models (which refuse an element they do not know)."""

from __future__ import annotations

import pytest
from fhirclient.models.bundle import Bundle
from fhirclient.models.observation import Observation
from fhirclient.models.patient import Patient
from fhirclient.models.questionnaire import Questionnaire
from fhirclient.models.riskassessment import RiskAssessment
from fhirclient.server import FHIRNotFoundException, FHIRUnauthorizedException

from tests.fhir_client import Connect
from tests.fhir_fixtures import treated_patient
from tests.fhir_rest_fixtures import NOW
from venowatch.fhir import codes

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_client_reads_the_statement_searches_pages_and_reads(fhir_server: Connect) -> None:
    p, advocate = treated_patient(NOW)
    server = fhir_server(advocate)
    statement = server.capabilityStatement
    assert statement.fhirVersion == "4.0.1"
    served = {r.type: r for r in statement.rest[0].resource}
    assert "Observation" in served
    assert {s.name for s in served["Observation"].searchParam} >= {"patient", "date", "code"}

    search = Observation.where(struct={"patient": str(p.pk), "_count": "3"})
    pages = list(search.perform_iter(server))
    assert [len(b.entry) for b in pages] == [3, 1]
    assert {b.total for b in pages} == {4}
    found = [e.resource for b in pages for e in b.entry]
    assert len({o.id for o in found}) == 4
    for observation in found:
        again = Observation.read(observation.id, server)
        assert again.as_json() == observation.as_json()
        assert again.subject.reference == f"Patient/{p.pk}"

    patient = Patient.read(str(p.pk), server)
    assert patient.name[0].text == "Maria Keller"
    mine = Patient.where(struct={"name": "maria"}).perform_resources_iter(server)
    assert [x.id for x in mine] == [str(p.pk)]
    assessment = RiskAssessment.read(f"assessment-{p.pk}", server)
    assert assessment.subject.reference == f"Patient/{p.pk}"
    everything = Bundle.read_from(f"Patient/{p.pk}/$everything?_count=4", server)
    assert len(everything.entry) == 4
    assert len(server.checked) == 11  # each answer, checked


def test_the_client_reads_the_definitions_without_a_token(fhir_server: Connect) -> None:
    server = fhir_server()
    questionnaire = Questionnaire.read("venowatch-checkin", server)
    assert questionnaire.url == codes.CHECKIN_QUESTIONNAIRE
    bundle = Questionnaire.where(struct={"url": codes.CHECKIN_QUESTIONNAIRE}).perform_iter(server)
    assert [b.total for b in bundle] == [1]


def test_the_client_meets_a_401_and_a_404_as_fhir_errors(fhir_server: Connect) -> None:
    p, advocate = treated_patient(NOW)
    with pytest.raises(FHIRUnauthorizedException):
        Patient.read(str(p.pk), fhir_server())
    with pytest.raises(FHIRNotFoundException):
        Patient.read("999999", fhir_server(advocate))
