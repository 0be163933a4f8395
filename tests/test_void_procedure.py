"""Voiding the latest procedure puts the patient back on the previous one: the check-in
reminders count from it again, and so do the key dates; voiding the only one stops both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.alert_fixtures import Staffed
from tests.web_fixtures import D, H
from venowatch.clinic.models import Assessment, Patient, Procedure
from venowatch.notify.models import Reminder
from venowatch.notify.schedule import parse_schedule
from venowatch.protocol import Pathway, Pgic, ProcedureKind
from venowatch.services.care.corrections import correct_procedure, void
from venowatch.services.care.protocols import default_protocol
from venowatch.services.care.records import record_checkin, record_procedure
from venowatch.services.care.standing import standing

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
FIRST, SECOND = T0, T0 + 30 * D  # the second a month on
NOW = SECOND + 2 * H
SI, NC = Pgic.MINIMALLY_IMPROVED, Pgic.NO_CHANGE
PROTOCOL = default_protocol()


def _treated_twice(staffed: Staffed) -> tuple[Patient, Procedure, Procedure]:
    """A venoplasty, three weekly check-ins only slightly better, and a second venoplasty."""
    p = staffed.patient()
    first = record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=FIRST, now=FIRST)
    for week, answer in enumerate([SI, SI, NC], 1):
        at = FIRST + week * 7 * D
        record_checkin(p, at=at, pgic=answer, now=at)
    second = record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=SECOND, now=NOW)
    return p, first, second


def _expected_due(p: Patient, procedure_at: datetime, after: datetime) -> datetime:
    following = parse_schedule(p.clinic.reminder_schedule).next_due(procedure_at, after)
    assert following is not None
    return following[1]


def test_voiding_the_latest_procedure_moves_reminders_and_key_dates_back() -> None:
    staffed = Staffed()
    p, _first, second = _treated_twice(staffed)
    reminder = Reminder.objects.get(patient=p)
    assert reminder.procedure_at == SECOND
    assert reminder.due_at == SECOND + 6 * H  # the new procedure's first hours
    awaiting = Assessment.objects.get(patient=p)
    assert awaiting.pathway == Pathway.AWAITING_CHECKIN  # nothing since the second one
    assert awaiting.earliest_next_procedure_at is None

    void(second, reason="Entered for the wrong patient.", by=staffed.advocate, now=NOW)

    reminder.refresh_from_db()
    assert reminder.procedure_at == FIRST
    assert reminder.due_at == _expected_due(p, FIRST, NOW)
    assert reminder.due_at > NOW  # the next one to come, not a burst of missed ones
    stored = Assessment.objects.get(patient=p)  # re-assessed in the same transaction
    assert stored.pathway == Pathway.TUNE_UP_WAIT  # the first one's course: slight, so wait
    tune_up = PROTOCOL.parameters.tune_up_min_wait
    assert stored.earliest_next_procedure_at == FIRST + tune_up
    assert stored.earliest_next_procedure_at == standing(p, NOW).earliest_next_procedure_at


def test_voiding_an_earlier_procedure_leaves_the_reminders_alone() -> None:
    staffed = Staffed()
    p, first, _second = _treated_twice(staffed)
    before = Reminder.objects.values("procedure_at", "step", "due_at").get(patient=p)
    void(first, reason="Duplicate.", by=staffed.advocate, now=NOW)
    assert Reminder.objects.values("procedure_at", "step", "due_at").get(patient=p) == before


def test_voiding_the_only_procedure_stops_the_reminders() -> None:
    staffed = Staffed()
    p = staffed.patient()
    only = record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=FIRST, now=FIRST)
    assert Reminder.objects.filter(patient=p).exists()
    void(only, reason="Never happened.", by=staffed.advocate, now=FIRST + H)
    assert not Reminder.objects.filter(patient=p).exists()
    assert standing(p, FIRST + H).earliest_next_procedure_at is None


def test_correcting_the_latest_procedure_to_an_earlier_date_moves_reminders_back() -> None:
    staffed = Staffed()
    p, _first, second = _treated_twice(staffed)
    earlier = SECOND - timedelta(days=1)
    correct_procedure(
        second, kind=ProcedureKind.VENOPLASTY, performed_at=earlier, reason="Wrong day.",
        by=staffed.advocate, now=NOW,
    )  # fmt: skip
    reminder = Reminder.objects.get(patient=p)
    assert reminder.procedure_at == earlier
    assert reminder.due_at == _expected_due(p, earlier, NOW)
