"""The values of a replay, shared by the services and the command line (which reads a timeline
file offline, with no database): the steps, the comparison with the stored history, and their
JSON. services.care.replay makes them for a stored patient, replay_history compares."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from venowatch.protocol import Assessment, Pathway, Protocol, ProtocolRef, Urgency
from venowatch.protocol.model import CheckInRecord, ProcedureRecord, TimelineRecord
from venowatch.protocol.replay import AnyRecord, Cause, Stretch, replay, standing_at


@dataclass(frozen=True, slots=True)
class Step:
    """One standing held from `start` to `end` (None: still held at the replay's end), under
    `protocol`. `cause` is what began it (None: the clinic put another protocol in force then),
    `record` the record behind a record's cause, `index` the procedure the assessment counted
    from (None before any), `latest` the latest check-in at or before `start` (what time is
    counted from when an alert runs out)."""

    start: datetime
    end: datetime | None
    cause: Cause | None
    record: AnyRecord | None
    assessment: Assessment
    protocol: ProtocolRef
    index: ProcedureRecord | None
    latest: CheckInRecord | None = None

    @property
    def pathway(self) -> Pathway:
        return self.assessment.pathway

    @property
    def urgency(self) -> Urgency:
        return self.assessment.urgency


class Why(enum.Enum):
    """Why the stored history and the replay differ at a moment."""

    SWEEP_LATE = "sweep_late"  # the change came with time; the sweep stored it later
    RECORDED_LATE = "recorded_late"  # the record is dated earlier than it was entered
    CORRECTION = "correction"  # a record that counted then was voided or corrected since
    PROTOCOL = "protocol"  # the history was made under another protocol
    BEFORE_HISTORY = "before_history"  # the history begins later than the records
    NOT_ASSESSED = "not_assessed"  # nothing assessed the patient while the standing held
    UNEXPLAINED = "unexplained"


class RecordKind(enum.Enum):
    PROCEDURE = "procedure"
    CHECKIN = "checkin"
    LAB = "lab"


@dataclass(frozen=True, slots=True)
class StoredChange:
    """A stored change of pathway or urgency (rows that changed only actions or flags are
    folded into the one before)."""

    at: datetime
    pathway: Pathway
    urgency: Urgency
    protocol: ProtocolRef | None


@dataclass(frozen=True, slots=True)
class RecordRow:
    """What the comparison needs of every record row, counting or not."""

    kind: RecordKind
    at: datetime
    recorded_at: datetime
    voided_at: datetime | None
    reason: str


@dataclass(frozen=True, slots=True)
class Agreement:
    stored_at: datetime
    replayed_at: datetime
    pathway: Pathway
    urgency: Urgency


@dataclass(frozen=True, slots=True)
class Difference:
    """One disagreement. `stored_at`/`stored` are the history's change (None: the history has
    none for this replayed standing); `replayed_at`/`replayed` the replay's standing then (None:
    before the first record). `record` is the record behind a correction or a late entry;
    `protocol` the file the history's change was made under."""

    why: Why
    stored_at: datetime | None
    stored: tuple[Pathway, Urgency] | None
    replayed_at: datetime | None
    replayed: tuple[Pathway, Urgency] | None
    record: RecordRow | None = None
    protocol: ProtocolRef | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    agreements: tuple[Agreement, ...]
    differences: tuple[Difference, ...]
    stored: int
    """How many stored changes of pathway or urgency there are."""

    def json(self) -> dict[str, Any]:
        return {
            "stored_changes": self.stored,
            "agreements": [
                {
                    "stored_at": a.stored_at.isoformat(),
                    "replayed_at": a.replayed_at.isoformat(),
                    "pathway": a.pathway.value,
                    "urgency": a.urgency.value,
                }
                for a in self.agreements
            ],
            "differences": [_difference_json(d) for d in self.differences],
        }


@dataclass(frozen=True, slots=True)
class PatientReplay:
    """The replay up to `until`, and its comparison with the stored history. `then` says the
    protocols are those in force at the time (else one protocol was asked for); `unknown` names
    files the history was made under that venowatch no longer holds (their periods are replayed
    under the clinic's protocol of now, and the comparison says so)."""

    steps: tuple[Step, ...]
    until: datetime
    then: bool
    protocols: tuple[ProtocolRef, ...]
    unknown: tuple[ProtocolRef, ...]
    comparison: Comparison
    rules: Mapping[str, Protocol]
    """The protocols replayed under, by SHA-256 (their pathway titles name the steps)."""
    zone: tzinfo | None = None
    """The clinic's time zone, which its staff read times in (None: a file's own offsets)."""

    def at(self, t: datetime) -> Step | None:
        """The step held at `t` (None before the first record)."""
        held = None
        for step in self.steps:
            if step.start > t:
                break
            held = step
        return held


