"""Reminders that an acknowledged emergency is still open.

Escalation stops when someone acknowledges a possible-clot task (services.notification.alerts);
from then on, each `Clinic.resolve_within` hours the task stays unresolved, the person who
acknowledged it and the clinic's on-call are reminded, once per period: a sweep that missed
periods sends one reminder, not a burst. The sweep calls this with its `now`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from venowatch.clinic.models import Task, TaskStatus
from venowatch.notify.models import Kind
from venowatch.services.notification.addresses import addresses_of, oncall_addresses, unique
from venowatch.services.notification.outbox import queue


def period(task: Task) -> timedelta:
    return timedelta(hours=max(task.patient.clinic.resolve_within, 1))


def remind_unresolved(now: datetime, batch: int = 200) -> int:
    """Queue the reminders due at `now`; how many tasks were reminded."""
    reminded = 0
    with transaction.atomic():
        tasks = (
            Task.objects.filter(
                emergency=True, status=TaskStatus.ACKNOWLEDGED, acknowledged_at__lte=now
            )
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("patient__clinic", "acknowledged_by")
            .order_by("acknowledged_at", "pk")[:batch]
        )
        for task in tasks:
            assert task.acknowledged_at is not None
            due = (now - task.acknowledged_at) // period(task)
            if due <= task.reminded:
                continue
            _remind(task, due, now)
            Task.objects.filter(pk=task.pk).update(reminded=due)
            reminded += 1
    return reminded


def _remind(task: Task, n: int, now: datetime) -> None:
    patient = task.patient
    assert task.acknowledged_at is not None
    hours = int((now - task.acknowledged_at) / timedelta(hours=1))
    subject = _("NOT RESOLVED: possible blood clot, %(name)s") % {"name": patient.name}
    for to in unique([*addresses_of(task.acknowledged_by), *oncall_addresses(patient.clinic)]):
        queue(
            clinic=patient.clinic, patient=patient, task=task, kind=Kind.UNRESOLVED, to=to,
            key=f"unresolved:{task.pk}:{n}:{to.value}", step=n, subject=subject, now=now,
            context={"patient": patient, "task": task, "hours": hours,
                     "acknowledged_by": task.acknowledged_by},
        )  # fmt: skip
