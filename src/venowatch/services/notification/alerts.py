"""Who hears about an assessment change, and how soon.

- Possible thrombosis: at once the advocate, the IR who did the procedure and the clinic's
  on-call address; then, every `escalate_after` minutes until a staff member acknowledges the
  call task, the next escalation contact.
- Urgent pathways: the advocate at once, with the task the change opened.
- Attention and routine changes: the advocate's daily digest (services.digests).
- The patient: a short email when their pathway changes, with the plain-words guidance and a
  link; nothing about their health beyond that guidance.

Everything here runs inside the transaction that recorded the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from venowatch.clinic import models
from venowatch.notify.models import Kind
from venowatch.protocol import Action, Pathway, Protocol, Urgency
from venowatch.services.care.standing import Decision
from venowatch.services.care.tasks import pathway_task
from venowatch.services.notification.outbox import queue


def notify_change(
    patient: models.Patient,
    change: models.AssessmentChange,
    previous: Decision | None,
    protocol: Protocol,
    now: datetime,
) -> None:
    pathway = change.pathway
    if previous is not None and previous.pathway is pathway:
        return  # same pathway: actions or flags moved; the tasks and the digest carry that
    urgency = change.urgency
    title = protocol.pathways[pathway].title
    context = {"patient": patient, "change": change, "title": title.staff, "now": now}
    # The task this change opened (or one of its kind still open) goes with the alert.
    kind = pathway_task(pathway)
    task = _open_task(patient, kind) if kind is not None else None
    if pathway is Pathway.POSSIBLE_THROMBOSIS:
        _alert_emergency(patient, change, context, task, now)
    elif urgency is Urgency.URGENT and patient.advocate is not None:
        names = {"title": title.staff, "name": patient.name}
        queue(
            clinic=patient.clinic, patient=patient, kind=Kind.URGENT, now=now,
            to=patient.advocate.email, key=f"urgent:{change.pk}",
            subject=_("Urgent: %(title)s (%(name)s)") % names, context={**context, "task": task},
        )  # fmt: skip
    if previous is not None:  # the first assessment, at the procedure, changes nothing for them
        _tell_patient(patient, change, protocol, now)


def _alert_emergency(
    patient: models.Patient,
    change: models.AssessmentChange,
    context: dict[str, Any],
    task: models.Task | None,
    now: datetime,
) -> None:
    clinic = patient.clinic
    subject = _("URGENT: possible blood clot, %(name)s") % {"name": patient.name}
    for to in _unique([_advocate_email(patient), _ir_email(patient), clinic.oncall_email]):
        queue(
            clinic=clinic, patient=patient, kind=Kind.EMERGENCY, to=to, subject=subject,
            key=f"emergency:{change.pk}:{to}", context=context, now=now,
        )  # fmt: skip
    if task is not None:
        schedule_escalation(task, step=1, now=now)


def schedule_escalation(task: models.Task, step: int, now: datetime) -> None:
    """Queue escalation `step` (from 1) of an emergency whose call task nobody acknowledged,
    due one escalation interval from `now`; delivery drops it if someone has acknowledged by
    then, and queues the next one when it goes out."""
    patient = task.patient
    due = now + _escalation_interval(patient.clinic)
    chain = escalation_chain(patient.clinic)
    to = chain[(step - 1) % len(chain)] if chain else ""
    waited = int((due - task.created_at).total_seconds() // 60)
    queue(
        clinic=patient.clinic, patient=patient, task=task, kind=Kind.ESCALATION, to=to,
        key=f"escalation:{task.pk}:{step}", step=step, not_before=due, now=now,
        subject=_("UNACKNOWLEDGED: possible blood clot, %(name)s") % {"name": patient.name},
        context={"patient": patient, "task": task, "minutes": waited, "step": step},
    )  # fmt: skip


def _escalation_interval(clinic: models.Clinic) -> timedelta:
    return timedelta(minutes=max(clinic.escalate_after, 1))


def escalation_chain(clinic: models.Clinic) -> list[str]:
    """The clinic's escalation contacts in order; without any, its administrators, then the
    on-call address, so an alert never escalates into silence."""
    listed = escalation_contacts(clinic.escalation_emails)
    if listed:
        return _unique(listed)
    admins = models.Member.objects.filter(clinic=clinic, role=models.Role.ADMIN)
    emails = admins.order_by("pk").values_list("user__email", flat=True)
    return _unique([*emails, clinic.oncall_email])


def escalation_contacts(text: str) -> list[str]:
    """The addresses of the clinic's escalation list: one per line, blank lines ignored."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _tell_patient(
    patient: models.Patient, change: models.AssessmentChange, protocol: Protocol, now: datetime
) -> None:
    if patient.user is None:
        return
    wording = protocol.pathways[change.pathway].title.patient
    actions = [protocol.actions[Action(a)].patient for a in change.actions]
    queue(
        clinic=patient.clinic, patient=patient, kind=Kind.PATIENT_UPDATE, now=now,
        to=patient.user.email, key=f"patient:{change.pk}",
        subject=_("Your follow-up guidance has changed"),
        context={"patient": patient, "title": wording, "actions": actions,
                 "emergency": change.urgency is Urgency.EMERGENCY},
    )  # fmt: skip


def _open_task(patient: models.Patient, kind: models.TaskKind) -> models.Task | None:
    return (
        models.Task.objects.filter(patient=patient, kind=kind)
        .exclude(status=models.TaskStatus.RESOLVED)
        .order_by("-pk")
        .first()
    )


def _advocate_email(patient: models.Patient) -> str:
    return patient.advocate.email if patient.advocate is not None else ""


def _ir_email(patient: models.Patient) -> str:
    latest = (
        patient.procedures.filter(performed_by__isnull=False)
        .order_by("-performed_at", "-pk")
        .values_list("performed_by__email", flat=True)
        .first()
    )
    return latest or ""


def _unique(emails: Sequence[str]) -> list[str]:
    """Non-empty addresses in order, each once whatever its case."""
    seen: dict[str, str] = {}
    for e in emails:
        if e:
            seen.setdefault(e.lower(), e)
    return list(seen.values())
