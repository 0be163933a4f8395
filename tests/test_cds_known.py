"""The CDS Hooks card for a patient venowatch knows (issue 11): built from venowatch's records
merged with the EHR's (the same record twice counts once), saying which sources it used, and
never less urgent than venowatch's own view of the patient."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from tests import cds_fhir as fhir
from tests.cds_fixtures import NOW, PROTOCOL, at, call, request_for, the_card
from tests.cds_tokens import trust
from venowatch.clinic.models import (
    Patient,
    PatientIdentifier,
    Procedure,
    Resolution,
    Task,
    TaskKind,
)
from venowatch.protocol import (
    CheckIn,
    Lab,
    LabKind,
    LabResult,
    Pathway,
    Pgic,
    ProcedureKind,
    Timeline,
)
from venowatch.protocol import Procedure as ProcedureRecord
from venowatch.services.care.tasks import acknowledge, resolve
from venowatch.services.demo import DEMO_CLINIC, create_demo
from venowatch.services.integration.cds.merging import merged

pytestmark = pytest.mark.django_db
MRN = "urn:oid:2.16.840.1.113883.4.1"
CLOT = PROTOCOL.pathways[Pathway.POSSIBLE_THROMBOSIS].title.staff
WAITING = PROTOCOL.pathways[Pathway.AWAITING_CHECKIN].title.staff


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.VENOWATCH_BASE_URL_SET = False
    at(monkeypatch, NOW)


@pytest.fixture
def maria() -> Patient:
    """The demo's emergency patient (symptoms back 18 hours after her venoplasty), known to the
    EHR by her MRN; the demo's clinic trusts the test EHR."""
    create_demo(NOW)
    maria = Patient.objects.select_related("clinic").get(name="Maria Keller")
    assert maria.clinic.name == DEMO_CLINIC
    PatientIdentifier.objects.create(clinic=maria.clinic, patient=maria, system=MRN, value="M-1")
    trust(maria.clinic)
    return maria


def only_the_procedure(maria: Patient, identified: bool = True) -> dict[str, Any]:
    """What the EHR holds: her Patient and the venoplasty, nothing of the check-ins she made in
    venowatch's app."""
    done = Procedure.objects.get(patient=maria)
    prefetch = fhir.prefetch(
        {"procedures": [{"kind": "venoplasty", "performed_at": done.performed_at.isoformat()}]},
        "ehr-42",
    )
    if identified:
        prefetch["patient"]["identifier"] = [{"system": MRN, "value": "M-1"}]
    return prefetch


def test_the_demos_emergency_patient_is_critical_from_a_prefetch_of_the_procedure(
    client: Client, maria: Patient
) -> None:
    card = the_card(call(client, request_for("ehr-42", only_the_procedure(maria))))

    assert card["indicator"] == "critical"
    assert CLOT in card["summary"]
    assert (
        "Sources: the EHR's records (1 procedure, 0 check-ins, 0 test results) and venowatch's "
        "own for this patient (1 procedure, 2 check-ins, 0 test results); 1 held by both "
        "counted once." in card["detail"]
    )
    assert card["links"][0]["url"] == f"http://testserver/staff/patients/{maria.pk}/"


def test_a_patient_venowatch_does_not_know_gets_the_ehrs_records_only(
    client: Client, maria: Patient
) -> None:
    prefetch = only_the_procedure(maria, identified=False)
    card = the_card(call(client, request_for("ehr-42", prefetch)))

    assert card["indicator"] == "info"
    assert WAITING in card["summary"]
    assert "Sources: the EHR's records only (1 procedure, 0 check-ins" in card["detail"]


def test_an_open_emergency_keeps_the_card_critical_whatever_the_ehr_holds(
    client: Client, maria: Patient
) -> None:
    """The EHR has a later, much improved check-in venowatch has not seen: the merged records
    say she is improving, but venowatch's emergency is open (acknowledged, not resolved)."""
    task = Task.objects.get(patient=maria, kind=TaskKind.CALL_PATIENT)
    acknowledge(task, None, NOW)
    prefetch = only_the_procedure(maria)
    later = {"at": (NOW - timedelta(minutes=30)).isoformat(), "pgic": "much_improved"}
    prefetch["responses"] = fhir.prefetch({"checkins": [later]}, "ehr-42")["responses"]

    card = the_card(call(client, request_for("ehr-42", prefetch)))

    assert card["indicator"] == "critical"
    assert CLOT in card["summary"]
    assert (
        "venowatch has an open emergency for this patient: a possible blood clot" in card["detail"]
    )
    assert "3 check-ins" not in card["detail"]
    assert "(1 procedure, 1 check-in, 0 test results) and venowatch's own" in card["detail"]

    resolve(task, None, NOW, "Reached; not a clot.", Resolution.NOT_A_CLOT)
    after = the_card(call(client, request_for("ehr-42", prefetch)))
    # venowatch's own assessment (it has not seen the EHR's check-in) still says a possible
    # clot, and the card is never less urgent than it.
    assert after["indicator"] == "critical"
    assert "venowatch's own assessment of this patient: " in after["detail"]


def _at(hour: int, microsecond: int = 0) -> datetime:
    return datetime(2026, 3, 1, hour, 0, 0, microsecond, tzinfo=UTC)


def test_the_same_record_twice_counts_once() -> None:
    new_york = _at(10).astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    ehr = Timeline(
        "ehr-1",
        procedures=(ProcedureRecord(ProcedureKind.VENOPLASTY, _at(10)),),
        checkins=(CheckIn(_at(12), Pgic.NO_CHANGE),),
        labs=(Lab(_at(11), LabKind.BLOOD, LabResult.NORMAL),),
    )
    ours = Timeline(
        "7",
        # the same venoplasty, at the same instant in another offset and with microseconds
        procedures=(ProcedureRecord(ProcedureKind.VENOPLASTY, new_york.replace(microsecond=5)),),
        checkins=(CheckIn(_at(12), Pgic.NO_CHANGE), CheckIn(_at(13), Pgic.MUCH_WORSE)),
        # another kind of test at the same instant is another record
        labs=(Lab(_at(11), LabKind.URINE, LabResult.NORMAL),),
    )

    both = merged(ehr, ours)

    assert len(both.timeline.procedures) == 1
    assert [c.at for c in both.timeline.checkins] == [_at(12), _at(13)]
    assert [lab.kind for lab in both.timeline.labs] == [LabKind.BLOOD, LabKind.URINE]
    assert both.both == 2
    assert both.timeline.patient_id == "ehr-1"
