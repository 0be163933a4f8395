"""A patient's standing now: the stored assessment while it holds, else a fresh one.

Pages read; they do not write. When the stored assessment has passed its `valid_until`, the
page shows what the engine says now (the sweeper stores it), so nobody reads a stale answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from venowatch.clinic import models
from venowatch.protocol import Assessment, Timeline, assess
from venowatch.services.care.assessing import assessment_json
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.timelines import timeline_of
from venowatch.services.care.zones import local, patient_zone


def standing(
    patient: models.Patient, now: datetime, timeline: Timeline | None = None
) -> dict[str, Any]:
    """The assessment as JSON-like data (see assessment_json), with datetimes for display.
    Pass the timeline if the caller already holds it as stored."""
    stored: models.Assessment | None = getattr(patient, "assessment", None)
    if stored is not None and (stored.valid_until is None or stored.valid_until > now):
        zone = patient_zone(patient)
        return {
            "pathway": stored.pathway,
            "urgency": stored.urgency,
            "actions": stored.actions,
            "flags": stored.flags,
            "repeats_done": stored.repeats_done,
            "as_of": local(stored.as_of, zone),
            "earliest_next_procedure_at": _local(stored.earliest_next_procedure_at, zone),
            "valid_until": _local(stored.valid_until, zone),
            "rationale": stored.rationale,
            "protocol": stored.protocol,
        }
    return assessed(patient, now, timeline)


def assessed(
    patient: models.Patient, as_of: datetime, timeline: Timeline | None = None
) -> dict[str, Any]:
    """What the engine says as of `as_of`, in the form `standing` gives, storing nothing."""
    result = assess_patient(patient, as_of, timeline)
    data = assessment_json(result, messages=True)
    data.update(
        as_of=result.as_of,
        earliest_next_procedure_at=result.earliest_next_procedure_at,
        valid_until=result.valid_until,
    )
    return data


def _local(value: datetime | None, zone: Any) -> datetime | None:
    return None if value is None else local(value, zone)


def assess_patient(
    patient: models.Patient, as_of: datetime, timeline: Timeline | None = None
) -> Assessment:
    """The assessment as of any instant, past or present, without storing anything; pass the
    timeline if the caller already holds it as stored."""
    zone = patient_zone(patient)
    records = timeline if timeline is not None else timeline_of(patient)
    protocol = clinic_protocol(patient.clinic)
    return assess(records, local(as_of, zone), protocol, display=zone)
