"""Every string is checked against its column before it reaches the database: a name over 200
characters or an identifier over 255 is refused naming the field, on SQLite as on PostgreSQL
(where it was a DataError, a 500), and so is a NUL character, which PostgreSQL cannot store.
Run on both databases (VENOWATCH_TEST_DATABASE=postgresql)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from tests.fhir_fixtures import treated_patient
from tests.web_fixtures import PASSWORD, clinic, patient, user
from venowatch.clinic.models import (
    CheckIn,
    Lab,
    MessageChannel,
    Patient,
    PatientIdentifier,
    PhoneKind,
    Procedure,
    Role,
)
from venowatch.protocol import LabKind, LabResult, Pgic, ProcedureKind
from venowatch.services.care.contacts import ContactDetails, save_contacts
from venowatch.services.care.corrections import correct_checkin
from venowatch.services.care.records import record_checkin, record_lab, record_procedure
from venowatch.services.clock import utc_now
from venowatch.services.errors import FieldError
from venowatch.services.integration.fhir_export import export_patient
from venowatch.services.integration.fhir_import import ImportRefusedError, import_bundle
from venowatch.services.limits import check_length, max_length

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
D = timedelta(days=1)


def test_the_limits_are_read_from_the_models() -> None:
    assert max_length(Patient, "name") == 200
    assert max_length(PatientIdentifier, "value") == 255
    assert max_length(CheckIn, "note") == 4000
    assert max_length(CheckIn, "at") is None
    check_length(Patient, "name", "x" * 200)
    with pytest.raises(FieldError) as refused:
        check_length(Patient, "name", "x" * 201, "full_name")
    assert refused.value.field == "full_name"
    assert refused.value.message == "is 201 characters long; at most 200 are kept"


@pytest.fixture
def operated() -> Patient:
    p = patient("Maria Keller", clinic())
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=NOW - 5 * D, now=NOW - 5 * D)
    return p


def test_record_writes_refuse_a_note_longer_than_its_column(operated: Patient) -> None:
    with pytest.raises(FieldError, match="4001 characters") as refused:
        record_checkin(operated, at=NOW - D, pgic=Pgic.NO_CHANGE, note="x" * 4001, now=NOW)
    assert refused.value.field == "note"
    with pytest.raises(FieldError) as refused:
        record_lab(
            operated, at=NOW - D, kind=LabKind.BLOOD, result=LabResult.ABNORMAL,
            finding="y" * 4001, now=NOW,
        )  # fmt: skip
    assert refused.value.field == "finding"
    with pytest.raises(FieldError) as refused:
        record_procedure(
            operated, kind=ProcedureKind.STENT, performed_at=NOW - D, note="z" * 4001, now=NOW
        )
    assert refused.value.field == "note"
    assert (CheckIn.objects.count(), Lab.objects.count(), Procedure.objects.count()) == (0, 0, 1)
    kept = record_checkin(operated, at=NOW - D, pgic=Pgic.NO_CHANGE, note="x" * 4000, now=NOW)
    assert len(CheckIn.objects.get(pk=kept.pk).note) == 4000


def test_a_nul_character_is_refused_on_every_database(operated: Patient) -> None:
    with pytest.raises(FieldError, match="NUL character") as refused:
        record_checkin(operated, at=NOW - D, pgic=Pgic.NO_CHANGE, note="a\x00b", now=NOW)
    assert refused.value.field == "note"


def test_a_correction_is_held_to_the_same_columns(operated: Patient) -> None:
    old = record_checkin(operated, at=NOW - D, pgic=Pgic.NO_CHANGE, now=NOW)
    with pytest.raises(FieldError) as refused:
        correct_checkin(
            old, at=NOW - D, pgic=Pgic.NO_CHANGE, reason="typo", note="x" * 4001, by=None, now=NOW
        )
    assert refused.value.field == "note"
    with pytest.raises(FieldError) as refused:
        correct_checkin(old, at=NOW - D, pgic=Pgic.NO_CHANGE, reason="r" * 1001, by=None, now=NOW)
    assert refused.value.field == "reason"


def _contacts(**changes: object) -> ContactDetails:
    fields: dict[str, Any] = {
        "phones": {PhoneKind.MOBILE: "(415) 555-2671"},
        "preferred": PhoneKind.MOBILE,
        "date_of_birth": date(1971, 6, 2),
        "language": "en",
        "messages_by": MessageChannel.EMAIL,
    }
    return ContactDetails(**(fields | changes))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"emergency_name": "n" * 201}, "emergency_name"),
        ({"emergency_relation": "r" * 101}, "emergency_relation"),
        ({"mrn": "m" * 256}, "mrn"),
    ],
)
def test_contact_details_longer_than_their_columns_are_refused(
    changes: dict[str, str], field: str
) -> None:
    p = patient("Dana Doe", clinic())
    with pytest.raises(FieldError) as refused:
        save_contacts(p, _contacts(**changes), date(2026, 3, 1))
    assert refused.value.field == field
    assert not PatientIdentifier.objects.filter(patient=p).exists()
    save_contacts(p, _contacts(mrn="m" * 255, emergency_name="n" * 200), date(2026, 3, 1))
    assert PatientIdentifier.objects.get(patient=p).value == "m" * 255


def _bundle(**patient_changes: Any) -> dict[str, Any]:
    source, _ = treated_patient(NOW, name="Ann Source")
    bundle = copy.deepcopy(export_patient(source, now=NOW))
    resource = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    resource.update(patient_changes)
    return bundle


@pytest.mark.parametrize(
    ("changes", "expression"),
    [
        ({"name": [{"text": "N" * 201}]}, "Patient.name"),
        (
            {"identifier": [{"system": "urn:example:mrn", "value": "v" * 256}]},
            "Patient.identifier.value",
        ),
        (
            {"identifier": [{"system": "urn:" + "s" * 252, "value": "v"}]},
            "Patient.identifier.system",
        ),
    ],
)
def test_an_import_names_the_element_too_long_and_stores_nothing(
    changes: dict[str, Any], expression: str
) -> None:
    target = clinic("Target clinic")
    with pytest.raises(ImportRefusedError) as refused:
        import_bundle(target, _bundle(**changes), by=None, now=NOW)
    assert refused.value.expression == expression
    assert "at most" in str(refused.value)
    assert not Patient.objects.filter(clinic=target).exists()


def test_over_http_a_long_name_is_a_422_operation_outcome_not_a_server_error() -> None:
    source, _ = treated_patient(utc_now(), name="Ann Source")
    bundle = export_patient(source)
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "Patient":
            entry["resource"]["name"] = [{"text": "N" * 250}]
    target = clinic("Target clinic")
    client = Client()
    client.login(username=user("ada", target, Role.ADMIN).username, password=PASSWORD)
    answer = client.post("/fhir/r4/", json.dumps(bundle), content_type="application/fhir+json")
    assert answer.status_code == 422, answer.content
    (issue,) = answer.json()["issue"]
    assert issue["expression"] == ["Patient.name"]
    assert "250 characters long; at most 200" in issue["diagnostics"]
    assert not Patient.objects.filter(clinic=target).exists()


def test_an_imported_note_longer_than_its_column_is_named_by_its_element() -> None:
    bundle = _bundle()
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "Procedure":
            entry["resource"]["note"] = [{"text": "x" * 4001}]
    target = clinic("Target clinic")
    with pytest.raises(ImportRefusedError, match="4001 characters") as refused:
        import_bundle(target, bundle, by=None, now=NOW)
    assert refused.value.expression is not None
    assert refused.value.expression.endswith(".note")
    assert not Patient.objects.filter(clinic=target).exists()
