"""Replay: the standings the protocol held over a patient's course, computed from the records.

Pure, like the engine. The standing can change only at a record's instant (a record counts from
its instant on) or when time passes an assessment's `valid_until` (the earliest instant at which
the result changes with no new record, shared/spec/protocol.md), so assessing at exactly those
instants, from the first record to `until`, finds every change and nothing else.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, tzinfo

from venowatch.protocol.engine import assess
from venowatch.protocol.model import Assessment, Pathway, TimelineRecord, Urgency
from venowatch.protocol.rules import Protocol


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
    records at one instant, the kind listed first in Cause) or the passing of time."""

    start: datetime
    end: datetime | None
    cause: Cause
    assessment: Assessment

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

    Instants must carry fixed offsets, as for `assess`. An empty timeline has no stretches."""
    causes = _record_instants(timeline)
    instants = sorted(t for t in causes if t <= until)
    stretches: list[Stretch] = []
    i = 0
    t = instants[0] if instants else None
    while t is not None:
        assessment = assess(timeline, t, protocol, display)
        cause = causes.get(t, Cause.TIME)
        if not stretches or _standing(stretches[-1].assessment) != _standing(assessment):
            if stretches:
                stretches[-1] = _ended(stretches[-1], t)
            stretches.append(Stretch(t, None, cause, assessment))
        while i < len(instants) and instants[i] <= t:
            i += 1
        candidates = [instants[i]] if i < len(instants) else []
        if assessment.valid_until is not None and assessment.valid_until <= until:
            candidates.append(assessment.valid_until)
        t = min(candidates) if candidates else None
    return tuple(stretches)


def standing_at(stretches: tuple[Stretch, ...], t: datetime) -> Stretch | None:
    """The stretch held at instant `t` (None before the first record)."""
    held: Stretch | None = None
    for stretch in stretches:
        if stretch.start > t:
            break
        held = stretch
    return held


def _standing(a: Assessment) -> tuple[Pathway, Urgency]:
    return a.pathway, a.urgency


def _ended(stretch: Stretch, end: datetime) -> Stretch:
    return Stretch(stretch.start, end, stretch.cause, stretch.assessment)


def _record_instants(timeline: TimelineRecord) -> dict[datetime, Cause]:
    """Each record instant with the kind of record at it (a procedure wins over a check-in,
    a check-in over a lab, as Cause lists them)."""
    found: dict[datetime, Cause] = {}
    for lab in timeline.labs:
        found[lab.at] = Cause.LAB
    for c in timeline.checkins:
        found[c.at] = Cause.CHECKIN
    for p in timeline.procedures:
        found[p.performed_at] = Cause.PROCEDURE
    return found
