"""A patient's replay: the standings the protocol held over their course, computed by the engine
from the records that count (venowatch.protocol.replay), under the protocol the clinic had in
force at each moment (services.care.protocol_archive) or under one protocol given; and how it
compares with the assessment history venowatch stored as it went (replay_history).

Read through services.care.reads.replay_of, which logs the read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from venowatch.clinic import models
from venowatch.protocol import (
    Procedure,
    Protocol,
    ProtocolRef,
    Timeline,
)
from venowatch.protocol.replay import AnyRecord, Cause, Stretch, replay, standing_at
from venowatch.services.care.protocol_archive import Archive, archive_of
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.replay_history import (
    Comparison,
    RecordRow,
    StoredChange,
    compare,
    record_rows,
    stored_changes,
)
from venowatch.services.care.replay_steps import Step
from venowatch.services.care.timelines import timeline_of
from venowatch.services.care.zones import local, patient_zone


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

    def at(self, t: datetime) -> Step | None:
        """The step held at `t` (None before the first record)."""
        held = None
        for step in self.steps:
            if step.start > t:
                break
            held = step
        return held


def patient_replay(
    patient: models.Patient,
    until: datetime,
    *,
    protocol: Protocol | None = None,
    timeline: Timeline | None = None,
    changes: Sequence[StoredChange] | None = None,
    rows: Sequence[RecordRow] | None = None,
) -> PatientReplay:
    """The patient's replay to `until` under `protocol`, or, without one, under the clinic's
    protocol of each moment. Pass what the caller already read (the page's timeline) to spare
    its query; in all, at most four queries whatever the number of records."""
    zone = patient_zone(patient)
    end = local(until, zone)
    records = timeline if timeline is not None else timeline_of(patient)
    history = list(changes) if changes is not None else stored_changes(patient)
    found = list(rows) if rows is not None else record_rows(patient)
    if protocol is not None:
        periods: list[tuple[datetime | None, Protocol]] = [(None, protocol)]
        unknown: list[ProtocolRef] = []
    else:
        periods, unknown = _periods(archive_of(patient.clinic), history, patient)
    replays: dict[str, tuple[Stretch, ...]] = {}
    steps: list[Step] = []
    for k, (start, used) in enumerate(periods):
        stop = periods[k + 1][0] if k + 1 < len(periods) else None
        sha = used.ref.sha256
        if sha not in replays:
            replays[sha] = replay(records, end, used, display=zone)
        for step in _within(replays[sha], start, stop, used.ref, records):
            _append(steps, step)
    refs = tuple(dict.fromkeys(p.ref for _, p in periods))
    done = tuple(steps)
    comparison = compare(done, history, found, end)
    return PatientReplay(done, end, protocol is None, refs, tuple(unknown), comparison)


def _periods(
    archive: Archive, history: Sequence[StoredChange], patient: models.Patient
) -> tuple[list[tuple[datetime | None, Protocol]], list[ProtocolRef]]:
    """When each protocol was in force: the kept files from the first one on; before it, the
    file each stored change names, where venowatch knows that file (else the clinic's now)."""
    first_kept = archive.periods[0].start if archive.periods else None
    fallback = archive.periods[0].protocol if archive.periods else clinic_protocol(patient.clinic)
    periods: list[tuple[datetime | None, Protocol]] = []
    unknown: dict[ProtocolRef, None] = {}
    for change in history:
        if first_kept is not None and change.at >= first_kept:
            break
        known = archive.find(change.protocol) if change.protocol is not None else None
        if known is None and change.protocol is not None:
            unknown[change.protocol] = None
        used = known or fallback
        if not periods:
            periods.append((None, used))
        elif periods[-1][1].ref != used.ref:
            periods.append((change.at, used))
    for kept in archive.periods:
        if not periods:
            periods.append((None, kept.protocol))
        elif periods[-1][1].ref != kept.protocol.ref:
            periods.append((kept.start, kept.protocol))
    return periods or [(None, fallback)], list(unknown)


def _within(
    stretches: tuple[Stretch, ...],
    start: datetime | None,
    stop: datetime | None,
    ref: ProtocolRef,
    timeline: Timeline,
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
    timeline: Timeline,
) -> Step:
    return Step(start, s.end, cause, record, s.assessment, ref, _index(timeline, start))


def _index(timeline: Timeline, t: datetime) -> Procedure | None:
    """The procedure the engine counts from at `t` (the latest at or before it; of several at
    one instant the later given, as the engine takes it)."""
    index = None
    for p in timeline.procedures:
        if p.performed_at <= t and (index is None or p.performed_at >= index.performed_at):
            index = p
    return index


def _append(steps: list[Step], step: Step) -> None:
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
        step.start, end, step.cause, step.record, step.assessment, step.protocol, step.index
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
