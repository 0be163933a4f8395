"""Voiding and correcting a patient's records. Nothing is deleted: a voided record keeps its row,
marked with who voided it, when and why; a correction is a new record that names the one it
replaces, which is voided with the correction's reason. Each re-assesses the patient in the
same transaction, as recording does, so the assessment never counts a record that no longer
does."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from venowatch.audit.models import Action
from venowatch.clinic import models
from venowatch.protocol import LabKind, LabResult, Pgic, ProcedureKind
from venowatch.services.care.duplicates import (
    FIELD,
    lab_duplicate,
    procedure_duplicate,
    stored_checkin_near,
)
from venowatch.services.care.reassessing import reassess
from venowatch.services.care.records import (
    after_a_procedure,
    earliest_of,
    lab_plausible,
    plausible,
    ratings_in_range,
)
from venowatch.services.care.staff import clinician
from venowatch.services.care.timelines import timeline_of
from venowatch.services.errors import DuplicateRecordError, FieldError
from venowatch.services.limits import check_length
from venowatch.services.notification.reminders import follow_latest_procedure
from venowatch.services.security import audit

R = TypeVar("R", models.Procedure, models.CheckIn, models.Lab)
Record = models.Procedure | models.CheckIn | models.Lab

WITHDRAWN = "withdrawn by the patient"
"""The reason kept when a patients withdraws a check-in without giving one."""


def void(record: R, *, reason: str, by: Any, now: datetime) -> R:
    """Void `record` (it no longer counts) and re-assess its patient. FieldError on `reason`
    without one, on `record` if it was already voided or corrected."""
    reason = _reason(reason)
    with transaction.atomic():
        _retire(record, reason, by, now)
        if isinstance(record, models.Procedure):
            follow_latest_procedure(record.patient, now)
        audit.wrote(by, Action.VOID, record.patient, record, now)
        reassess(record.patient, now)
    return record


def withdraw_checkin(
    patient: models.Patient, checkin: models.CheckIn, *, reason: str = "", by: Any, now: datetime
) -> models.CheckIn:
    """The patient's own withdrawal of a check-in they saved, within the clinic's window."""
    window = timedelta(minutes=patient.clinic.checkin_void_window)
    if checkin.patient_id != patient.pk or checkin.recorded_by_id != getattr(by, "pk", None):
        raise FieldError(
            "record", _("is not a check-in you saved; ask your care team to correct it")
        )
    if now - checkin.recorded_at > window:
        # The patient reads these on their history page, in their language.
        raise FieldError(
            "record",
            _(
                "was saved more than %(span)s ago, so it can no longer be withdrawn here; "
                "ask your care team to correct it"
            )
            % {"span": _span(window)},
        )
    with transaction.atomic():
        _retire(checkin, reason.strip() or WITHDRAWN, by, now)
        audit.wrote(by, Action.WITHDRAWAL, patient, checkin, now)
        reassess(patient, now)
    return checkin


def correct_procedure(
    old: models.Procedure,
    *,
    kind: ProcedureKind,
    performed_at: datetime,
    veins: list[str] | None = None,
    performed_by: Any = None,
    note: str = "",
    reason: str,
    by: Any,
    now: datetime,
    confirm_duplicate: bool = False,
) -> models.Procedure:
    """Replace `old` with a corrected procedure; both are kept."""
    patient = old.patient
    reason = _reason(reason)
    check_length(models.Procedure, "note", note)
    plausible("performed_at", performed_at, now, earliest_of(patient.clinic))
    if performed_by is not None:
        clinician(patient.clinic_id, performed_by.pk)
    if not confirm_duplicate:
        procedure_duplicate(patient, kind, performed_at, excluding=old.pk)
    with transaction.atomic():
        _retire(old, reason, by, now)
        new = models.Procedure.objects.create(
            patient=patient, kind=kind, performed_at=performed_at, veins=list(veins or []),
            performed_by=performed_by, note=note, recorded_by=by, replaces=old,
        )  # fmt: skip
        audit.wrote(by, Action.CORRECTION, patient, new, now)
        follow_latest_procedure(patient, now)  # the correction may date it earlier
        reassess(patient, now)
    return new


def correct_lab(
    old: models.Lab,
    *,
    at: datetime,
    kind: LabKind,
    result: LabResult,
    finding: str = "",
    reason: str,
    by: Any,
    now: datetime,
    confirm_duplicate: bool = False,
) -> models.Lab:
    """Replace `old` with a corrected test result; both are kept."""
    patient = old.patient
    reason = _reason(reason)
    check_length(models.Lab, "finding", finding)
    lab_plausible(patient.clinic, at, result, finding, now)
    if not confirm_duplicate:
        lab_duplicate(patient, kind, at, excluding=old.pk)
    with transaction.atomic():
        _retire(old, reason, by, now)
        new = models.Lab.objects.create(
            patient=patient, at=at, kind=kind, result=result, finding=finding, recorded_by=by,
            replaces=old,
        )  # fmt: skip
        audit.wrote(by, Action.CORRECTION, patient, new, now)
        reassess(patient, now)
    return new


def correct_checkin(
    old: models.CheckIn,
    *,
    at: datetime,
    pgic: Pgic,
    symptoms_returned: bool = False,
    symptoms: Mapping[str, int] | None = None,
    note: str = "",
    reason: str,
    by: Any,
    now: datetime,
    confirm_duplicate: bool = False,
) -> models.CheckIn:
    """Replace `old` with a corrected check-in (staff, on the patient's word); both are kept.
    Ratings are held to 0-10 but not to the symptoms tracked now: the check-in corrected may
    have rated what was tracked then."""
    patient = old.patient
    reason = _reason(reason)
    check_length(models.CheckIn, "note", note)
    plausible("at", at, now)
    ratings = dict(symptoms or {})
    ratings_in_range(ratings)
    after_a_procedure(timeline_of(patient).procedures, at)
    if not confirm_duplicate:
        found = stored_checkin_near(patient, at, excluding=old.pk)
        if found:
            raise DuplicateRecordError(
                FIELD, "a check-in is already saved within a minute of this one", found
            )
    with transaction.atomic():
        _retire(old, reason, by, now)
        new = models.CheckIn.objects.create(
            patient=patient, at=at, pgic=pgic, symptoms_returned=symptoms_returned,
            symptoms=ratings, note=note, recorded_by=by, replaces=old,
        )  # fmt: skip
        audit.wrote(by, Action.CORRECTION, patient, new, now)
        reassess(patient, now)
    return new


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise FieldError("reason", "is needed: say why the record is wrong")
    check_length(models.Procedure, "void_reason", reason, "reason")
    return reason


def _retire(record: Record, reason: str, by: Any, now: datetime) -> None:
    """Mark `record` voided, if it still counts (the row is updated only if it does, so two
    people voiding at once void it once and the second is told)."""
    done = (
        type(record)
        .objects.filter(pk=record.pk, voided_at__isnull=True)
        .update(voided_at=now, voided_by=by, void_reason=reason)
    )
    if not done:
        raise FieldError("record", "was already voided or corrected; nothing was changed")
    record.voided_at, record.voided_by, record.void_reason = now, by, reason


def _span(window: timedelta) -> str:
    minutes = int(window.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("an hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("a minute", "%(n)d minutes", minutes) % {"n": minutes}
