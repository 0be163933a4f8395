"""A patient's time zone, and instants in the offsets the patient lives in."""

from __future__ import annotations

from datetime import UTC, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from venowatch.clinic import models


def patient_zone(patient: models.Patient) -> ZoneInfo:
    return zone_named(patient.time_zone)


def zone_named(name: str) -> ZoneInfo:
    """A stored time zone name as a zone; UTC for a name this machine does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(t: datetime, zone: ZoneInfo) -> datetime:
    """The instant in the offset the patient's zone had then, as a fixed offset: shown the way
    the patient reads it, and safe for the engine's exact arithmetic across DST changes."""
    offset = t.astimezone(zone).utcoffset()
    return t.astimezone(timezone(offset) if offset is not None else UTC)
