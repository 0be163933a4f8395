"""Check-in reminders: on the clinic's schedule from the latest procedure, dropped when the
patient already checked in for that slot, restarted by a new procedure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.alert_fixtures import Staffed
from tests.web_fixtures import D, H
from venowatch.notify.models import Kind, Notification, Reminder
from venowatch.notify.schedule import ScheduleError, parse_schedule
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care.records import record_checkin, record_procedure
from venowatch.services.notification.reminders import send_due_reminders

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_the_default_schedule_is_hours_then_weekly_to_week_12_then_monthly() -> None:
    from venowatch.clinic.models import DEFAULT_REMINDERS

    s = parse_schedule(DEFAULT_REMINDERS)
    times = [s.offset(k) for k in range(17)]
    assert times[:4] == [6 * H, 24 * H, 48 * H, 7 * D]
    assert times[14] == 84 * D  # week 12
    assert times[15:] == [114 * D, 144 * D]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "at least one"),
        ("6h 3h", "later than the one before"),
        ("6h 1x", "'1x' is not a time"),
        ("6h then 30d", "write 'every'"),
        ("0h", "positive"),
    ],
)
def test_a_bad_schedule_says_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(ScheduleError, match=says):
        parse_schedule(text)


def test_missed_reminders_are_skipped_not_sent_in_a_burst() -> None:
    s = parse_schedule("6h 24h 48h then every 7d")
    assert s.next_step(T0, T0 + 30 * H) == 2
    assert s.next_step(T0, T0 + 48 * H) == 3  # strictly after
    assert s.offset(s.next_step(T0, T0 + 20 * D) or 0) == 23 * D


@pytest.mark.django_db
def test_reminders_follow_the_schedule_and_drop_when_checked_in() -> None:
    s = Staffed()
    p = s.patient()
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=T0, now=T0)
    assert Reminder.objects.get(patient=p).due_at == T0 + 6 * H
    assert send_due_reminders(T0 + 5 * H) == 0
    assert send_due_reminders(T0 + 6 * H) == 1
    assert _reminded(p.pk) == 1
    # A check-in at 20 h answers the 24 h reminder (it is past halfway from 6 h to 24 h).
    record_checkin(p, at=T0 + 20 * H, pgic=Pgic.NO_CHANGE, now=T0 + 20 * H)
    send_due_reminders(T0 + 24 * H)
    assert _reminded(p.pk) == 1
    send_due_reminders(T0 + 48 * H)  # nothing since 36 h: remind
    assert _reminded(p.pk) == 2
    assert Reminder.objects.get(patient=p).due_at == T0 + 7 * D


@pytest.mark.django_db
def test_a_new_procedure_restarts_the_schedule_and_an_old_one_does_not() -> None:
    s = Staffed()
    p = s.patient()
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=T0, now=T0)
    t1 = T0 + 10 * D
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=t1, now=t1)
    assert Reminder.objects.get(patient=p).due_at == t1 + 6 * H
    late = T0 - 30 * D  # an older procedure, recorded late
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=late, now=t1 + H)
    assert Reminder.objects.get(patient=p).due_at == t1 + 6 * H


@pytest.mark.django_db
def test_reminders_are_sent_once_even_when_the_sweep_runs_twice() -> None:
    s = Staffed()
    p = s.patient()
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=T0, now=T0)
    send_due_reminders(T0 + 7 * H)
    send_due_reminders(T0 + 7 * H)
    assert _reminded(p.pk) == 1


def _reminded(patient_id: int) -> int:
    return Notification.objects.filter(patient_id=patient_id, kind=Kind.REMINDER).count()
