"""Check-in reminders: counted from the latest procedure on the clinic's schedule, dropped when
the patient has already checked in for that slot, restarted by a new procedure."""

from __future__ import annotations

import functools
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from venowatch.clinic import models
from venowatch.notify.models import Kind, Reminder
from venowatch.notify.schedule import Schedule, parse_schedule
from venowatch.services.care.languages import for_patient
from venowatch.services.notification.addresses import patient_addresses
from venowatch.services.notification.outbox import queue


@functools.lru_cache(maxsize=32)
def _schedule(text: str) -> Schedule:
    return parse_schedule(text)


def clinic_schedule(clinic: models.Clinic) -> Schedule:
    return _schedule(clinic.reminder_schedule)


def restart_reminders(patient: models.Patient, procedure_at: datetime, now: datetime) -> None:
    """Call in the transaction that records a procedure. A procedure older than the one the
    schedule counts from (recorded late) changes nothing."""
    current = Reminder.objects.select_for_update().filter(patient=patient).first()
    if current is not None and current.procedure_at > procedure_at:
        return
    _move(patient, current, procedure_at, now)


def follow_latest_procedure(patient: models.Patient, now: datetime) -> None:
    """Call in the transaction that voids or corrects a procedure: the schedule counts from the
    latest procedure that still counts, which may now be an earlier one (or none: no reminders).
    `restart_reminders` only ever moves forward, as a new procedure does."""
    current = Reminder.objects.select_for_update().filter(patient=patient).first()
    counting = patient.procedures.filter(voided_at__isnull=True).order_by("-performed_at")
    latest = counting.values_list("performed_at", flat=True).first()
    if latest is None:
        if current is not None:
            current.delete()
        return
    if current is None or current.procedure_at != latest:
        _move(patient, current, latest, now)


def send_due_reminders(now: datetime, batch: int = 200) -> int:
    """Queue the reminders that are due; returns how many reminder slots were handled. Rows
    are claimed with SKIP LOCKED, so sweepers running at once share the work."""
    handled = 0
    while True:
        with transaction.atomic():
            due = list(
                Reminder.objects.filter(due_at__lte=now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("patient__clinic", "patient__user")
                .order_by("due_at")[:batch]
            )
            for reminder in due:
                _remind(reminder, now)
        handled += len(due)
        if len(due) < batch:
            return handled


def _remind(reminder: Reminder, now: datetime) -> None:
    patient = reminder.patient
    schedule = clinic_schedule(patient.clinic)
    since = schedule.window_start(reminder.procedure_at, reminder.step)
    answered = patient.checkins.filter(at__gte=since, voided_at__isnull=True).exists()
    if not answered:
        key = f"reminder:{patient.pk}:{reminder.procedure_at.isoformat()}:{reminder.step}"
        with for_patient(patient):
            for to in patient_addresses(patient):
                queue(
                    clinic=patient.clinic, patient=patient, kind=Kind.REMINDER, to=to, key=key,
                    subject=_("Time for your check-in"), context={"patient": patient}, now=now,
                )  # fmt: skip
    _move(patient, reminder, reminder.procedure_at, max(now, reminder.due_at))


def _move(
    patient: models.Patient, current: Reminder | None, procedure_at: datetime, after: datetime
) -> None:
    following = clinic_schedule(patient.clinic).next_due(procedure_at, after)
    if following is None:
        if current is not None:
            current.delete()
        return
    step, due_at = following
    fields = {"procedure_at": procedure_at, "step": step, "due_at": due_at}
    if current is None:
        Reminder.objects.create(patient=patient, **fields)
    else:
        Reminder.objects.filter(pk=current.pk).update(**fields)
