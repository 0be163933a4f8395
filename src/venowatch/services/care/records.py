"""Recording what happens to a patient, and re-assessing them in the same transaction.

Every write that affects a patient goes through here: the record is checked, stored, and the
patient re-assessed before the transaction commits, so the stored assessment never lags the
records and a failure leaves nothing half-saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import transaction

from venowatch.audit.models import Action
from venowatch.clinic import models
from venowatch.protocol import (
    CheckIn,
    LabKind,
    LabResult,
    Pgic,
    Procedure,
    ProcedureKind,
)
from venowatch.services.care.duplicates import (
    checkin_duplicate,
    lab_duplicate,
    procedure_duplicate,
)
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.reassessing import plan_for, reassess, store_planned
from venowatch.services.care.staff import clinician
from venowatch.services.care.timelines import timeline_of
from venowatch.services.care.zones import local, patient_zone
from venowatch.services.errors import FieldError
from venowatch.services.limits import check_length
from venowatch.services.notification.reminders import restart_reminders
from venowatch.services.security import audit

CLOCK_SKEW = timedelta(minutes=5)
"""A device clock a few minutes fast must not make an honest check-in look like the future."""

EARLIEST_YEAR = 1900
"""Older dates are typing mistakes, whichever edge they come from. Procedures and tests are
held to the clinic's own, later floor (Clinic.earliest_record_date)."""

RATINGS = range(11)
"""A symptom is rated 0 (none) to 10 (worst)."""


def plausible(field: str, at: datetime, now: datetime, earliest: datetime | None = None) -> None:
    """Refuse an instant in the future, or before `earliest` (else before EARLIEST_YEAR)."""
    if at > now + CLOCK_SKEW:
        raise FieldError(field, "is in the future; give the date and time it happened")
    if earliest is not None and at < earliest:
        day = f"{earliest.day} {earliest:%B %Y}"
        raise FieldError(
            field, f"is before {day}, the earliest date this clinic accepts; check the year"
        )
    if at.year < EARLIEST_YEAR:
        raise FieldError(field, f"is before {EARLIEST_YEAR}; check the year")


def earliest_of(clinic: models.Clinic) -> datetime:
    """The clinic's floor for procedures and tests, as an instant (midnight UTC)."""
    return datetime.combine(clinic.earliest_record_date, time(), tzinfo=UTC)


def lab_plausible(
    clinic: models.Clinic, at: datetime, result: LabResult, finding: str, now: datetime
) -> None:
    """A test's date is plausible, and an abnormal result says what was found."""
    plausible("at", at, now, earliest_of(clinic))
    if result is LabResult.ABNORMAL and not finding.strip():
        raise FieldError("finding", "is needed for an abnormal result: say what was found")


def record_checkin(
    patient: models.Patient,
    *,
    at: datetime,
    pgic: Pgic,
    symptoms_returned: bool = False,
    symptoms: Mapping[str, int] | None = None,
    note: str = "",
    by: Any = None,
    now: datetime,
    confirm_duplicate: bool = False,
) -> models.CheckIn:
    """Check-ins are the busiest write, so the reading and the engine run before the write lock
    (SQLite has one for the whole database) and the transaction only inserts and updates. If
    another write lands in between, the stored revision has moved, and the patient is
    re-assessed again under the lock. A patient loaded with `select_related("assessment")` saves
    a query; a stale one is caught the same way. A check-in within a minute of one stored is
    refused as a repeat (DuplicateRecordError) unless `confirm_duplicate`: checked on the timeline
    already read, so it costs no query."""
    plausible("at", at, now)
    check_length(models.CheckIn, "note", note)
    ratings = dict(symptoms or {})
    only_tracked(patient, ratings)
    stored: models.Assessment | None = getattr(patient, "assessment", None)
    timeline = timeline_of(patient)
    after_a_procedure(timeline.procedures, at)
    if not confirm_duplicate:
        checkin_duplicate(patient, timeline.checkins, at)
    entry = CheckIn(
        local(at, patient_zone(patient)), pgic, symptoms_returned,
        tuple(sorted(ratings.items())), note,
    )  # fmt: skip
    # The new row will have the highest pk, so it sorts last among equal instants, as stored.
    plan = plan_for(patient, now, replace(timeline, checkins=(*timeline.checkins, entry)), stored)
    with transaction.atomic():
        checkin = models.CheckIn.objects.create(
            patient=patient,
            at=at,
            pgic=pgic,
            symptoms_returned=symptoms_returned,
            symptoms=ratings,
            note=note,
            recorded_by=by,
        )
        audit.wrote(by, Action.CHECKIN, patient, checkin, now)
        if stored is None or store_planned(patient, now, plan) is None:
            # The re-assessment reads the records as they now stand, so a procedure voided
            # since the check above is weighed rightly; only the refusal of a check-in before
            # any procedure is not made again under the lock.
            reassess(patient, now)
    return checkin


