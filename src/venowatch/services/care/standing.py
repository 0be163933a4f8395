"""A patient's standing: what the protocol says about them, as one typed value.

Words, one per idea: the engine *assesses* a timeline (`venowatch.protocol.assess`);
`assess_patient` assesses a patient's stored records as of any instant and stores nothing;
a `Standing` is what pages, the API and the services read, built from the stored row or from
the engine's answer; `standing` is the patient's standing now and `standing_as_of` at a past
instant.

Pages read; they do not write. When the stored assessment has passed its `valid_until`, the
page shows what the engine says now (the sweeper stores it), so nobody reads a stale answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from venowatch.clinic import models
from venowatch.protocol import (
    Action,
    Assessment,
    Flag,
    Pathway,
    ProtocolRef,
    Reason,
    Timeline,
    Urgency,
    assess,
)
from venowatch.services.care.message_json import reason_from_json
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.timelines import timeline_of
from venowatch.services.care.zones import local, patient_zone


@dataclass(frozen=True, slots=True)
class Decision:
    """What an assessment decides; a change of any part is a change in the patient's history
    (and may open tasks and send alerts)."""

    pathway: Pathway
    urgency: Urgency
    actions: tuple[Action, ...]
    flags: tuple[Flag, ...]

    @classmethod
    def of_row(cls, row: models.Assessment | models.AssessmentChange) -> Decision:
        return cls(
            row.pathway,
            row.urgency,
            tuple(Action(a) for a in row.actions),
            tuple(Flag(f) for f in row.flags),
        )


@dataclass(frozen=True, slots=True)
class Standing:
    """An assessment as the services hand it on. Instants are in the patient's offsets;
    `since` is when the current urgency began (None for an assessment as of a past instant);
    `protocol` is None only for a row stored before the protocol was recorded."""

    decision: Decision
    repeats_done: int
    as_of: datetime
    earliest_next_procedure_at: datetime | None
    valid_until: datetime | None
    rationale: tuple[Reason, ...]
    protocol: ProtocolRef | None
    since: datetime | None

    @property
    def pathway(self) -> Pathway:
        return self.decision.pathway

    @property
    def urgency(self) -> Urgency:
        return self.decision.urgency

    @property
    def actions(self) -> tuple[Action, ...]:
        return self.decision.actions

    @property
    def flags(self) -> tuple[Flag, ...]:
        return self.decision.flags

    @classmethod
    def of_row(cls, row: models.Assessment, zone: ZoneInfo) -> Standing:
        """The standing a stored row keeps."""
        ref = row.protocol
        return cls(
            decision=Decision.of_row(row),
            repeats_done=row.repeats_done,
            as_of=local(row.as_of, zone),
            earliest_next_procedure_at=_local(row.earliest_next_procedure_at, zone),
            valid_until=_local(row.valid_until, zone),
            rationale=tuple(reason_from_json(r) for r in row.rationale),
            protocol=ProtocolRef(ref["id"], ref["version"], ref["sha256"]) if ref else None,
            since=local(row.since, zone),
        )

    @classmethod
    def of_assessment(cls, a: Assessment, since: datetime | None) -> Standing:
        """The standing the engine gives (its instants are already in the patient's offsets)."""
        return cls(
            decision=Decision(a.pathway, a.urgency, a.actions, a.flags),
            repeats_done=a.repeats_done,
            as_of=a.as_of,
            earliest_next_procedure_at=a.earliest_next_procedure_at,
            valid_until=a.valid_until,
            rationale=a.rationale,
            protocol=a.protocol,
            since=since,
        )


def standing(patient: models.Patient, now: datetime, timeline: Timeline | None = None) -> Standing:
    """The standing now: the stored row while it holds, else what the engine says now. Pass
    the timeline if the caller already holds it as stored."""
    stored: models.Assessment | None = getattr(patient, "assessment", None)
    if stored is not None and (stored.valid_until is None or stored.valid_until > now):
        return Standing.of_row(stored, patient_zone(patient))
    result = assess_patient(patient, now, timeline)
    return Standing.of_assessment(result, since_of(result, stored, now))


def standing_as_of(
    patient: models.Patient, as_of: datetime, timeline: Timeline | None = None
) -> Standing:
    """What the engine says as of `as_of`, from the records as they are, storing nothing."""
    return Standing.of_assessment(assess_patient(patient, as_of, timeline), since=None)


def since_of(result: Assessment, stored: models.Assessment | None, now: datetime) -> datetime:
    """When the urgency `result` gives began: kept from the stored row if it is the same."""
    if stored is None or stored.urgency is not result.urgency:
        return now
    return stored.since


def assess_patient(
    patient: models.Patient, as_of: datetime, timeline: Timeline | None = None
) -> Assessment:
    """The assessment as of any instant, past or present, without storing anything; pass the
    timeline if the caller already holds it as stored."""
    zone = patient_zone(patient)
    records = timeline if timeline is not None else timeline_of(patient)
    protocol = clinic_protocol(patient.clinic)
    return assess(records, local(as_of, zone), protocol, display=zone)


def _local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if value is None else local(value, zone)
