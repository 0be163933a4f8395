"""Merging what the EHR sent with what venowatch holds of the same patient, for the card.

The same record twice counts once: a procedure or a lab of the same kind, or a check-in, at
the same instant (to the second: an EHR may keep no finer time) is one record, the EHR's copy
kept. What each side brought is counted, so the card can say which sources it used."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from venowatch.protocol import CheckIn, Lab, Procedure, Timeline

_R = TypeVar("_R", Procedure, CheckIn, Lab)


@dataclass(frozen=True, slots=True)
class Counts:
    procedures: int
    checkins: int
    labs: int

    @classmethod
    def of(cls, t: Timeline) -> Counts:
        return cls(len(t.procedures), len(t.checkins), len(t.labs))

    @property
    def total(self) -> int:
        return self.procedures + self.checkins + self.labs


@dataclass(frozen=True, slots=True)
class Merged:
    timeline: Timeline
    ehr: Counts
    venowatch: Counts
    both: int
    """Records held by both, counted once."""


def _instant(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(microsecond=0)


def _procedure_key(p: Procedure) -> Hashable:
    return (p.kind, _instant(p.performed_at))


def _checkin_key(c: CheckIn) -> Hashable:
    return _instant(c.at)


def _lab_key(lab: Lab) -> Hashable:
    return (lab.kind, _instant(lab.at))


def _union(
    ehr: Sequence[_R],
    ours: Sequence[_R],
    key: Callable[[_R], Hashable],
    when: Callable[[_R], datetime],
) -> tuple[tuple[_R, ...], int]:
    seen = {key(r) for r in ehr}
    combined: list[_R] = list(ehr)
    extra = 0
    for r in ours:
        if key(r) not in seen:
            combined.append(r)
            extra += 1
    return tuple(sorted(combined, key=when)), len(ours) - extra


def merged(ehr: Timeline, ours: Timeline) -> Merged:
    """One timeline of both, under the EHR's patient id."""
    procedures, p_both = _union(
        ehr.procedures, ours.procedures, _procedure_key, lambda p: p.performed_at
    )
    checkins, c_both = _union(ehr.checkins, ours.checkins, _checkin_key, lambda c: c.at)
    labs, l_both = _union(ehr.labs, ours.labs, _lab_key, lambda lab: lab.at)
    timeline = Timeline(ehr.patient_id, procedures, checkins, labs, ehr.as_of)
    return Merged(timeline, Counts.of(ehr), Counts.of(ours), p_both + c_both + l_both)
