"""Assessing: a timeline or a patient as of an instant, and the JSON form of a result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from venowatch.protocol import Assessment, Protocol, Reason, TimelineRecord, assess
from venowatch.services.care.message_json import reason_json
from venowatch.services.clock import utc_now


def assess_timeline(
    timeline: TimelineRecord,
    protocol: Protocol,
    *,
    as_of: datetime | None = None,
) -> Assessment:
    """Assess as of `as_of` if given, else the timeline's own as_of, else now."""
    return assess(timeline, as_of or timeline.as_of or utc_now(), protocol)


def assessment_json(a: Assessment, *, messages: bool = False) -> dict[str, Any]:
    """The JSON form of an assessment: the contract of `assess --json` and of the API. With
    `messages`, each reason also carries its two wordings as messages (see
    message_json.reason_json), as stored assessments do; `assess --json` keeps to the four
    keys its readers expect."""
    return {
        "patient_id": a.patient_id,
        "as_of": a.as_of.isoformat(),
        "pathway": a.pathway.value,
        "urgency": a.urgency.value,
        "actions": [action.value for action in a.actions],
        "flags": [flag.value for flag in a.flags],
        "repeats_done": a.repeats_done,
        "earliest_next_procedure_at": _instant(a.earliest_next_procedure_at),
        "valid_until": _instant(a.valid_until),
        "rationale": [_reason_json(r, messages) for r in a.rationale],
        "protocol": {
            "id": a.protocol.id,
            "version": a.protocol.version,
            "sha256": a.protocol.sha256,
        },
    }


def _reason_json(r: Reason, messages: bool) -> dict[str, Any]:
    if messages:
        return reason_json(r)
    return {
        "clause": None if r.clause is None else r.clause.value,
        "code": r.code,
        "text": r.patient,
        "staff": r.staff,
    }


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
