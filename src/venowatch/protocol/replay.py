"""Replay: the standings the protocol held over a patient's course, computed from the records.

Pure, like the engine. The standing can change only at a record's instant (a record counts from
its instant on) or when time passes an assessment's `valid_until` (the earliest instant at which
the result changes with no new record, shared/spec/protocol.md). protocol/standings.py decides
those instants in one walk over the course; the replay assesses in full where the standing
changes.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from operator import attrgetter

from venowatch.protocol.engine import assess_presorted, require_fixed_offsets
from venowatch.protocol.model import (
    Assessment,
    CheckInRecord,
    LabRecord,
    Pathway,
    ProcedureRecord,
    TimelineRecord,
    Urgency,
)
from venowatch.protocol.rules import Protocol
from venowatch.protocol.standings import Standing, standings

AnyRecord = ProcedureRecord | CheckInRecord | LabRecord


class Cause(enum.Enum):
    """What began a stretch of one standing."""

    PROCEDURE = "procedure"
    CHECKIN = "checkin"
    LAB = "lab"
    TIME = "time"  # no new record: an assessment's valid_until passed


@dataclass(frozen=True, slots=True)
class Stretch:
    """One standing, held from `start` until `end` (None: still held at `until`).

    `assessment` is the engine's result at `start`; `cause` is the record at `start` (of the
    records at one instant, the kind listed first in Cause) or the passing of time, and
    `record` that record (of several of its kind at the instant, the last given; None for
    TIME)."""

    start: datetime
    end: datetime | None
    cause: Cause
    assessment: Assessment
    record: AnyRecord | None = None

    @property
    def pathway(self) -> Pathway:
        return self.assessment.pathway

    @property
    def urgency(self) -> Urgency:
        return self.assessment.urgency


def replay(
    timeline: TimelineRecord,
    until: datetime,
    protocol: Protocol,
    display: tzinfo | None = None,
) -> tuple[Stretch, ...]:
    """Every change of pathway or urgency from the timeline's first record up to `until`.

    Instants must carry fixed offsets, as for `assess`. An empty timeline has no stretches.
    Each stretch's assessment is the one `assess(timeline, t, protocol, display)` gives at its
    start. The changes are found in one walk over the course (protocol/standings.py), and only
    the instants where the standing changes are assessed in full, with their reasons."""
    view = _presorted(timeline, until)
    found = standings(view.procedures, view.checkins, view.labs, until, protocol)
    causes = _record_instants(timeline)
    stretches: list[Stretch] = []
    for standing in found:
        cause, record = causes.get(standing.start, (Cause.TIME, None))
        assessment = assess_presorted(view, standing.start, protocol, display)
        stretches.append(Stretch(standing.start, standing.end, cause, assessment, record))
    return tuple(stretches)


def decided(timeline: TimelineRecord, until: datetime, protocol: Protocol) -> tuple[Standing, ...]:
    """The replay's changes without their assessments: where each standing began, for a
    caller that compares courses (a protocol's impact, the outcome figures) and reads no
    reason. The same instants, pathways and urgencies as `replay`."""
    view = _presorted(timeline, until)
    return standings(view.procedures, view.checkins, view.labs, until, protocol)


def standing_at(stretches: tuple[Stretch, ...], t: datetime) -> Stretch | None:
    """The stretch held at instant `t` (None before the first record)."""
    held: Stretch | None = None
    for stretch in stretches:
        if stretch.start > t:
            break
        held = stretch
    return held


def changes(stretches: tuple[Stretch, ...]) -> tuple[datetime, ...]:
    """The instants at which the standing changed (every stretch's start but the first)."""
    return tuple(s.start for s in stretches[1:])


_at = attrgetter("at")


@dataclass(frozen=True, slots=True)
class _Presorted:
    """The timeline as the replay hands it to the engine: the same records, check-ins sorted."""

    patient_id: str
    procedures: Sequence[ProcedureRecord]
    checkins: Sequence[CheckInRecord]
    labs: Sequence[LabRecord]
    as_of: datetime | None


def _presorted(timeline: TimelineRecord, until: datetime) -> _Presorted:
    """The timeline checked once (fixed offsets) with its check-ins in a stable sort."""
    require_fixed_offsets(timeline, until)
    return _Presorted(
        timeline.patient_id,
        timeline.procedures,
        tuple(sorted(timeline.checkins, key=_at)),  # stable: ties keep their input order
        timeline.labs,
        timeline.as_of,
    )


def _record_instants(timeline: TimelineRecord) -> dict[datetime, tuple[Cause, AnyRecord]]:
    """Each record instant with the kind of record at it (a procedure wins over a check-in,
    a check-in over a lab, as Cause lists them) and the last such record given."""
    found: dict[datetime, tuple[Cause, AnyRecord]] = {}
    for lab in timeline.labs:
        found[lab.at] = (Cause.LAB, lab)
    for c in timeline.checkins:
        found[c.at] = (Cause.CHECKIN, c)
    for p in timeline.procedures:
        found[p.performed_at] = (Cause.PROCEDURE, p)
    return found