def timeline_replay(timeline: TimelineRecord, until: datetime, protocol: Protocol) -> PatientReplay:
    """A timeline file's replay (no stored history to compare with): offline, no database."""
    stretches = replay(timeline, until, protocol)
    steps = within(stretches, None, None, protocol.ref, timeline)
    empty = Comparison((), (), 0)
    rules = {protocol.ref.sha256: protocol}
    return PatientReplay(tuple(steps), until, False, (protocol.ref,), (), empty, rules)


def within(
    stretches: tuple[Stretch, ...],
    start: datetime | None,
    stop: datetime | None,
    ref: ProtocolRef,
    timeline: TimelineRecord,
) -> list[Step]:
    """The stretches of one protocol's replay cut to [start, stop)."""
    out: list[Step] = []
    if start is not None:
        held = standing_at(stretches, start)
        if held is not None and held.start < start:
            out.append(_step(held, start, None, None, ref, timeline))
    for s in stretches:
        if (start is not None and s.start < start) or (stop is not None and s.start >= stop):
            continue
        out.append(_step(s, s.start, s.cause, s.record, ref, timeline))
    return out


def _step(
    s: Stretch,
    start: datetime,
    cause: Cause | None,
    record: AnyRecord | None,
    ref: ProtocolRef,
    timeline: TimelineRecord,
) -> Step:
    latest = max((c for c in timeline.checkins if c.at <= start), key=_at, default=None)
    return Step(start, s.end, cause, record, s.assessment, ref, _index(timeline, start), latest)


def _at(c: CheckInRecord) -> datetime:
    at: datetime = c.at
    return at


def _index(timeline: TimelineRecord, t: datetime) -> ProcedureRecord | None:
    """The procedure the engine counts from at `t` (the latest at or before it; of several at
    one instant the later given, as the engine takes it)."""
    index = None
    for p in timeline.procedures:
        if p.performed_at <= t and (index is None or p.performed_at >= index.performed_at):
            index = p
    return index


def append_step(steps: list[Step], step: Step) -> None:
    """Add a step, ending the one before; a protocol change that moves nobody is no change."""
    if steps:
        last = steps[-1]
        if (last.pathway, last.urgency) == (step.pathway, step.urgency):
            steps[-1] = _until(last, step.end)
            return
        steps[-1] = _until(last, step.start)
    steps.append(step)


def _until(step: Step, end: datetime | None) -> Step:
    return Step(
        step.start,
        end,
        step.cause,
        step.record,
        step.assessment,
        step.protocol,
        step.index,
        step.latest,
    )


def replay_json(r: PatientReplay) -> dict[str, Any]:
    """The JSON form (`venowatch replay --json`): enum values, RFC 3339 instants."""
    return {
        "until": r.until.isoformat(),
        "protocols": [_ref(p) for p in r.protocols],
        "under_protocols_then": r.then,
        "unknown_protocols": [_ref(p) for p in r.unknown],
        "stretches": [
            {
                "start": s.start.isoformat(),
                "end": None if s.end is None else s.end.isoformat(),
                "pathway": s.pathway.value,
                "urgency": s.urgency.value,
                "cause": "protocol_change" if s.cause is None else s.cause.value,
                "protocol": _ref(s.protocol),
            }
            for s in r.steps
        ],
        "comparison": r.comparison.json(),
    }


def _ref(p: ProtocolRef) -> dict[str, str]:
    return {"id": p.id, "version": p.version, "sha256": p.sha256}


def _difference_json(d: Difference) -> dict[str, Any]:
    def standing(s: tuple[Pathway, Urgency] | None) -> dict[str, str] | None:
        return None if s is None else {"pathway": s[0].value, "urgency": s[1].value}

    record = d.record
    return {
        "why": d.why.value,
        "stored_at": None if d.stored_at is None else d.stored_at.isoformat(),
        "stored": standing(d.stored),
        "replayed_at": None if d.replayed_at is None else d.replayed_at.isoformat(),
        "replayed": standing(d.replayed),
        "record": None
        if record is None
        else {
            "kind": record.kind.value,
            "at": record.at.isoformat(),
            "recorded_at": record.recorded_at.isoformat(),
            "voided_at": None if record.voided_at is None else record.voided_at.isoformat(),
        },
        "protocol": None
        if d.protocol is None
        else {"id": d.protocol.id, "version": d.protocol.version, "sha256": d.protocol.sha256},
    }