def only_tracked(patient: models.Patient, ratings: Mapping[str, int]) -> None:
    """A check-in rates only the symptoms the patient tracks, each 0 to 10."""
    unknown = sorted(set(ratings) - set(patient.tracked_symptoms))
    if unknown:
        raise FieldError("symptoms", f"not a tracked symptom: {unknown[0]}")
    ratings_in_range(ratings)


def ratings_in_range(ratings: Mapping[str, int]) -> None:
    for name, rating in sorted(ratings.items()):
        if rating not in RATINGS:
            raise FieldError("symptoms", f"{name}: a rating is 0 to 10, not {rating}")


def asks_if_symptoms_returned(patient: models.Patient, at: datetime) -> bool:
    """Whether a check-in at `at` asks "have your symptoms come back?": only inside the
    clinic protocol's thrombosis window after the latest procedure, where a yes can mean a clot
    (C2)."""
    window = clinic_protocol(patient.clinic).parameters.thrombosis_window
    latest = (
        patient.procedures.filter(performed_at__lte=at, voided_at__isnull=True)
        .order_by("-performed_at")
        .first()
    )
    return latest is not None and at - latest.performed_at <= window


def after_a_procedure(procedures: Sequence[Procedure], at: datetime) -> None:
    if not any(p.performed_at <= at for p in procedures):
        raise FieldError(
            "at", "is before your procedure; a check-in compares how you feel with just before it"
        )


def record_procedure(
    patient: models.Patient,
    *,
    kind: ProcedureKind,
    performed_at: datetime,
    veins: list[str] | None = None,
    performed_by: Any = None,
    note: str = "",
    by: Any = None,
    now: datetime,
    confirm_duplicate: bool = False,
) -> models.Procedure:
    plausible("performed_at", performed_at, now, earliest_of(patient.clinic))
    check_length(models.Procedure, "note", note)
    if performed_by is not None:
        clinician(patient.clinic_id, performed_by.pk)
    if not confirm_duplicate:
        procedure_duplicate(patient, kind, performed_at)
    with transaction.atomic():
        procedure = models.Procedure.objects.create(
            patient=patient,
            kind=kind,
            performed_at=performed_at,
            veins=list(veins or []),
            performed_by=performed_by,
            note=note,
            recorded_by=by,
        )
        audit.wrote(by, Action.PROCEDURE, patient, procedure, now)
        restart_reminders(patient, performed_at, now)
        reassess(patient, now)
    return procedure


def record_lab(
    patient: models.Patient,
    *,
    at: datetime,
    kind: LabKind,
    result: LabResult,
    finding: str = "",
    by: Any = None,
    now: datetime,
    confirm_duplicate: bool = False,
) -> models.Lab:
    lab_plausible(patient.clinic, at, result, finding, now)
    check_length(models.Lab, "finding", finding)
    if not confirm_duplicate:
        lab_duplicate(patient, kind, at)
    with transaction.atomic():
        lab = models.Lab.objects.create(
            patient=patient,
            at=at,
            kind=kind,
            result=result,
            finding=finding,
            recorded_by=by,
        )
        audit.wrote(by, Action.LAB, patient, lab, now)
        reassess(patient, now)
    return lab
