"""Importing FHIR R4 Bundles: round trip, re-import, Synthea, all or nothing, who may."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from tests.conftest import SHARED, load_json
from tests.fhir_fixtures import schema_errors, treated_patient
from tests.web_fixtures import PASSWORD, clinic, patient, user
from venowatch.clinic.models import (
    AssessmentChange,
    CheckIn,
    Clinic,
    Lab,
    Patient,
    PatientIdentifier,
    Procedure,
    Role,
    Task,
)
from venowatch.security.models import Scope
from venowatch.services.care.assessing import assessment_json
from venowatch.services.care.standing import assess_patient
from venowatch.services.care.timelines import timeline_of
from venowatch.services.clock import utc_now
from venowatch.services.integration.fhir_export import export_patient
from venowatch.services.integration.fhir_import import ImportRefusedError, import_bundle
from venowatch.services.security import tokens

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
SYNTHEA = SHARED / "fhir" / "synthea" / "synthea_r4_1MB.json"


def decision(p: Patient) -> dict[str, Any]:
    data = assessment_json(assess_patient(p, NOW))
    del data["patient_id"]
    return data


def first_lab(bundle: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = next(
        e for e in bundle["entry"] if e["resource"]["id"].startswith("lab-")
    )
    return entry


def with_future_lab(bundle: dict[str, Any]) -> dict[str, Any]:
    spoiled = copy.deepcopy(bundle)
    lab = copy.deepcopy(first_lab(spoiled))
    lab["resource"]["id"] = "lab-future"
    lab["resource"]["effectiveDateTime"] = "2030-01-01T09:00:00+00:00"
    spoiled["entry"].append(lab)
    return spoiled


def records_in(c: Clinic) -> tuple[int, int, int, int, int]:
    mine = {"patient__clinic": c}
    return (
        Patient.objects.filter(clinic=c).count(),
        PatientIdentifier.objects.filter(clinic=c).count(),
        Procedure.objects.filter(**mine).count(),
        CheckIn.objects.filter(**mine).count(),
        Lab.objects.filter(**mine).count(),
    )


def test_round_trip_into_another_clinic_gives_the_same_timeline_and_assessment() -> None:
    source, _ = treated_patient(NOW)
    other = clinic("Other clinic", time_zone="Europe/Berlin")
    report = import_bundle(other, export_patient(source, now=NOW), by=None, now=NOW)
    (imported,) = Patient.objects.filter(clinic=other)
    assert imported.name == source.name
    assert imported.time_zone == source.time_zone  # carried by the tz-code extension
    assert timeline_of(imported) == replace(timeline_of(source), patient_id=str(imported.pk))
    assert decision(imported) == decision(source)
    assert dict(report.stored) == {"Procedure": 2, "QuestionnaireResponse": 2, "Observation": 2}
    assert report.venoplasties == 1
    assert "the bundle held no venoplasty" not in report.summary()


def test_an_imported_history_is_assessed_once_not_record_by_record() -> None:
    """Assessing after each imported record would pass through decisions that were never true
    now (a procedure alone: check-in overdue), open tasks and send alerts for them."""
    source, _ = treated_patient(NOW)
    other = clinic("Other clinic")
    import_bundle(other, export_patient(source, now=NOW), by=None, now=NOW)
    (imported,) = Patient.objects.filter(clinic=other)
    (change,) = AssessmentChange.objects.filter(patient=imported)
    final = decision(imported)
    assert (change.pathway, change.flags) == (final["pathway"], final["flags"])
    # One decision, so alerts and tasks were made once, for it.
    assert all(t.change_id == change.pk for t in Task.objects.filter(patient=imported))


def test_reimporting_does_not_bring_back_a_voided_record() -> None:
    from venowatch.services.care.corrections import void

    source, _ = treated_patient(NOW)
    other = clinic("Other clinic")
    bundle = export_patient(source, now=NOW)
    import_bundle(other, bundle, by=None, now=NOW)
    (imported,) = Patient.objects.filter(clinic=other)
    checkin = imported.checkins.order_by("at").last()
    assert checkin is not None
    void(checkin, reason="the patient withdrew it", by=None, now=NOW)
    before = records_in(other)
    again = import_bundle(other, bundle, by=None, now=NOW)
    assert records_in(other) == before
    assert again.already_stored == 6
    assert len(timeline_of(imported).checkins) == len(timeline_of(source).checkins) - 1


def test_reimporting_stores_nothing_twice() -> None:
    source, _ = treated_patient(NOW)
    other = clinic("Other clinic")
    bundle = export_patient(source, now=NOW)
    import_bundle(other, bundle, by=None, now=NOW)
    before = records_in(other)
    again = import_bundle(other, bundle, by=None, now=NOW)
    assert records_in(other) == before
    assert again.already_stored == 6
    assert (len(again.patients_created), len(again.patients_updated)) == (0, 1)
    # Back into its own clinic: found by its own id, nothing added either.
    own = records_in(source.clinic)
    home = import_bundle(source.clinic, bundle, by=None, now=NOW)
    assert records_in(source.clinic) == own
    assert home.patients_updated == [f"Patient/{source.pk}"]


def test_a_record_differing_in_any_field_is_a_new_record() -> None:
    source, _ = treated_patient(NOW)
    bundle = export_patient(source, now=NOW)
    changed = copy.deepcopy(bundle)
    lab = first_lab(changed)["resource"]
    lab["valueString"] = "leucocytes and nitrites"
    report = import_bundle(source.clinic, changed, by=None, now=NOW)
    assert dict(report.stored) == {"Observation": 1}
    assert Lab.objects.filter(patient=source).count() == 3


def test_the_synthea_bundle_imports_and_the_report_says_it_held_no_venoplasty() -> None:
    c = clinic()
    report = import_bundle(c, load_json(SYNTHEA), by=None, now=NOW)
    assert "the bundle held no venoplasty" in report.summary()
    assert report.stored == {}
    assert len(report.skipped) == 286
    reasons = {s.resource_type: s.reason for s in report.skipped}
    assert reasons["Claim"] == "venowatch does not read Claim resources"
    # venowatch follows patients after a procedure: one who came with none is not added.
    assert (
        reasons["Patient"] == "no procedure, check-in or lab venowatch reads came with this patient"
    )
    assert records_in(c) == (0, 0, 0, 0, 0)


def test_an_error_anywhere_stores_nothing() -> None:
    source, _ = treated_patient(NOW)
    other = clinic("Other clinic")
    spoiled = with_future_lab(export_patient(source, now=NOW))
    where = r"Bundle\.entry\[\d+\]\.resource\.effective"
    with pytest.raises(ImportRefusedError, match=rf"Observation/lab-future: {where} is in the fu"):
        import_bundle(other, spoiled, by=None, now=NOW)
    assert records_in(other) == (0, 0, 0, 0, 0)


def test_records_of_a_patient_without_identifier_are_skipped() -> None:
    source, _ = treated_patient(NOW)
    bundle = export_patient(source, now=NOW)
    del bundle["entry"][0]["resource"]["identifier"]
    other = clinic("Other clinic")
    report = import_bundle(other, bundle, by=None, now=NOW)
    assert report.stored == {}
    reasons = {s.reason for s in report.skipped if s.resource_type == "Procedure"}
    assert reasons == {f"its patient Patient/{source.pk} has no identifier to find them by again"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"resourceType": "Patient"}, "resourceType is 'Patient'"),
        ([1, 2], "expected a FHIR Bundle"),
        ([1, 2], "got a JSON array"),
        ({"entry": []}, "resourceType is missing"),
        ({"resourceType": None}, "resourceType is null"),
        ({"resourceType": "Bundle"}, "Bundle.type is missing"),
        ({"resourceType": "Bundle", "type": "history"}, "Bundle.type is 'history'"),
    ],
)
def test_what_is_not_a_bundle_of_records_is_refused(data: Any, message: str) -> None:
    # The words say what the file holds, never a Python value ("got None", "got 'list'").
    with pytest.raises(ImportRefusedError) as refused:
        import_bundle(clinic(), data, by=None, now=NOW)
    assert message in str(refused.value)
    assert "None" not in str(refused.value)
    assert "list" not in str(refused.value).replace("JSON array", "")


def post(client: Client, data: Any, token: str | None = None) -> Any:
    body = data if isinstance(data, str) else json.dumps(data)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/fhir/r4/", body, content_type="application/fhir+json", headers=headers)


def test_staff_import_over_http_and_read_the_report() -> None:
    c = clinic()
    staff = user("imogen", c, Role.ADVOCATE)
    client = Client()
    client.login(username=staff.username, password=PASSWORD)
    answer = post(client, load_json(SYNTHEA))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/fhir+json"
    assert schema_errors(answer.json()) == []
    # A transaction is answered with a transaction-response (issue 13), one entry per entry,
    # each skipped one with its reason.
    response = answer.json()
    assert response["type"] == "transaction-response"
    assert len(response["entry"]) == 286
    notes = [e["response"]["outcome"]["issue"][0] for e in response["entry"]]
    assert all(n["severity"] == "warning" for n in notes)
    assert "not stored: venowatch does not read Claim resources" in {
        n["diagnostics"] for n in notes
    }


def test_an_advocate_s_imported_patients_are_theirs() -> None:
    source, _ = treated_patient(utc_now())  # over HTTP, the import happens now
    c = clinic("Other clinic")
    staff = user("imogen", c, Role.ADVOCATE)
    _, secret = tokens.issue(staff, name="ehr", scope=Scope.WRITE)
    answer = post(Client(), export_patient(source), secret)
    assert answer.status_code == 200, answer.json()
    (imported,) = Patient.objects.filter(clinic=c)
    assert imported.advocate == staff


def test_over_http_an_error_is_422_and_stores_nothing() -> None:
    source, _ = treated_patient(utc_now())
    c = clinic("Other clinic")
    admin = user("ada", c, Role.ADMIN)
    client = Client()
    client.login(username=admin.username, password=PASSWORD)
    answer = post(client, with_future_lab(export_patient(source)))
    assert answer.status_code == 422
    assert "Observation/lab-future" in answer.json()["issue"][0]["diagnostics"]
    assert records_in(c) == (0, 0, 0, 0, 0)


def test_a_refused_record_is_named_by_the_fhirpath_of_its_element() -> None:
    source, _ = treated_patient(utc_now())
    c = clinic("Other clinic")
    admin = user("ada", c, Role.ADMIN)
    client = Client()
    client.login(username=admin.username, password=PASSWORD)
    spoiled = with_future_lab(export_patient(source))
    at = len(spoiled["entry"]) - 1
    answer = post(client, spoiled)
    assert answer.status_code == 422
    (issue,) = answer.json()["issue"]
    assert issue["expression"] == [f"Bundle.entry[{at}].resource.effective"]
    assert schema_errors(answer.json()) == []


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ("{not json", 400, "not JSON"),
        ('{"a":' * 1000 + "1" + "}" * 1000, 400, "nested deeper than 64 levels"),
        ({"resourceType": "Observation"}, 422, "expected a FHIR Bundle"),
    ],
)
def test_bad_bodies_get_an_operation_outcome_naming_what_is_wrong(
    body: Any, status: int, says: str
) -> None:
    c = clinic()
    admin = user("ada", c, Role.ADMIN)
    client = Client()
    client.login(username=admin.username, password=PASSWORD)
    answer = post(client, body)
    assert answer.status_code == status
    outcome = answer.json()
    assert schema_errors(outcome) == []
    assert says in outcome["issue"][0]["diagnostics"]


def test_a_read_only_token_a_patient_and_a_stranger_cannot_import() -> None:
    c = clinic()
    staff = user("imogen", c, Role.ADVOCATE)
    _, read_only = tokens.issue(staff, name="ehr", scope=Scope.READ)
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": []}
    assert post(Client(), bundle, read_only).status_code == 403
    p = patient("Pat Ient", c)
    assert p.user is not None
    client = Client()
    client.login(username=p.user.username, password=PASSWORD)
    assert post(client, bundle).status_code == 403
    assert post(Client(), bundle).status_code == 401


def test_an_import_cannot_write_to_a_patient_outside_the_importer_s_reach() -> None:
    source, _ = treated_patient(NOW)
    colleague = user("colin", source.clinic, Role.ADVOCATE)
    with pytest.raises(ImportRefusedError, match="outside your reach"):
        import_bundle(source.clinic, export_patient(source, now=NOW), by=colleague, now=NOW)


def test_session_imports_need_the_csrf_token() -> None:
    c = clinic()
    admin = user("ada", c, Role.ADMIN)
    client = Client(enforce_csrf_checks=True)
    client.login(username=admin.username, password=PASSWORD)
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": []}
    answer = post(client, bundle)
    assert answer.status_code == 403
    assert answer.json()["resourceType"] == "OperationOutcome"
