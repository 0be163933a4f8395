"""Exporting a patient as FHIR R4 ($everything) and the published definitions."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from tests.fhir_fixtures import schema_errors, treated_patient
from tests.web_fixtures import PASSWORD, clinic, patient, user
from venowatch.clinic.models import Role
from venowatch.fhir import codes, definitions
from venowatch.fhir.reading import read_timeline
from venowatch.security.models import Scope
from venowatch.services.care.protocols import default_protocol
from venowatch.services.care.timelines import timeline_of
from venowatch.services.integration.fhir_export import export_patient
from venowatch.services.security import tokens

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def resources(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"]]


def test_the_bundle_and_every_resource_in_it_are_valid_r4() -> None:
    p, _ = treated_patient(NOW)
    bundle = export_patient(p, now=NOW)
    assert schema_errors(bundle) == []
    for resource in resources(bundle):
        assert schema_errors(resource) == [], resource["resourceType"]
    kinds = Counter(r["resourceType"] for r in resources(bundle))
    assert kinds == {
        "Patient": 1,
        "Procedure": 2,
        "QuestionnaireResponse": 2,
        "Observation": 4,
        "RiskAssessment": 1,
    }
    assert bundle["type"] == "searchset"


def test_a_venoplasty_is_coded_snomed_angioplasty_of_vein() -> None:
    p, _ = treated_patient(NOW)
    exported = resources(export_patient(p, now=NOW))
    venoplasty, stent = (r for r in exported if r["resourceType"] == "Procedure")
    snomed = venoplasty["code"]["coding"][0]
    assert (snomed["system"], snomed["code"]) == (codes.SNOMED, "359551000")
    assert [b["text"] for b in venoplasty["bodySite"]] == ["left internal jugular", "azygos"]
    assert all(c["system"] != codes.SNOMED for c in stent["code"]["coding"])


def test_the_assessment_is_a_risk_assessment_with_protocol_and_rationale_by_clause() -> None:
    p, _ = treated_patient(NOW)
    bundle = export_patient(p, now=NOW)
    (risk,) = (r for r in resources(bundle) if r["resourceType"] == "RiskAssessment")
    assert risk["prediction"][0]["outcome"]["coding"][0]["code"] == "treat_underlying_cause"
    assert risk["method"]["coding"][0]["code"] == "ccsvi-restenosis"
    assert risk["method"]["coding"][0]["version"]
    notes = [n["text"] for n in risk["note"]]
    assert any(n.startswith("C3: ") for n in notes)
    assert "Decision support" in notes[-1]
    basis = {b["reference"] for b in risk["basis"]}
    others = {f"{r['resourceType']}/{r['id']}" for r in resources(bundle)[1:-1]}
    assert basis == others


def test_what_is_exported_reads_back_as_the_stored_timeline() -> None:
    p, _ = treated_patient(NOW)
    timeline, skipped = read_timeline([export_patient(p, now=NOW)], str(p.pk))
    assert timeline == timeline_of(p)
    # The check-ins' Observations repeat their responses; the assessment is an output.
    assert Counter(s.resource_type for s in skipped) == {"Observation": 2, "RiskAssessment": 1}


def test_the_definitions_are_valid_r4_and_pgic_is_ordered_one_to_seven() -> None:
    shipped = default_protocol()
    systems = [
        definitions.code_system(n, shipped) for n in ("pgic", "venowatch", "pathway", "urgency")
    ]
    for resource in [definitions.questionnaire(shipped), *systems]:
        assert resource is not None
        assert schema_errors(resource) == [], resource["id"]
    pgic = definitions.code_system("pgic", shipped)
    assert pgic is not None
    assert pgic["url"] == codes.PGIC_SYSTEM
    ordinals = [
        (c["code"], c["extension"][0]["valueDecimal"]) for c in pgic["concept"]
        if c["extension"][0]["url"] == codes.ORDINAL_VALUE
    ]  # fmt: skip
    assert ordinals[0] == ("very_much_improved", 1)
    assert [o for _, o in ordinals] == [1, 2, 3, 4, 5, 6, 7]


def test_definitions_are_served_to_anyone_as_fhir_json(client: Client) -> None:
    answer = client.get("/fhir/r4/Questionnaire/venowatch-checkin")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/fhir+json"
    assert answer.json()["url"] == codes.CHECKIN_QUESTIONNAIRE
    assert client.get("/fhir/r4/CodeSystem/pgic").json()["count"] == 7
    missing = client.get("/fhir/r4/CodeSystem/nonesuch")
    assert missing.status_code == 404
    assert missing.json()["resourceType"] == "OperationOutcome"


def test_everything_needs_a_sign_in_or_a_token(client: Client) -> None:
    p, advocate = treated_patient(NOW)
    url = f"/fhir/r4/Patient/{p.pk}/$everything"
    refused = client.get(url)
    assert refused.status_code == 401
    assert refused.json()["resourceType"] == "OperationOutcome"
    _, secret = tokens.issue(advocate, name="ehr", scope=Scope.READ)
    answer = client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/fhir+json"
    assert answer.json()["entry"][0]["resource"]["id"] == str(p.pk)


def test_out_of_reach_is_404_with_an_operation_outcome(client: Client) -> None:
    p, advocate = treated_patient(NOW)
    other, _ = treated_patient(NOW, name="Jon Other")
    client.login(username=advocate.username, password=PASSWORD)
    assert client.get(f"/fhir/r4/Patient/{p.pk}/$everything").status_code == 200
    for missing in (other.pk, 999999, "abc"):
        answer = client.get(f"/fhir/r4/Patient/{missing}/$everything")
        assert answer.status_code == 404
        assert answer.json()["issue"][0]["code"] == "not-found"


def test_a_patient_reads_only_their_own_record(client: Client) -> None:
    p, advocate = treated_patient(NOW)
    c = p.clinic
    neighbour = patient("Ann Neighbour", c, advocate=advocate)
    assert p.user is not None
    client.login(username=p.user.username, password=PASSWORD)
    assert client.get(f"/fhir/r4/Patient/{p.pk}/$everything").status_code == 200
    assert client.get(f"/fhir/r4/Patient/{neighbour.pk}/$everything").status_code == 404


def test_a_signed_in_user_without_a_role_sees_nothing(client: Client) -> None:
    p, _ = treated_patient(NOW)
    stranger = user("stranger", clinic("Elsewhere"), Role.ADVOCATE)
    client.login(username=stranger.username, password=PASSWORD)
    assert client.get(f"/fhir/r4/Patient/{p.pk}/$everything").status_code == 404
