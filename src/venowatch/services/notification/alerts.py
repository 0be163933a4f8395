"""Who hears about an assessment change, and how soon.

- Possible thrombosis: at once the advocate, the IR who did the procedure and the clinic's
  on-call address; then, every `escalate_after` minutes until a staff member acknowledges the
  call task, the next escalation contact.
- Urgent pathways: the advocate at once, with the task the change opened.
- Attention and routine changes: the advocate's daily digest (services.digests).
- The patient: a short message when their pathway changes, with the plain-words guidance and a
  link; nothing about their health beyond that guidance.

Everything here runs inside the transaction that recorded the change.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from venowatch.clinic import models
from venowatch.notify.models import Kind
from venowatch.protocol import Action, Pathway, Protocol, Urgency
from venowatch.services.care.clinic_contact import contact_for
from venowatch.services.care.languages import for_patient, for_staff
from venowatch.services.care.standing import Decision
from venowatch.services.care.tasks import pathway_task
from venowatch.services.notification.addresses import (
    Address,
    addresses_of,
    alert_addresses_of,
    listed_escalation_addresses,
    oncall_addresses,
    oncall_alert_addresses,
    patient_addresses,
    unique,
)
from venowatch.services.notification.outbox import queue


def notify_change(
    patient: models.Patient,
    change: models.AssessmentChange,
    previous: Decision | None,
    protocol: Protocol,
    now: datetime,
) -> None:
    # A change can come from a patient's request in their language: staff read English.
    with for_staff():
        _notify(patient, change, previous, protocol, now)


def _notify(
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
    elif urgency is Urgency.URGENT:
        names = {"title": title.staff, "name": patient.name}
        for to in addresses_of(patient.advocate):
            queue(
                clinic=patient.clinic, patient=patient, kind=Kind.URGENT, now=now, to=to,
                key=f"urgent:{change.pk}", subject=_("Urgent: %(title)s (%(name)s)") % names,
                context={**context, "task": task},
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
    staff = [*alert_addresses_of(patient.advocate), *alert_addresses_of(_ir(patient))]
    for to in unique([*staff, *oncall_alert_addresses(clinic)]):
        queue(
            clinic=clinic, patient=patient, kind=Kind.EMERGENCY, to=to, subject=subject,
            key=f"emergency:{change.pk}:{to.value}", context=context, now=now,
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
    if not chain:
        return
    to = chain[(step - 1) % len(chain)]
    waited = int((due - task.created_at).total_seconds() // 60)
    queue(
        clinic=patient.clinic, patient=patient, task=task, kind=Kind.ESCALATION, to=to,
        key=f"escalation:{task.pk}:{step}", step=step, not_before=due, now=now,
        subject=_("UNACKNOWLEDGED: possible blood clot, %(name)s") % {"name": patient.name},
        context={"patient": patient, "task": task, "minutes": waited, "step": step},
    )  # fmt: skip


def _escalation_interval(clinic: models.Clinic) -> timedelta:
    return timedelta(minutes=max(clinic.escalate_after, 1))


def escalation_chain(clinic: models.Clinic) -> list[Address]:
    """The clinic's escalation contacts in order; without any, its administrators, then the
    on-call address, so an alert never escalates into silence."""
    listed = listed_escalation_addresses(clinic)
    if listed:
        return unique(listed)
    admins = models.Member.objects.filter(clinic=clinic, role=models.Role.ADMIN)
    people = [a for m in admins.select_related("user").order_by("pk") for a in addresses_of(m.user)]
    return unique([*people, *oncall_addresses(clinic)])


def _tell_patient(
    patient: models.Patient, change: models.AssessmentChange, protocol: Protocol, now: datetime
) -> None:
    with for_patient(patient):
        _tell_patient_in_their_language(patient, change, protocol, now)


def _tell_patient_in_their_language(
    patient: models.Patient, change: models.AssessmentChange, protocol: Protocol, now: datetime
) -> None:
    # The protocol file's words are English; the catalogs carry the default file's
    # (web/protocol_words.py), and a clinic's own wording stays as the clinic wrote it.
    wording = _(protocol.pathways[change.pathway].title.patient)
    actions = [_(protocol.actions[Action(a)].patient) for a in change.actions]
    subject = _("Your follow-up guidance has changed")
    if change.pathway is Pathway.POSSIBLE_THROMBOSIS:  # the cause is in the subject
        subject = _("Possible blood clot: call your interventional radiologist now")
    for to in patient_addresses(patient):
        queue(
            clinic=patient.clinic, patient=patient, kind=Kind.PATIENT_UPDATE, now=now, to=to,
            key=f"patient:{change.pk}", subject=subject,
            context={"patient": patient, "title": wording, "actions": actions,
                     "emergency": change.urgency is Urgency.EMERGENCY,
                     "contact": contact_for(patient.clinic, change.actions)},
        )  # fmt: skip


def _open_task(patient: models.Patient, kind: models.TaskKind) -> models.Task | None:
    return (
        models.Task.objects.filter(patient=patient, kind=kind)
        .exclude(status=models.TaskStatus.RESOLVED)
        .order_by("-pk")
        .first()
    )


def _ir(patient: models.Patient) -> User | None:
    """Who did the patient's latest procedure that names its performer."""
    latest = (
        patient.procedures.filter(performed_by__isnull=False)
        .select_related("performed_by")
        .order_by("-performed_at", "-pk")
        .first()
    )
    return latest.performed_by if latest is not None else None
