"""The outcome figures from episode facts: Kaplan-Meier curves (lifelines), the global
impression of change at set months, repeats per patient. Pure: no Django, no clock."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from venowatch.protocol import Pgic
from venowatch.services.outcomes.episodes import MONTH_DAYS, MONTHS, EpisodeFacts

AT_RISK_DAYS = (0, 30, 90, 180, 365)
"""The days of the number-at-risk table under each curve."""


@dataclass(frozen=True, slots=True)
class AtRisk:
    day: int
    at_risk: int
    events: int  # up to and including `day`
    censored: int


@dataclass(frozen=True, slots=True)
class Curve:
    """A Kaplan-Meier estimate of the share still free of the event, with its 95% band."""

    key: str
    title: str
    n: int
    events: int
    censored: int
    days: tuple[float, ...]  # where the estimate steps, from day 0
    survival: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    at_risk: tuple[AtRisk, ...]

    def estimate(self, day: float) -> float | None:
        """The estimate at `day` (a step function). None without any episode, and past the
        longest follow-up unless the estimate had reached 0 by then: nobody was followed that
        long, so the curve says nothing there (carrying its last value on would claim a
        share nobody observed)."""
        if self.days and day > self.days[-1] and self.survival[-1] > 0:
            return None
        held = None
        for d, s in zip(self.days, self.survival, strict=True):
            if d > day:
                break
            held = s
        return held


@dataclass(frozen=True, slots=True)
class PgicPoint:
    """The answers nearest `months` after the procedure: each of the seven, or none (None)."""

    months: int
    counts: tuple[tuple[Pgic | None, int], ...]
    not_yet: int  # episodes whose window has not closed (nor been answered in) yet

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)

    def share(self, answer: Pgic | None) -> float:
        total = self.total
        return dict(self.counts)[answer] / total if total else 0.0


@dataclass(frozen=True, slots=True)
class Figures:
    patients: int
    episodes: int
    first: int
    repeat: int
    lost: int
    curves: tuple[Curve, ...]
    pgic: tuple[PgicPoint, ...]
    venoplasties_per_patient: tuple[tuple[int, int], ...]  # (venoplasties, patients)
    reached_stent_count: int
    lost_after_days: int
    window_days: int
    left_out_withdrawn: int = 0
    """Patients left out because they withdrew their consent (services.outcomes.facts)."""


# What each curve counts as its event, in the order the page shows them.
EVENTS: tuple[tuple[str, str, Callable[[EpisodeFacts], float | None]], ...] = (
    ("restenosis", "Suspected restenosis", lambda e: e.restenosis_day),
    ("retest", "Any retest recommendation", lambda e: e.retest_day),
    ("thrombosis", "Possible thrombosis", lambda e: e.thrombosis_day),
    (
        "next_venoplasty",
        "Next venoplasty",
        lambda e: e.ended_day if e.ended_by_venoplasty else None,
    ),
)


def figures(
    episodes: Sequence[EpisodeFacts],
    venoplasties: Sequence[tuple[int, bool]],
    now: datetime,
    lost_after_days: int,
    window_days: int,
    left_out_withdrawn: int = 0,
) -> Figures:
    """`venoplasties`: for each patient of the cohort, how many venoplasties and whether the
    repeats reached the protocol's stent-consideration count; `left_out_withdrawn`: how many
    patients the cohort left out, their consent withdrawn (said beside the figures)."""
    per_patient = Counter(n for n, _ in venoplasties)
    return Figures(
        patients=len({e.patient_id for e in episodes}),
        episodes=len(episodes),
        first=sum(1 for e in episodes if not e.repeat),
        repeat=sum(1 for e in episodes if e.repeat),
        lost=sum(1 for e in episodes if lost(e, now, lost_after_days)),
        curves=tuple(curve(key, title, episodes, day) for key, title, day in EVENTS),
        pgic=tuple(pgic_point(m, i, episodes, now, window_days) for i, m in enumerate(MONTHS)),
        venoplasties_per_patient=tuple(sorted(per_patient.items())),
        reached_stent_count=sum(1 for _, reached in venoplasties if reached),
        lost_after_days=lost_after_days,
        window_days=window_days,
        left_out_withdrawn=left_out_withdrawn,
    )


def lost(e: EpisodeFacts, now: datetime, lost_after_days: int) -> bool:
    """Lost to follow-up: an episode still going whose last check-in (or, without one, the
    procedure) is more than `lost_after_days` ago. Counted, never dropped from the curves."""
    if e.ended_day is not None:
        return False
    last = e.started_at + timedelta(days=e.last_checkin_day or 0.0)
    return now - last > timedelta(days=lost_after_days)


def durations(
    episodes: Sequence[EpisodeFacts], day: Callable[[EpisodeFacts], float | None]
) -> tuple[list[float], list[bool]]:
    """Each episode's time to the event, or to where it is censored (its end, else its last
    check-in), and whether the event was seen. In whole days since the procedure (day 40 is
    from 40 to 41 days after it): the curve steps once a day at most, however large the
    cohort, and a censored episode counts as at risk through its last day."""
    times, seen = [], []
    for e in episodes:
        at = day(e)
        times.append(float(math.floor(at if at is not None else e.followed_day)))
        seen.append(at is not None)
    return times, seen


def curve(
    key: str,
    title: str,
    episodes: Sequence[EpisodeFacts],
    day: Callable[[EpisodeFacts], float | None],
) -> Curve:
    times, seen = durations(episodes, day)
    table = tuple(_at_risk(d, times, seen) for d in AT_RISK_DAYS)
    events = sum(seen)
    if not times:
        return Curve(key, title, 0, 0, 0, (), (), (), (), table)
    # lifelines pulls in pandas and scipy: imported only when a curve is drawn.
    from lifelines import KaplanMeierFitter

    fitter = KaplanMeierFitter(alpha=0.05).fit(times, seen)
    sf = fitter.survival_function_.iloc[:, 0]
    band = fitter.confidence_interval_survival_function_
    return Curve(
        key,
        title,
        len(times),
        events,
        len(times) - events,
        tuple(float(d) for d in sf.index),
        tuple(float(s) for s in sf),
        tuple(_finite(v, 1.0) for v in band.iloc[:, 0]),
        tuple(_finite(v, 1.0) for v in band.iloc[:, 1]),
        table,
    )


def _finite(value: float, default: float) -> float:
    # Greenwood's band is undefined where the estimate is exactly 0 or 1 (lifelines: NaN).
    v = float(value)
    return default if math.isnan(v) else v


def _at_risk(day: int, times: Sequence[float], seen: Sequence[bool]) -> AtRisk:
    return AtRisk(
        day,
        sum(1 for t in times if t >= day),
        sum(1 for t, s in zip(times, seen, strict=True) if s and t <= day),
        sum(1 for t, s in zip(times, seen, strict=True) if not s and t <= day),
    )


def pgic_point(
    months: int, i: int, episodes: Sequence[EpisodeFacts], now: datetime, window_days: int
) -> PgicPoint:
    """Among episodes whose window around the point has closed (by now and before the
    episode ended) or that were answered in it: each answer's count, and no answer's."""
    counts: Counter[Pgic | None] = Counter()
    not_yet = 0
    for e in episodes:
        answer = e.pgic[i]
        closes = e.started_at + timedelta(days=months * MONTH_DAYS + window_days)
        ended = None if e.ended_day is None else e.started_at + timedelta(days=e.ended_day)
        if answer is not None:
            counts[answer] += 1
        elif closes <= now and (ended is None or closes <= ended):
            counts[None] += 1
        else:
            not_yet += 1
    order: list[Pgic | None] = [*Pgic, None]
    return PgicPoint(months, tuple((a, counts[a]) for a in order), not_yet)
