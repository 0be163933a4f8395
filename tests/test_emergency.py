"""Issue 11: an emergency stays open until a person closes it (services.care.emergency,
services.notification.unresolved, the worklist's order)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.alert_fixtures import NOW, ONCALL, Staffed, clot
from tests.web_fixtures import H
from venowatch.clinic.models import (
    CallAttempt,
    CallOutcome,
    Patient,
    Resolution,
    Task,
    TaskKind,
    TaskStatus,
)
from venowatch.notify.models import Kind, Notification, State
from venowatch.protocol import Pathway, Pgic, Urgency
from venowatch.services.care import tasks
from venowatch.services.care.emergency import emergency_states, open_emergency_of, record_call
from venowatch.services.care.records import record_checkin
from venowatch.services.care.worklist import worklist_rows
from venowatch.services.errors import FieldError
from venowatch.services.notification.delivery import deliver_due
from venowatch.services.notification.unresolved import remind_unresolved
from venowatch.services.sweep import sweep

pytestmark = pytest.mark.django_db


def a_little_better(p: Patient, at: object) -> None:
    record_checkin(p, at=at, pgic=Pgic.MINIMALLY_IMPROVED, now=at)  # type: ignore[arg-type]


def emergency_task(p: Patient) -> Task:
    return Task.objects.get(patient=p, emergency=True)


def order(s: Staffed) -> list[str]:
    return [p.name for p in worklist_rows(s.admin, {})]


@pytest.fixture
def s() -> Staffed:
    return Staffed()


def test_a_clot_opens_one_emergency_task_that_a_later_clot_does_not_duplicate(s: Staffed) -> None:
    p = s.operated()
    clot(p)
    task = emergency_task(p)
    assert (task.kind, task.status) == (TaskKind.CALL_PATIENT, TaskStatus.OPEN)
    clot(p, NOW + H)
    assert Task.objects.filter(patient=p, emergency=True).count() == 1


def test_the_task_stays_open_and_on_top_whatever_the_patient_reports_later(s: Staffed) -> None:
    maria, urgent = s.operated("Maria Keller"), s.operated("Ada Urgent", ago=24 * 30)
    record_checkin(urgent, at=NOW, pgic=Pgic.MUCH_WORSE, now=NOW)
    clot(maria)
    task = emergency_task(maria)
    tasks.acknowledge(task, s.advocate, NOW + H)
    a_little_better(maria, NOW + 2 * H)
    maria.refresh_from_db()
    assert maria.assessment.pathway is not Pathway.POSSIBLE_THROMBOSIS  # the protocol moved on
    assert maria.assessment.urgency is not Urgency.EMERGENCY
    urgent.refresh_from_db()
    # By the protocol alone, Ada would now come first.
    assert urgent.assessment.urgency_rank < maria.assessment.urgency_rank
    task.refresh_from_db()
    assert task.status == TaskStatus.ACKNOWLEDGED  # nothing but a person closes it
    assert task.acknowledged_by == s.advocate
    assert task.acknowledged_at == NOW + H
    assert order(s)[0] == "Maria Keller"
    assert open_emergency_of(maria) == task
    tasks.resolve(task, s.advocate, NOW + 3 * H, "Seen by Dr. Ruiz.", Resolution.SEEN_BY_IR)
    assert order(s)[0] == "Ada Urgent"  # only now does she leave the top
    assert open_emergency_of(maria) is None


def test_an_emergency_is_resolved_only_with_an_outcome_and_a_note(s: Staffed) -> None:
    p = s.operated()
    clot(p)
    task = emergency_task(p)
    with pytest.raises(FieldError) as refused:
        tasks.resolve(task, s.advocate, NOW, "Called her.")
    assert refused.value.field == "resolution"
    with pytest.raises(FieldError) as refused:
        tasks.resolve(task, s.advocate, NOW, "  ", Resolution.NOT_A_CLOT)
    assert refused.value.field == "note"
    done = tasks.resolve(task, s.advocate, NOW, "Not a clot.", Resolution.NOT_A_CLOT)
    assert (done.status, done.resolution) == (TaskStatus.RESOLVED, "not_a_clot")
    last = done.events.order_by("-pk").first()
    assert last is not None
    assert last.resolution == "not_a_clot"


def test_calls_are_recorded_on_the_task_and_its_state_counts_them(s: Staffed) -> None:
    p = s.operated()
    clot(p)
    task = emergency_task(p)
    (state,) = emergency_states([p.pk]).values()
    assert (state.acknowledged_at, state.calls, state.last_call) == (None, 0, None)
    record_call(task, s.advocate, NOW + H, CallOutcome.NO_ANSWER, "")
    record_call(task, s.advocate, NOW + 2 * H, CallOutcome.VOICEMAIL, "Left a message.")
    tasks.acknowledge(task, s.admin, NOW + 2 * H)
    state = emergency_states([p.pk])[p.pk]
    assert (state.calls, state.last_call) == (2, CallOutcome.VOICEMAIL)
    assert (state.acknowledged_by, state.acknowledged_at) == (s.admin, NOW + 2 * H)
    tasks.resolve(task, s.admin, NOW + 3 * H, "Could not reach.", Resolution.NOT_REACHED)
    with pytest.raises(FieldError) as refused:
        record_call(task, s.advocate, NOW + 4 * H, CallOutcome.REACHED, "")
    assert refused.value.field == "task"
    assert CallAttempt.objects.filter(task=task).count() == 2
    assert emergency_states([p.pk]) == {}


def test_a_task_that_is_not_a_call_takes_no_calls(s: Staffed) -> None:
    p = s.operated()
    task = Task.objects.create(
        patient=p, kind=TaskKind.REVIEW_LABS, reason="Review labs", created_at=NOW
    )
    with pytest.raises(FieldError):
        record_call(task, s.advocate, NOW, CallOutcome.REACHED, "")


def _unresolved() -> list[Notification]:
    return list(Notification.objects.filter(kind=Kind.UNRESOLVED).order_by("pk"))


def test_an_acknowledged_emergency_reminds_each_period_until_resolved(s: Staffed) -> None:
    p = s.operated()
    clot(p)
    task = emergency_task(p)
    tasks.acknowledge(task, s.advocate, NOW)
    assert remind_unresolved(NOW + 4 * H - H / 60) == 0  # the clinic's default: 4 hours
    assert _unresolved() == []
    assert remind_unresolved(NOW + 4 * H) == 1
    first = _unresolved()
    assert sorted(n.address for n in first) == sorted([s.advocate.email, ONCALL])
    assert all("possible blood clot" in n.subject.lower() for n in first)
    assert all(n.task_id == task.pk for n in first)
    assert remind_unresolved(NOW + 7 * H) == 0  # once per period
    assert remind_unresolved(NOW + 8 * H) == 1
    assert len(_unresolved()) == 4
    tasks.resolve(task, s.advocate, NOW + 9 * H, "Sent to the ER.", Resolution.EMERGENCY_ROOM)
    assert remind_unresolved(NOW + 12 * H) == 0
    assert len(_unresolved()) == 4


def test_the_sweep_reminds_and_a_reminder_resolved_in_the_meantime_is_not_sent(
    s: Staffed,
) -> None:
    s.clinic.resolve_within = 1
    s.clinic.save()
    p = s.operated()
    clot(p)
    task = emergency_task(p)
    tasks.acknowledge(task, s.admin, NOW)
    deliver_due(NOW)  # the alerts
    assert sweep(NOW + 2 * H).unresolved == 1
    assert {n.state for n in _unresolved()} == {State.SENT}
    # Two periods missed at once give one reminder, not a burst.
    assert sweep(NOW + 4 * H + H / 2).unresolved == 1
    assert len(_unresolved()) == 4
    remind_unresolved(NOW + 5 * H)
    tasks.resolve(task, s.admin, NOW + 5 * H, "Seen.", Resolution.SEEN_BY_IR)
    deliver_due(NOW + 5 * H)
    assert [n.state for n in _unresolved()][-2:] == [State.CANCELLED, State.CANCELLED]


def test_an_unacknowledged_emergency_escalates_and_is_not_reminded(s: Staffed) -> None:
    p = s.operated()
    clot(p)
    assert remind_unresolved(NOW + 10 * H) == 0  # escalation's business until acknowledged


def test_the_resolve_within_setting_is_checked(s: Staffed) -> None:
    s.clinic.resolve_within = 0
    with pytest.raises(ValidationError) as refused:
        s.clinic.full_clean()
    assert "resolve_within" in refused.value.message_dict
    s.clinic.resolve_within = 6
    s.clinic.full_clean()
