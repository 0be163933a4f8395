"""Records that come from another system in bulk (a FHIR import): stored together and assessed
once. Assessing after each one would pass through decisions that were never true now, open
tasks for them and alert people about them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import transaction

from venowatch.audit.models import Action
from venowatch.clinic import models
from venowatch.protocol import CheckIn, Lab, Procedure, Timeline
from venowatch.services.care.reassessing import reassess
from venowatch.services.care.records import (
    after_a_procedure,
    earliest_of,
    plausible,
    ratings_in_range,
)
from venowatch.services.care.timelines import timeline_of
from venowatch.services.errors import FieldError
from venowatch.services.limits import check_length
from venowatch.services.notification.reminders import restart_reminders
from venowatch.services.security import audit

Record = Procedure | CheckIn | Lab
T = TypeVar("T", Procedure, CheckIn, Lab)
Row = models.Procedure | models.CheckIn | models.Lab


@dataclass(frozen=True, slots=True)
class HistoryError(Exception):
    """Record `index` of those given cannot be stored; nothing was."""

    index: int
    error: FieldError

    def __str__(self) -> str:
        return str(self.error)


def record_history(
    patient: models.Patient,
    records: Sequence[Record],
    *,
    stored: Timeline | None = None,
    by: Any,
    now: datetime,
    columns: Sequence[Mapping[str, Any]] = (),
) -> list[Row]:
    """Store `records` for `patient` and re-assess once, in one transaction; each record is
    checked as the single-record writes check it. Pass `stored` if the caller holds the
    patient's timeline as stored. Returns the rows stored, in the order of `records`. Raises
    HistoryError, having stored nothing. `columns`, if given, holds for each record the values
    of columns the engine does not read (the codes another system sent it with)."""
    stored = stored if stored is not None else timeline_of(patient)
    procedures = [*stored.procedures, *_only(records, Procedure)]
    earliest = earliest_of(patient.clinic)
    for i, r in enumerate(records):
        try:
            _check(r, procedures, earliest, now)
        except FieldError as exc:
            raise HistoryError(i, exc) from None
    with transaction.atomic():
        extra = dict(enumerate(columns))
        procedure_rows = models.Procedure.objects.bulk_create(
            models.Procedure(
                patient=patient, kind=r.kind, performed_at=r.performed_at,
                veins=list(r.veins), note=r.note, recorded_by=by, **extra.get(i, {}),
            )
            for i, r in enumerate(records) if isinstance(r, Procedure)
        )  # fmt: skip
        checkin_rows = models.CheckIn.objects.bulk_create(
            models.CheckIn(
                patient=patient, at=r.at, pgic=r.pgic,
                symptoms_returned=r.symptoms_returned, symptoms=dict(r.symptoms), note=r.note,
                recorded_by=by,
            )
            for r in _only(records, CheckIn)
        )  # fmt: skip
        lab_rows = models.Lab.objects.bulk_create(
            models.Lab(
                patient=patient, at=r.at, kind=r.kind, result=r.result,
                finding=r.finding, recorded_by=by, **extra.get(i, {}),
            )
            for i, r in enumerate(records) if isinstance(r, Lab)
        )  # fmt: skip
        if any(isinstance(r, Procedure) for r in records):
            restart_reminders(patient, max(p.performed_at for p in procedures), now)
        audit.wrote(by, Action.IMPORT, patient, None, now)
        reassess(patient, now)
    # bulk_create sets each row's pk (PostgreSQL, SQLite 3.35+): put them back in order.
    made: dict[type, Iterator[Row]] = {
        Procedure: iter(procedure_rows), CheckIn: iter(checkin_rows), Lab: iter(lab_rows)
    }  # fmt: skip
    return [next(made[type(r)]) for r in records]


def _fits(r: Record) -> None:
    """The record's text fits its column (another system's notes have no limit)."""
    if isinstance(r, Procedure):
        check_length(models.Procedure, "note", r.note)
    elif isinstance(r, CheckIn):
        check_length(models.CheckIn, "note", r.note)
    else:
        check_length(models.Lab, "finding", r.finding)


def _only(records: Sequence[Record], kind: type[T]) -> list[T]:
    return [r for r in records if isinstance(r, kind)]


def _check(r: Record, procedures: Sequence[Procedure], earliest: datetime, now: datetime) -> None:
    _fits(r)
    if isinstance(r, Procedure):
        plausible("performed_at", r.performed_at, now, earliest)
        return
    if isinstance(r, Lab):
        # Another system's abnormal result without a finding is kept as it was reported.
        plausible("at", r.at, now, earliest)
        return
    plausible("at", r.at, now)
    if isinstance(r, CheckIn):
        after_a_procedure(procedures, r.at)
        # Not held to the patient's tracked symptoms: another system's check-in rated what
        # that system asked about, and is kept as it was reported.
        ratings_in_range(dict(r.symptoms))
