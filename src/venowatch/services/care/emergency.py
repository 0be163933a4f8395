"""An emergency stays open until a person closes it.

A possible-clot call task (`Task.emergency`) is opened by the assessment change
(services.care.tasks) and closed only by `tasks.resolve` with an outcome and a note. Until
then: the patient is on top of every worklist that reaches them (services.care.worklist),
staff see its state (new; acknowledged by whom and when; calls tried), the patient sees a
notice on each of their pages, escalation goes on until someone acknowledges it
(services.notification.alerts) and, once acknowledged, the acknowledger and on-call are
reminded each `Clinic.resolve_within` hours it stays open
(services.notification.unresolved). Every call staff try is recorded here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet

from venowatch.audit.models import Action
from venowatch.clinic.models import (
    CallAttempt,
    CallOutcome,
    Patient,
    Resolution,
    Task,
    TaskEvent,
    TaskKind,
    TaskStatus,
)
from venowatch.services.care.tasks import ALREADY_RESOLVED
from venowatch.services.errors import FieldError
from venowatch.services.limits import check_length
from venowatch.services.security import audit

OPEN_EMERGENCY = Q(emergency=True) & ~Q(status=TaskStatus.RESOLVED)
"""A task that is an open emergency (a filter on Task): a possible clot's call task, not yet
resolved. One definition for every reader: the cover rule (services.security.access) lets
every staff member of the clinic reach its patient, and worklists put them on top."""


def open_emergencies() -> QuerySet[Task]:
    """Every emergency task nobody has resolved yet."""
    return Task.objects.filter(OPEN_EMERGENCY)


def open_emergency_tasks(clinic_id: int) -> QuerySet[Task]:
    """The clinic's open emergency tasks, oldest first (the longest waiting on top)."""
    return open_emergencies().filter(patient__clinic_id=clinic_id).order_by("created_at", "pk")


def is_open_emergency(task: Task) -> bool:
    """OPEN_EMERGENCY for one task in hand."""
    return task.emergency and task.status != TaskStatus.RESOLVED


CALLING = (TaskKind.CALL_PATIENT, TaskKind.OVERDUE_CHECKIN)
"""Tasks whose work is calling the patient, and so record the calls tried."""


def takes_calls(task: Task) -> bool:
    return task.emergency or task.kind in CALLING


def record_call(task: Task, actor: Any, now: datetime, outcome: CallOutcome, note: str) -> Task:
    """Record one call staff tried for `task`; a resolved task takes no more calls."""
    check_length(CallAttempt, "note", note)
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.status == TaskStatus.RESOLVED:
            raise FieldError("task", ALREADY_RESOLVED)
        if not takes_calls(locked):
            raise FieldError("action", "calls are recorded on tasks to call the patient")
        call = CallAttempt.objects.create(
            task=locked, at=now, actor=actor, outcome=outcome, note=note
        )
        audit.wrote(actor, Action.CALL, task.patient, call, now)
    return locked


@dataclass(frozen=True, slots=True)
class EmergencyState:
    """Where an open emergency task stands, for the staff who must act on it."""

    task: Task
    acknowledged_at: datetime | None
    acknowledged_by: Any
    calls: int
    last_call: CallOutcome | None


def emergency_states(patient_ids: Iterable[int]) -> dict[int, EmergencyState]:
    """The oldest open emergency of each of these patients, in three queries."""
    tasks: dict[int, Task] = {}
    rows = open_emergencies().filter(patient__in=list(patient_ids))
    for task in rows.select_related("acknowledged_by").order_by("-created_at", "-pk"):
        tasks[task.patient_id] = task  # the oldest last, so it stays
    calls = {
        task_id: (n, last)
        for task_id, n, last in CallAttempt.objects.filter(task__in=[t.pk for t in tasks.values()])
        .values_list("task_id")
        .annotate(n=Count("pk"), last=Max("pk"))
        .values_list("task_id", "n", "last")
    }
    lasts = {
        c.task_id: CallOutcome(c.outcome)
        for c in CallAttempt.objects.filter(pk__in=[last for _, last in calls.values()])
    }
    return {
        pid: EmergencyState(
            task=t,
            acknowledged_at=t.acknowledged_at,
            acknowledged_by=t.acknowledged_by,
            calls=calls.get(t.pk, (0, 0))[0],
            last_call=lasts.get(t.pk),
        )
        for pid, t in tasks.items()
    }


def open_emergency_of(patient: Patient) -> Task | None:
    """The patient's open emergency, if any: what their pages warn of."""
    return open_emergencies().filter(patient=patient).order_by("created_at", "pk").first()


@dataclass(frozen=True, slots=True)
class Step:
    """One line of a task's history: a change of state, or a call tried."""

    at: datetime
    actor: Any
    status: TaskStatus | None  # None: a call
    call: CallOutcome | None
    resolution: Resolution | None
    note: str
    assignee: Any = None


def task_history(tasks: Sequence[Task]) -> dict[int, list[Step]]:
    """Each task's events and calls, oldest first, in two queries."""
    history: dict[int, list[Step]] = {t.pk: [] for t in tasks}
    events = TaskEvent.objects.filter(task__in=list(history)).select_related("actor", "assignee")
    for e in events.order_by("at", "pk"):
        resolution = Resolution(e.resolution) if e.resolution else None
        step = Step(e.at, e.actor, TaskStatus(e.status), None, resolution, e.note, e.assignee)
        history[e.task_id].append(step)
    calls = CallAttempt.objects.filter(task__in=list(history)).select_related("actor")
    for c in calls.order_by("at", "pk"):
        history[c.task_id].append(Step(c.at, c.actor, None, CallOutcome(c.outcome), None, c.note))
    for steps in history.values():
        steps.sort(key=lambda s: s.at)  # stable: events keep their order at the same instant
    return history
