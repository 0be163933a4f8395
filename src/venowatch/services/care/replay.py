"""A patient's replay: the standings the protocol held over their course, computed by the engine
from the records that count (venowatch.protocol.replay), under the protocol the clinic had in
force at each moment (services.care.protocol_archive) or under one protocol given; and how it
compares with the assessment history venowatch stored as it went (replay_history).

Read through services.care.reads.replay_of, which logs the read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from venowatch.clinic import models
from venowatch.protocol import Protocol, ProtocolRef, Timeline
from venowatch.protocol.replay import Stretch, replay
from venowatch.services.care.protocol_archive import Archive, archive_of
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.replay_history import compare, record_rows, stored_changes
from venowatch.services.care.replay_values import (
    PatientReplay,
    RecordRow,
    Step,
    StoredChange,
    append_step,
    within,
)
from venowatch.services.care.timelines import timeline_of
from venowatch.services.care.zones import local, patient_zone, zone_named


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
        for step in within(replays[sha], start, stop, used.ref, records):
            append_step(steps, step)
    refs = tuple(dict.fromkeys(p.ref for _, p in periods))
    done = tuple(steps)
    comparison = compare(done, history, found, end)
    rules = {p.ref.sha256: p for _, p in periods}
    clinic_zone = zone_named(patient.clinic.time_zone)
    return PatientReplay(
        done, end, protocol is None, refs, tuple(unknown), comparison, rules, clinic_zone
    )


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
