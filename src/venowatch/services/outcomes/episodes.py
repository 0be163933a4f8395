"""A patient's episodes, each from a venoplasty to the next procedure or to now, with the days
at which the protocol first held each outcome of interest. Pure: the event times come from the
engine's replay (protocol.replay), not from when the sweep happened to run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from venowatch.protocol import (
    CheckInRecord,
    Pathway,
    Pgic,
    ProcedureKind,
    Protocol,
    TimelineRecord,
)
from venowatch.protocol.replay import decided
from venowatch.protocol.standings import Standing

DAY = timedelta(days=1)
MONTHS = (1, 3, 6, 12)
"""The points at which the global impression of change is read, in months after the procedure."""
MONTH_DAYS = 365.25 / 12

RESTENOSIS = frozenset({Pathway.SUSPECTED_RESTENOSIS})  # C5
RETEST = frozenset({Pathway.SUSPECTED_RESTENOSIS, Pathway.WORSENING_RETEST})  # C5 or C7
THROMBOSIS = frozenset({Pathway.POSSIBLE_THROMBOSIS})  # C2


@dataclass(frozen=True, slots=True)
class EpisodeFacts:
    """What the figures need of one episode; days since its venoplasty (None: never, or not yet)."""

    patient_id: int
    clinic_id: int
    number: int
    started_at: datetime
    index_day: float
    ended_day: float | None
    ended_by_venoplasty: bool
    last_checkin_day: float | None
    restenosis_day: float | None
    retest_day: float | None
    thrombosis_day: float | None
    pgic: tuple[Pgic | None, Pgic | None, Pgic | None, Pgic | None]
    """The answer nearest each of MONTHS within the window, or None."""

    @property
    def repeat(self) -> bool:
        return self.number > 1

    @property
    def followed_day(self) -> float:
        """Where an episode without the event is censored: its end, else its last check-in."""
        if self.ended_day is not None:
            return self.ended_day
        return self.last_checkin_day if self.last_checkin_day is not None else 0.0


def episodes_of(
    timeline: TimelineRecord,
    clinic_id: int,
    now: datetime,
    protocol: Protocol,
    window_days: float,
) -> list[EpisodeFacts]:
    """Every venoplasty's episode in the timeline, replayed under `protocol` up to `now`."""
    procedures = sorted(timeline.procedures, key=lambda p: p.performed_at)
    venoplasties = [p for p in procedures if p.kind is ProcedureKind.VENOPLASTY]
    if not venoplasties:
        return []
    stretches = decided(timeline, now, protocol)
    first = venoplasties[0].performed_at
    found = []
    for number, procedure in enumerate(venoplasties, start=1):
        start = procedure.performed_at
        after = [p for p in procedures if p.performed_at > start]
        end = after[0].performed_at if after else None
        checkins = [c for c in timeline.checkins if start < c.at and (end is None or c.at < end)]
        within = [s for s in stretches if s.start >= start and (end is None or s.start < end)]
        found.append(
            EpisodeFacts(
                patient_id=int(timeline.patient_id),
                clinic_id=clinic_id,
                number=number,
                started_at=start,
                index_day=_days(start - first),
                ended_day=None if end is None else _days(end - start),
                ended_by_venoplasty=bool(after) and after[0].kind is ProcedureKind.VENOPLASTY,
                last_checkin_day=_days(checkins[-1].at - start) if checkins else None,
                restenosis_day=_first(within, RESTENOSIS, start),
                retest_day=_first(within, RETEST, start),
                thrombosis_day=_first(within, THROMBOSIS, start),
                pgic=_pgic_at_months(checkins, start, window_days),
            )
        )
    return found


def _days(delta: timedelta) -> float:
    return delta / DAY


def _first(
    stretches: Sequence[Standing], pathways: frozenset[Pathway], start: datetime
) -> float | None:
    for s in stretches:
        if s.pathway in pathways:
            return _days(s.start - start)
    return None


def _pgic_at_months(
    checkins: Sequence[CheckInRecord], start: datetime, window_days: float
) -> tuple[Pgic | None, Pgic | None, Pgic | None, Pgic | None]:
    answers: list[Pgic | None] = []
    for months in MONTHS:
        target = start + timedelta(days=months * MONTH_DAYS)
        nearest = None
        best = timedelta(days=window_days)
        for c in checkins:
            gap = abs(c.at - target)
            if gap <= best:  # the later of two equally near: the more recent impression
                nearest, best = c, gap
        answers.append(None if nearest is None else Pgic(nearest.pgic))
    return answers[0], answers[1], answers[2], answers[3]
