"""The impact of a protocol change before it is saved: for every patient, the pathway and
urgency now under the current file and under the new one, and their replayed history under
both (docs/protocol-changes.md).

Pure over timelines (no database): services.care.impact_clinic hands it a clinic's patients,
the command line a directory of timeline files. The history comes from the engine's replay
(venowatch.protocol.replay.decided: one walk over each course, no reasons built); it can be
left out (`replayed=False`) where only the standings now are wanted.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from venowatch.protocol import Pathway, Protocol, ProtocolRef, TimelineRecord, Urgency, assess
from venowatch.protocol.replay import decided
from venowatch.protocol.standings import Standing

LEVELS = (Urgency.EMERGENCY, Urgency.URGENT, Urgency.ATTENTION)
"""The urgencies the history is compared at: a course is "flagged" at a level from the first
instant its urgency is at least that pressing."""


@dataclass(frozen=True, slots=True)
class Placing:
    """Where the protocol puts a patient: a pathway and its urgency."""

    pathway: Pathway
    urgency: Urgency


@dataclass(frozen=True, slots=True)
class Case:
    """One patient as the comparison reads them: `key` identifies them (a patient id, or a
    timeline file's patient_id), `label` is what a person reads, `as_of` is "now" for them
    (a fixed offset, as the engine needs). Nothing is displayed from the engine's wording
    here, so no display zone: instants keep the records' own offsets."""

    key: str
    label: str
    timeline: TimelineRecord
    as_of: datetime


class Shift(enum.Enum):
    """How a course's first instant at a level moves under the new file."""

    SAME = "same"
    EARLIER = "earlier"
    LATER = "later"
    NEWLY = "newly"  # reached only under the new file
    NO_LONGER = "no_longer"  # reached only under the current file


@dataclass(frozen=True, slots=True)
class Onset:
    """A course (from `course_start`, a procedure's instant, to the next procedure or now) and
    the first instant it reached `target` (an urgency level, or a pathway) under each file
    (None: never)."""

    target: Urgency | Pathway
    course_start: datetime
    current: datetime | None
    new: datetime | None

    @property
    def shift(self) -> Shift:
        if self.current is None:
            return Shift.NEWLY
        if self.new is None:
            return Shift.NO_LONGER
        if self.new < self.current:
            return Shift.EARLIER
        return Shift.LATER if self.new > self.current else Shift.SAME

    @property
    def by(self) -> timedelta | None:
        """How much earlier or later (positive), when reached under both."""
        if self.current is None or self.new is None:
            return None
        return abs(self.new - self.current)


@dataclass(frozen=True, slots=True)
class PatientImpact:
    """One patient: the standing now under each file and, if replayed, each course's first
    instant at a level or pathway that differs between the files."""

    key: str
    label: str
    current: Placing
    new: Placing
    differences: tuple[Onset, ...]

    @property
    def moved(self) -> bool:
        return self.current != self.new

    @property
    def rises(self) -> bool:
        """Whether the new file makes the patient more urgent now."""
        return self.new.urgency.rank < self.current.urgency.rank


@dataclass(frozen=True, slots=True)
class Move:
    """Patients who move from one placing to another now, counted."""

    before: Placing
    after: Placing
    count: int

    @property
    def rises(self) -> bool:
        return self.after.urgency.rank < self.before.urgency.rank


@dataclass(frozen=True, slots=True)
class TargetShift:
    """Over every course of every patient: how the first instant at one urgency level (or in
    one pathway) moves. `earlier` and `later` hold by how much, one entry per course."""

    target: Urgency | Pathway
    same: int
    earlier: tuple[timedelta, ...]
    later: tuple[timedelta, ...]
    newly: int
    no_longer: int

    @property
    def changed(self) -> bool:
        return bool(self.earlier or self.later or self.newly or self.no_longer)

    @property
    def median_earlier(self) -> timedelta | None:
        return _median(self.earlier)

    @property
    def median_later(self) -> timedelta | None:
        return _median(self.later)


def _median(values: tuple[timedelta, ...]) -> timedelta | None:
    """The middle of sorted values (the mean of the two middle ones for an even count)."""
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


@dataclass(frozen=True, slots=True)
class Impact:
    """What a new protocol file changes. `patients` lists those who move now, or whose
    history differs, risers first (most pressing first); `history` is None when the history was
    not replayed."""

    current: ProtocolRef
    new: ProtocolRef
    same_decisions: bool
    compared: int
    patients: tuple[PatientImpact, ...]
    moves: tuple[Move, ...]
    courses: int
    history: tuple[TargetShift, ...] | None

    @property
    def moved(self) -> int:
        return sum(m.count for m in self.moves)

    @property
    def risers(self) -> tuple[PatientImpact, ...]:
        return tuple(p for p in self.patients if p.rises)


def decides_alike(a: Protocol, b: Protocol) -> bool:
    """Whether two files give every timeline the same pathway and urgency at every instant:
    the engine reads only the parameters and each pathway's urgency to decide (titles, clause
    summaries and wording change what people read, not where patients stand)."""
    return a.parameters == b.parameters and all(
        a.pathways[p].urgency is b.pathways[p].urgency for p in Pathway
    )


def compare(
    cases: Iterable[Case], current: Protocol, new: Protocol, *, replayed: bool = True
) -> Impact:
    """Every case under both files. Files that decide alike (decides_alike) are not assessed
    twice: the answer under the new one is the current one's."""
    alike = decides_alike(current, new)
    patients: list[PatientImpact] = []
    moves: Counter[tuple[Placing, Placing]] = Counter()
    shifts: dict[Urgency | Pathway, list[Onset]] = {}
    compared = courses = 0
    for case in cases:
        compared += 1
        one, onsets = _patient(case, current, new, alike, replayed)
        moves[one.current, one.new] += one.moved
        courses += len(case.timeline.procedures)
        for onset in onsets:
            shifts.setdefault(onset.target, []).append(onset)
        if one.moved or one.differences:
            patients.append(one)
    return Impact(
        current=current.ref,
        new=new.ref,
        same_decisions=alike,
        compared=compared,
        patients=tuple(sorted(patients, key=_patient_order)),
        moves=tuple(sorted((Move(a, b, n) for (a, b), n in moves.items() if n), key=_move_order)),
        courses=courses,
        history=_summary(shifts) if replayed else None,
    )


def _patient(
    case: Case, current: Protocol, new: Protocol, alike: bool, replayed: bool
) -> tuple[PatientImpact, list[Onset]]:
    """The patient, and every course's onsets (the same ones too, which the summary counts)."""
    now_current = _placing(case, current)
    now_new = now_current if alike else _placing(case, new)
    onsets: list[Onset] = []
    if replayed:
        before = decided(case.timeline, case.as_of, current)
        after = before if alike else decided(case.timeline, case.as_of, new)
        onsets = list(_onsets(case.timeline, before, after))
    differences = tuple(o for o in onsets if o.shift is not Shift.SAME)
    return PatientImpact(case.key, case.label, now_current, now_new, differences), onsets


def _placing(case: Case, protocol: Protocol) -> Placing:
    a = assess(case.timeline, case.as_of, protocol)
    return Placing(a.pathway, a.urgency)


def _onsets(
    timeline: TimelineRecord, before: Sequence[Standing], after: Sequence[Standing]
) -> Iterable[Onset]:
    """Each course's first instant at each level and in each pathway, under both files: every
    target either replay reached, course by course (the procedures are the same under both).
    Before the first procedure nothing is flagged (the engine's "no procedure" pathway)."""
    starts = sorted(p.performed_at for p in timeline.procedures)
    reached = {s.pathway for s in (*before, *after)}
    targets: list[Urgency | Pathway] = [*LEVELS, *(p for p in Pathway if p in reached)]
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else None
        for target in targets:
            first = _first(before, target, start, end), _first(after, target, start, end)
            if first != (None, None):
                yield Onset(target, start, *first)


def _first(
    stretches: Sequence[Standing], target: Urgency | Pathway, start: datetime, end: datetime | None
) -> datetime | None:
    """The first instant in [start, end) at which a stretch reaching `target` is held."""
    for s in stretches:
        if end is not None and s.start >= end:
            return None
        if s.end is not None and s.end <= start:
            continue
        if _reaches(s, target):
            return max(s.start, start)
    return None


def _reaches(s: Standing, target: Urgency | Pathway) -> bool:
    if isinstance(target, Pathway):
        return s.pathway is target
    return s.urgency.rank <= target.rank


def _summary(shifts: dict[Urgency | Pathway, list[Onset]]) -> tuple[TargetShift, ...]:
    """Each level (always, in order), then each pathway some course reached differently."""
    out = []
    order: list[Urgency | Pathway] = [*LEVELS, *Pathway]
    for target in order:
        onsets = shifts.get(target, [])
        kinds = Counter(o.shift for o in onsets)
        shift = TargetShift(
            target=target,
            same=kinds[Shift.SAME],
            earlier=tuple(sorted(o.by for o in onsets if o.shift is Shift.EARLIER and o.by)),
            later=tuple(sorted(o.by for o in onsets if o.shift is Shift.LATER and o.by)),
            newly=kinds[Shift.NEWLY],
            no_longer=kinds[Shift.NO_LONGER],
        )
        if isinstance(target, Urgency) or shift.changed:
            out.append(shift)
    return tuple(out)


def _patient_order(p: PatientImpact) -> tuple[int, int, int, str]:
    """Risers first, the most pressing first; then the others who move now; then those whose
    history alone differs."""
    group = 0 if p.rises else (1 if p.moved else 2)
    return group, p.new.urgency.rank, p.current.urgency.rank, p.label


def _move_order(m: Move) -> tuple[int, int, int, str]:
    return (0 if m.rises else 1), m.after.urgency.rank, -m.count, m.before.pathway.value
