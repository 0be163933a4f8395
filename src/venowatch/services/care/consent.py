"""Consent to be followed: given (with the version of its text), withdrawn, and what follows.

A patient with no consent row was enrolled before consent was recorded: they are followed as
before, and the staff page says that no consent is recorded. A patient whose consent is
withdrawn gets no reminders or guidance messages (the outbox refuses them), is left out of
advocates' digests, and, if the clinic sets a retention period, is erased when it ends.
Emergencies still reach staff: a check-in that shows a possible clot is a call for help."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from django.db import IntegrityError, transaction

from venowatch.clinic import models
from venowatch.notify.models import Attempt, Notification, Outcome, Reminder, State
from venowatch.services.care.erasure import erase_patient
from venowatch.services.care.followed import TO_THE_PATIENT, withdrawn
from venowatch.services.errors import FieldError
from venowatch.services.notification.reminders import restart_reminders

CURRENT_VERSION = "2026-1"


@cache
def consent_text(version: str = CURRENT_VERSION, language: str = "en") -> str:
    """The text the patient agreed to, as shipped in the package; in `language` where a
    translation of that version ships (`<version>.<language>.md`, for the clinic's review:
    the English text is the one of record), else in English."""
    texts = resources.files("venowatch.clinic") / "consent_texts"
    translated = texts / f"{version}.{language}.md"
    if language != "en" and translated.is_file():
        return translated.read_text(encoding="utf-8")
    return (texts / f"{version}.md").read_text(encoding="utf-8")


class Standing(enum.Enum):
    GIVEN = "given"
    WITHDRAWN = "withdrawn"
    NOT_RECORDED = "not_recorded"


@dataclass(frozen=True, slots=True)
class ConsentState:
    """The patient's latest consent, for their page and the staff's."""

    standing: Standing
    version: str | None = None
    given_at: datetime | None = None
    given_by: Any = None
    withdrawn_at: datetime | None = None
    withdrawn_by: Any = None

    @property
    def followed(self) -> bool:
        return self.standing is not Standing.WITHDRAWN

    @property
    def given_by_name(self) -> str:
        return _name(self.given_by)

    @property
    def withdrawn_by_name(self) -> str:
        return _name(self.withdrawn_by)


def _name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def state_of(patient: models.Patient) -> ConsentState:
    latest = (
        models.Consent.objects.filter(patient=patient)
        .select_related("given_by", "withdrawn_by")
        .order_by("-given_at", "-pk")
        .first()
    )
    if latest is None:
        return ConsentState(Standing.NOT_RECORDED)
    standing = Standing.GIVEN if latest.withdrawn_at is None else Standing.WITHDRAWN
    return ConsentState(
        standing, latest.version, latest.given_at, latest.given_by, latest.withdrawn_at,
        latest.withdrawn_by,
    )  # fmt: skip


def give(patient: models.Patient, by: Any, now: datetime) -> models.Consent:
    """Record consent to the current text, given by the patient (or recorded by staff)."""
    try:
        with transaction.atomic():
            consent = models.Consent.objects.create(
                patient=patient, version=CURRENT_VERSION, given_at=now, given_by=by
            )
    except IntegrityError:
        raise FieldError("consent", "consent is already given") from None
    _restart_reminders(patient, now)
    return consent


def withdraw(patient: models.Patient, by: Any, now: datetime) -> int:
    """Withdraw the patient's consent; pending messages to them are cancelled (how many)."""
    with transaction.atomic():
        closed = models.Consent.objects.filter(patient=patient, withdrawn_at__isnull=True).update(
            withdrawn_at=now, withdrawn_by=by
        )
        if not closed:
            raise FieldError("consent", "there is no consent to withdraw")
        Reminder.objects.filter(patient=patient).delete()
        pending = list(
            Notification.objects.select_for_update().filter(
                patient=patient, kind__in=TO_THE_PATIENT, state=State.PENDING
            )
        )
        for n in pending:
            Notification.objects.filter(pk=n.pk).update(state=State.CANCELLED)
            Attempt.objects.create(
                notification=n, at=now, outcome=Outcome.CANCELLED,
                detail="consent withdrawn", worker="consent",
            )  # fmt: skip
    return len(pending)


def _restart_reminders(patient: models.Patient, now: datetime) -> None:
    latest = patient.procedures.filter(voided_at__isnull=True).order_by("-performed_at").first()
    if latest is not None:
        with transaction.atomic():
            restart_reminders(patient, latest.performed_at, now)


def past_retention(now: datetime) -> list[models.Patient]:
    """Patients whose consent was withdrawn longer ago than their clinic keeps records."""
    found = []
    candidates = withdrawn().filter(clinic__retention_days__isnull=False).select_related("clinic")
    for patient in candidates.distinct():
        state = state_of(patient)
        days = patient.clinic.retention_days
        ended = state.withdrawn_at
        if days is not None and ended is not None and ended + timedelta(days=days) <= now:
            found.append(patient)
    return found


def erase_past_retention(now: datetime) -> int:
    """The sweep's part: erase the patients past their clinic's retention; how many."""
    patients = past_retention(now)
    for patient in patients:
        erase_patient(patient)
    return len(patients)
