"""Staff tasks made from assessments, and what staff do with them.

A task is opened when an assessment change asks for staff work that is not already waiting;
each state change is a new TaskEvent row, and the task's status mirrors the latest one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from venowatch.clinic.models import AssessmentChange, Patient, Task, TaskEvent, TaskKind, TaskStatus
from venowatch.protocol import Action, Flag, Pathway
from venowatch.services.care.standing import Decision

# What each pathway asks of staff when a patient enters it.
_PATHWAY_TASKS: dict[Pathway, tuple[TaskKind, str]] = {
    Pathway.POSSIBLE_THROMBOSIS: (
        TaskKind.CALL_PATIENT,
        "Possible thrombosis: make sure the patient has reached the IR now.",
    ),
    Pathway.SUSPECTED_RESTENOSIS: (
        TaskKind.SCHEDULE_RETEST,
        "Suspected restenosis: schedule the retest.",
    ),
    Pathway.WORSENING_RETEST: (
        TaskKind.SCHEDULE_RETEST,
        "Worse for 4 weeks and not easing: schedule the retest.",
    ),
    Pathway.TREAT_UNDERLYING_CAUSE: (
        TaskKind.REVIEW_LABS,
        "Abnormal blood or urine test: review and treat.",
    ),
    Pathway.WORSENING_WATCH: (
        TaskKind.CALL_PATIENT,
        "Worse since the procedure: call the patient.",
    ),
    Pathway.NO_IMPROVEMENT: (
        TaskKind.REVIEW_PATIENT,
        "No improvement since the procedure: review.",
    ),
    Pathway.TUNE_UP_ELIGIBLE: (
        TaskKind.REVIEW_PATIENT,
        "A tune-up can now be considered: discuss it.",
    ),
}


def pathway_task(pathway: Pathway) -> TaskKind | None:
    """The task a patient entering `pathway` gets, if any."""
    wanted = _PATHWAY_TASKS.get(pathway)
    return wanted[0] if wanted is not None else None


class TaskError(ValueError):
    pass


def open_tasks_for_change(
    patient: Patient, change: AssessmentChange, previous: Decision | None, now: datetime
) -> None:
    wanted: list[tuple[TaskKind, str]] = []
    pathway = change.pathway
    entered = previous is None or previous.pathway is not pathway
    if entered and pathway in _PATHWAY_TASKS:
        wanted.append(_PATHWAY_TASKS[pathway])
    before_actions = {a.value for a in previous.actions} if previous else set()
    if Action.BLOOD_AND_URINE_TEST.value in set(change.actions) - before_actions:
        wanted.append(
            (TaskKind.ORDER_LABS, "Blood and urine tests are needed to rule out other causes.")
        )
    before_flags = {f.value for f in previous.flags} if previous else set()
    if Flag.CHECKIN_OVERDUE.value in set(change.flags) - before_flags:
        wanted.append((TaskKind.OVERDUE_CHECKIN, "No check-in for two weeks: contact the patient."))
    waiting = set(
        Task.objects.filter(patient=patient)
        .exclude(status=TaskStatus.RESOLVED)
        .values_list("kind", flat=True)
    )
    for kind, reason in wanted:
        if kind.value in waiting:
            continue
        task = Task.objects.create(
            patient=patient,
            kind=kind,
            reason=reason,
            change=change,
            assignee=patient.advocate,
            created_at=now,
        )
        TaskEvent.objects.create(
            task=task, status=TaskStatus.OPEN, assignee=patient.advocate, actor=None, at=now
        )


def _move(
    task: Task, status: TaskStatus, actor: Any, now: datetime, note: str = "", assignee: Any = None
) -> Task:
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status == TaskStatus.RESOLVED:
            raise TaskError("this task is already resolved")
        task.status = status
        if assignee is not None:
            task.assignee = assignee
        task.save(update_fields=["status", "assignee"])
        TaskEvent.objects.create(
            task=task, status=status, assignee=task.assignee, actor=actor, note=note, at=now
        )
    return task


def acknowledge(task: Task, actor: Any, now: datetime) -> Task:
    return _move(task, TaskStatus.ACKNOWLEDGED, actor, now)


def assign(task: Task, assignee: Any, actor: Any, now: datetime) -> Task:
    return _move(task, TaskStatus(task.status), actor, now, assignee=assignee)


def resolve(task: Task, actor: Any, now: datetime, note: str) -> Task:
    if not note.strip():
        raise TaskError("say how it was resolved")
    return _move(task, TaskStatus.RESOLVED, actor, now, note=note)
