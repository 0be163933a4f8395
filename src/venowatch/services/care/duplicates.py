"""Records that repeat one already stored: the same kind within a minute (a procedure of the
same kind, a test of the same kind, any check-in). A double click, a retried form or a
second person entering the same venoplasty would otherwise count it twice (three repeats
suggest a stent). Such a record is refused with DuplicateRecordError unless the caller confirms it
is another one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from venowatch.clinic import models
from venowatch.protocol import CheckIn, LabKind, ProcedureKind
from venowatch.services.errors import DuplicateRecordError

WINDOW = timedelta(minutes=1)
FIELD = "confirm_duplicate"
"""The confirmation's name, in the API's bodies and the web's forms alike."""


def _near(at: datetime) -> dict[str, datetime]:
    return {"gt": at - WINDOW, "lt": at + WINDOW}


def procedure_duplicate(
    patient: models.Patient, kind: ProcedureKind, at: datetime, excluding: int = 0
) -> None:
    near = _near(at)
    found = (
        models.Procedure.objects.filter(
            patient=patient,
            kind=kind,
            voided_at__isnull=True,
            performed_at__gt=near["gt"],
            performed_at__lt=near["lt"],
        )
        .exclude(pk=excluding)
        .values_list("pk", flat=True)
        .first()
    )
    if found is not None:
        raise DuplicateRecordError(
            FIELD, "a procedure of the same kind is already recorded within a minute of this one",
            found,
        )  # fmt: skip


def lab_duplicate(patient: models.Patient, kind: LabKind, at: datetime, excluding: int = 0) -> None:
    near = _near(at)
    found = (
        models.Lab.objects.filter(
            patient=patient, kind=kind, voided_at__isnull=True, at__gt=near["gt"], at__lt=near["lt"]
        )
        .exclude(pk=excluding)
        .values_list("pk", flat=True)
        .first()
    )
    if found is not None:
        raise DuplicateRecordError(
            FIELD, "a test of the same kind is already recorded within a minute of this one", found
        )


def checkin_duplicate(patient: models.Patient, stored: Sequence[CheckIn], at: datetime) -> None:
    """Against the check-ins of the timeline the caller has read (they are the current ones)."""
    if not any(abs(c.at - at) < WINDOW for c in reversed(stored)):
        return
    found = stored_checkin_near(patient, at)
    # A patient reads this one on their check-in page, in their language.
    raise DuplicateRecordError(
        FIELD, _("a check-in is already saved within a minute of this one"), found
    )


def stored_checkin_near(patient: models.Patient, at: datetime, excluding: int = 0) -> int:
    """The id of a current check-in within a minute of `at`, or 0 if there is none."""
    near = _near(at)
    found = (
        models.CheckIn.objects.filter(
            patient=patient, voided_at__isnull=True, at__gt=near["gt"], at__lt=near["lt"]
        )
        .exclude(pk=excluding)
        .values_list("pk", flat=True)
        .first()
    )
    return found or 0
