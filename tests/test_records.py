"""The service layer over the database: every write re-assesses in its transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.web_fixtures import D, H, clinic, patient, user
from venowatch.clinic.models import Assessment, AssessmentChange, CheckIn, Role, Task, TaskStatus
from venowatch.protocol import Pgic, ProcedureKind, Timeline, assess
from venowatch.services.care.protocols import default_protocol
from venowatch.services.care.records import record_checkin, record_procedure
from venowatch.services.care.standing import assess_patient
from venowatch.services.errors import FieldError

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def test_every_write_reassesses_and_history_records_changes() -> None:
    c = clinic()
    alex = user("alex", c, Role.ADVOCATE)
    p = patient("Maria Keller", c, advocate=alex)
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=NOW - 20 * H, now=NOW - 20 * H)
    assert Assessment.objects.get(patient=p).pathway == "awaiting_checkin"
    record_checkin(p, at=NOW - 14 * H, pgic=Pgic.MUCH_IMPROVED, now=NOW - 14 * H)
    record_checkin(p, at=NOW, pgic=Pgic.NO_CHANGE, symptoms_returned=True, now=NOW)
    current = Assessment.objects.get(patient=p)
    assert (current.pathway, current.urgency) == ("possible_thrombosis", "emergency")
    assert current.rationale[0]["clause"] == "C2"
    changes = list(
        AssessmentChange.objects.filter(patient=p).order_by("id").values_list("pathway", flat=True)
    )
    assert changes == ["awaiting_checkin", "improved", "possible_thrombosis"]
    task = Task.objects.get(patient=p, kind="call_patient")
    assert (task.status, task.assignee) == (TaskStatus.OPEN, alex)


def test_checkin_before_the_procedure_or_in_the_future_is_refused_and_nothing_saved() -> None:
    p = patient("Sam Rivera", clinic())
    with pytest.raises(FieldError) as before:
        record_checkin(p, at=NOW, pgic=Pgic.NO_CHANGE, now=NOW)
    assert before.value.field == "at"
    assert "before your procedure" in before.value.message
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=NOW - 2 * D, now=NOW)
    with pytest.raises(FieldError, match="in the future"):
        record_checkin(p, at=NOW + 1 * H, pgic=Pgic.NO_CHANGE, now=NOW)
    assert CheckIn.objects.filter(patient=p).count() == 0


def test_spans_are_exact_across_a_daylight_saving_change() -> None:
    """US clocks went back on 1 November 2026: 14 days of elapsed time between check-ins that
    straddle it must count as 14 days, not 13 days 23 hours (suspected restenosis, C5)."""
    p = patient("John Okafor", clinic(time_zone="America/New_York"))
    zone = ZoneInfo("America/New_York")
    procedure = datetime(2026, 9, 1, 10, 0, tzinfo=zone)
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=procedure, now=procedure)
    first_back = datetime(2026, 10, 29, 19, 0, tzinfo=zone)  # EDT, UTC-4
    answers = [
        (procedure + 2 * D, Pgic.MUCH_IMPROVED),
        (procedure + 40 * D, Pgic.MUCH_IMPROVED),
        (first_back, Pgic.NO_CHANGE),
        (first_back + 14 * D, Pgic.NO_CHANGE),
    ]
    for at, pgic in answers:
        record_checkin(p, at=at, pgic=pgic, now=at)
    assert Assessment.objects.get(patient=p).pathway == "suspected_restenosis"


def test_the_engine_refuses_zone_rule_instants_rather_than_misjudge_them() -> None:
    at = datetime(2026, 11, 1, 12, 0, tzinfo=ZoneInfo("America/New_York"))
    with pytest.raises(ValueError, match="fixed UTC offset"):
        assess(Timeline(patient_id="x"), at, default_protocol())


def test_assessment_as_of_a_past_date() -> None:
    p = patient("Lena Novak", clinic())
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=NOW - 30 * D, now=NOW)
    record_checkin(p, at=NOW - 29 * D, pgic=Pgic.MUCH_IMPROVED, now=NOW)
    assert assess_patient(p, NOW - 29.5 * D).pathway.value == "awaiting_checkin"
    assert assess_patient(p, NOW).pathway.value == "improved"
    assert assess_patient(p, NOW - 31 * D).pathway.value == "no_procedure"


def test_dates_are_shown_on_the_patients_clock_on_each_side_of_daylight_saving() -> None:
    p = patient("Aiko Tanaka", clinic(time_zone="America/New_York"))
    zone = ZoneInfo("America/New_York")
    procedure = datetime(2026, 10, 20, 9, 30, tzinfo=zone)  # EDT
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=procedure, now=procedure)
    result = assess_patient(p, datetime(2026, 11, 2, 12, 0, tzinfo=zone))  # EST since 1 November
    staff = " ".join(r.staff for r in result.rationale)
    assert "2026-10-20 09:30 -04:00" in staff  # the procedure, as the patient's clock read then
    assert result.valid_until is not None
    assert result.valid_until.isoformat() == "2026-11-03T08:30:00-05:00"  # 14 d later, EST
