"""A check-in the patient missed, given later on their own page: how they felt earlier today,
or on one of the clinic's few days before (`Clinic.missed_checkin_days`). Further back, memory
of "how did I feel compared with before the procedure" is too unreliable to weigh, and the
reminders would already have asked again; the API, used by staff and systems, is not held to
this limit."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from venowatch.clinic import models
from venowatch.services.care.records import record_checkin
from venowatch.services.care.zones import patient_zone
from venowatch.services.errors import FieldError


def days_back(patient: models.Patient, now: datetime) -> list[date]:
    """The days the patient may give a check-in for, today first, in their own zone."""
    today = now.astimezone(patient_zone(patient)).date()
    return [today - timedelta(days=n) for n in range(patient.clinic.missed_checkin_days + 1)]


def instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant of a wall-clock time on a day in the patient's zone (a time skipped by a
    DST change counts as the same wall time after it, as ZoneInfo reads it)."""
    return datetime.combine(day, at, tzinfo=zone)


def earliest(patient: models.Patient, now: datetime) -> datetime:
    """Midnight, in the patient's zone, of the first day a missed check-in may be given for."""
    return instant(days_back(patient, now)[-1], time(), patient_zone(patient))


def record_own_checkin(
    patient: models.Patient, *, at: datetime, now: datetime, **checkin: Any
) -> models.CheckIn:
    """The patient's check-in from their page: now, or a missed one within the clinic's days;
    the rest of the rules are every check-in's (records.record_checkin)."""
    first = earliest(patient, now)
    if at < first:
        raise FieldError("at", _missed_too_early(patient.clinic.missed_checkin_days, first))
    return record_checkin(patient, at=at, now=now, **checkin)


def _missed_too_early(days: int, first: datetime) -> str:
    if days == 0:
        return _("is before today; this clinic takes missed check-ins for earlier today only")
    return _("is before %(day)s; this clinic takes missed check-ins from that day on only") % {
        "day": date_format(first, "l j F")
    }
