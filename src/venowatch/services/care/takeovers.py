"""Taking a patient over: an advocate becomes the patient's advocate, with a reason.

For cover when a colleague is away: the take-over is recorded (append-only: who, when, from
whom, why), and the patient's open tasks that were the previous advocate's (or nobody's) pass
to the new one, each move a task event, so that reminders and escalations reach someone who
is at work. Who may take whom over is services.security.access.patient_to_take_over."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from venowatch.audit.models import Action
from venowatch.clinic.models import Patient, Role, Takeover, Task, TaskEvent, TaskStatus
from venowatch.services.errors import FieldError
from venowatch.services.security import audit
from venowatch.services.security.access import role_of

REASON_MAX = 1000


def take_over(patient: Patient, *, by: Any, reason: str, now: datetime) -> Takeover:
    """Make `by` (an advocate of the patient's clinic) the patient's advocate. Raises
    FieldError on `reason` if it is empty or too long, and on `patient` if they are already
    `by`'s."""
    reason = " ".join(reason.split())
    if not reason:
        raise FieldError("reason", "is empty; say why you are taking this patient over")
    if len(reason) > REASON_MAX:
        raise FieldError("reason", f"is too long; keep it under {REASON_MAX} characters")
    if role_of(by) is not Role.ADVOCATE:
        raise FieldError("by", "only a patient advocate can take a patient over")
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        if locked.clinic_id != by.member.clinic_id:
            raise FieldError("patient", "is not a patient of your clinic")
        if locked.advocate_id == by.pk:
            raise FieldError("patient", "is already in your care")
        previous_id = locked.advocate_id
        row = Takeover.objects.create(
            patient=locked, by=by, previous_id=previous_id, reason=reason, at=now
        )
        locked.advocate = by
        locked.save(update_fields=["advocate"])
        audit.wrote(by, Action.TAKEOVER, locked, row, now)
        _hand_over_tasks(locked, previous_id, by, reason, now)
    patient.advocate = by
    return row


def _hand_over_tasks(
    patient: Patient, previous_id: int | None, by: Any, reason: str, now: datetime
) -> None:
    waiting = (
        Task.objects.select_for_update().filter(patient=patient).exclude(status=TaskStatus.RESOLVED)
    )
    for task in waiting:
        if task.assignee_id not in (None, previous_id):
            continue  # given to someone on purpose: theirs still
        task.assignee = by
        task.save(update_fields=["assignee"])
        TaskEvent.objects.create(
            task=task,
            status=task.status,
            assignee=by,
            actor=by,
            note=f"Taken over: {reason}",
            at=now,
        )
