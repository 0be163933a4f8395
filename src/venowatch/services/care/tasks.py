"""Staff tasks made from assessments, and what staff do with them.

A task is opened when an assessment change asks for staff work that is not already waiting;
each state change is a new TaskEvent row, and the task's status mirrors the latest one.

Nothing here closes a task because the assessment moved: only a person resolves one. A call
task opened by a possible clot is an emergency (`Task.emergency`): it is resolved only with an
outcome (`Resolution`) and a note, whatever the patient reports afterwards
(services.care.emergency keeps the rest of its lifecycle).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from venowatch.audit.models import Action as Audited
from venowatch.clinic.models import (
    AssessmentChange,
    Patient,
    Resolution,
    Task,
    TaskEvent,
    TaskKind,
    TaskStatus,
)
from venowatch.protocol import (
    CHECKIN_OVERDUE,
    LABS_NEEDED,
    PROPERTIES,
    Action,
    Flag,
    Pathway,
    StaffTask,
    StaffWork,
)
from venowatch.protocol.message import ENGLISH, Audience, render
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.staff import staff_member
from venowatch.services.care.standing import Decision
from venowatch.services.errors import FieldError
from venowatch.services.limits import check_length
from venowatch.services.notification.cancelling import cancel_escalations
from venowatch.services.security import audit

# The core's kinds of staff work, as the clinic stores them.
_TASK_KINDS: dict[StaffTask, TaskKind] = {
    StaffTask.CALL_PATIENT: TaskKind.CALL_PATIENT,
    StaffTask.SCHEDULE_RETEST: TaskKind.SCHEDULE_RETEST,
    StaffTask.REVIEW_LABS: TaskKind.REVIEW_LABS,
    StaffTask.ORDER_LABS: TaskKind.ORDER_LABS,
    StaffTask.REVIEW_PATIENT: TaskKind.REVIEW_PATIENT,
    StaffTask.OVERDUE_CHECKIN: TaskKind.OVERDUE_CHECKIN,
}
_STAFF_ENGLISH = ENGLISH[Audience.STAFF]


def pathway_task(pathway: Pathway) -> TaskKind | None:
    """The task a patient entering `pathway` gets, if any."""
    work = PROPERTIES[pathway].opens
    return _TASK_KINDS[work.kind] if work is not None else None


ALREADY_RESOLVED = "this task is already resolved"
"""A refusal on `task` (FieldError): the task, not a field of the request, is at fault."""


def open_tasks_for_change(
    patient: Patient, change: AssessmentChange, previous: Decision | None, now: datetime
) -> None:
    wanted: list[StaffWork] = []
    pathway = change.pathway
    entered = previous is None or previous.pathway is not pathway
    opens = PROPERTIES[pathway].opens
    if entered and opens is not None:
        wanted.append(opens)
    before_actions = {a.value for a in previous.actions} if previous else set()
    if Action.BLOOD_AND_URINE_TEST.value in set(change.actions) - before_actions:
        wanted.append(LABS_NEEDED)
    before_flags = {f.value for f in previous.flags} if previous else set()
    if Flag.CHECKIN_OVERDUE.value in set(change.flags) - before_flags:
        wanted.append(CHECKIN_OVERDUE)
    # An emergency call is not the same work as an urgent pathway's call: one of each may wait.
    waiting = set(
        Task.objects.filter(patient=patient)
        .exclude(status=TaskStatus.RESOLVED)
        .values_list("kind", "emergency")
    )
    parameters = clinic_protocol(patient.clinic).parameters
    for work in wanted:
        kind = _TASK_KINDS[work.kind]
        emergency = kind is TaskKind.CALL_PATIENT and pathway is Pathway.POSSIBLE_THROMBOSIS
        if (kind.value, emergency) in waiting:
            continue
        task = Task.objects.create(
            patient=patient,
            kind=kind,
            emergency=emergency,
            # Written in English when the task opens, as the record of what staff were asked.
            reason=render(work.reason(parameters), _STAFF_ENGLISH),
            change=change,
            assignee=patient.advocate,
            created_at=now,
        )
        TaskEvent.objects.create(
            task=task, status=TaskStatus.OPEN, assignee=patient.advocate, actor=None, at=now
        )
        # venowatch opens it, whoever's record started the change: no actor.
        audit.record_as_system(Audited.TASK_OPENED, patient, task, now)


def _move(
    task: Task,
    status: TaskStatus,
    actor: Any,
    now: datetime,
    note: str = "",
    assignee: Any = None,
    resolution: Resolution | None = None,
) -> Task:
    patient = task.patient
    if status is TaskStatus.RESOLVED:
        done = Audited.TASK_RESOLVED
    elif assignee is not None:
        done = Audited.TASK_ASSIGNED
    else:
        done = Audited.TASK_ACKNOWLEDGED
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status == TaskStatus.RESOLVED:
            raise FieldError("task", ALREADY_RESOLVED)
        fields = ["status", "assignee"]
        if status is TaskStatus.ACKNOWLEDGED and task.status != TaskStatus.ACKNOWLEDGED:
            task.acknowledged_at, task.acknowledged_by = now, actor
            fields += ["acknowledged_at", "acknowledged_by"]
        if resolution is not None:
            task.resolution = resolution.value
            fields.append("resolution")
        task.status = status
        if assignee is not None:
            task.assignee = assignee
        task.save(update_fields=fields)
        TaskEvent.objects.create(
            task=task,
            status=status,
            assignee=task.assignee,
            actor=actor,
            note=note,
            resolution=resolution.value if resolution is not None else "",
            at=now,
        )
        audit.wrote(actor, done, patient, task, now)
        if status is not TaskStatus.OPEN:
            # Someone answered the alert: its escalation must not still read as on its way.
            cancel_escalations(task, f"task {status.value} before the escalation", now)
    return task


def acknowledge(task: Task, actor: Any, now: datetime) -> Task:
    return _move(task, TaskStatus.ACKNOWLEDGED, actor, now)


def assign(task: Task, assignee: Any, actor: Any, now: datetime) -> Task:
    """Raises FieldError on `assignee` unless they are staff of the patient's clinic."""
    staff_member(task.patient.clinic_id, assignee.pk if assignee is not None else None)
    return _move(task, TaskStatus(task.status), actor, now, assignee=assignee)


def resolve(
    task: Task, actor: Any, now: datetime, note: str, resolution: Resolution | None = None
) -> Task:
    """Close the task with a note; an emergency also needs its outcome (FieldError on
    `resolution` without one)."""
    if task.emergency and resolution is None:
        raise FieldError(
            "resolution",
            "say how the possible clot ended: reached and sent to the emergency room, reached "
            "and seen by the IR, reached and not a clot, or could not reach",
        )
    if not note.strip():
        raise FieldError("note", "say how it was resolved")
    check_length(TaskEvent, "note", note)
    return _move(task, TaskStatus.RESOLVED, actor, now, note=note, resolution=resolution)
