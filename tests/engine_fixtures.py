"""Timelines for the engine's tests: the protocol they are written for, a hypothesis strategy
of realistic follow-ups, and the shared scenarios assessed.

The strategy builds realistic follow-ups: a few procedures, check-ins bunched in the first
48 h (so the thrombosis rule is exercised) and spread over months, pgic answers that drift
like a patient's would, the odd lab, and every instant written in its own UTC offset.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.conftest import load_json
from venowatch.protocol import (
    Assessment,
    CheckIn,
    Lab,
    LabKind,
    LabResult,
    Pgic,
    Procedure,
    ProcedureKind,
    Timeline,
)
from venowatch.services.care.assessing import assess_timeline
from venowatch.services.care.protocols import default_protocol
from venowatch.services.timeline_files import decode_timeline

PROTOCOL = default_protocol()
PRM = PROTOCOL.parameters

SECOND = timedelta(seconds=1)
MICROSECOND = timedelta(microseconds=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
BASE = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)

PROPERTY = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- the strategy -----------------------------------------------------------------------------

OFFSETS: st.SearchStrategy[tzinfo] = st.integers(-24, 28).map(
    lambda n: timezone(timedelta(minutes=30 * n))
)


@dataclass(frozen=True)
class Case:
    timeline: Timeline
    as_of: datetime


@st.composite
def delays(draw: st.DrawFn) -> timedelta:
    """Time after an anchor: often within the first 48 h, often in whole days, sometimes
    with seconds or microseconds, sometimes exactly on a threshold."""
    kind = draw(st.integers(0, 6))
    if kind <= 1:
        return draw(st.integers(0, 50 * 3600)) * SECOND
    if kind == 2:
        window = PRM.thrombosis_window
        return draw(st.sampled_from([timedelta(0), window - SECOND, window, window + SECOND]))
    if kind <= 4:
        return draw(st.integers(0, 200)) * DAY
    # Hypothesis favours small integers, so spread over the range in two steps.
    coarse = draw(st.integers(0, 200 * 24)) * HOUR
    if kind == 5:
        return coarse + draw(st.integers(0, 3600)) * SECOND
    return coarse + draw(st.integers(0, 3600 * 10**6)) * MICROSECOND


def in_some_offset(draw: st.DrawFn, t: datetime) -> datetime:
    return t.astimezone(draw(OFFSETS))


def _walk(draw: st.DrawFn, n: int) -> list[Pgic]:
    """pgic answers that drift (runs of improvement, decline, worsening), with jumps; how
    steady the patient is varies."""
    values = list(Pgic)
    steadiness = draw(st.sampled_from([3, 6, 12, 24]))
    rank = draw(st.integers(0, 6))
    out: list[Pgic] = []
    for _ in range(n):
        step = draw(st.integers(0, steadiness - 1))
        if step == 0:
            rank = draw(st.integers(0, 6))
        elif step == 1:
            rank = max(0, min(6, rank + draw(st.sampled_from([-1, 1]))))
        out.append(values[rank])
    return out


@st.composite
def cases(draw: st.DrawFn) -> Case:
    start = BASE + draw(st.integers(0, 400 * 86400)) * SECOND
    n_procedures = draw(st.sampled_from([1, 1, 1, 1, 2, 2, 3, 0]))
    performed = [start] + [
        start
        + draw(st.sampled_from([timedelta(0), *[d * DAY for d in (7, 30, 60, 90, 120)]]))
        + draw(st.integers(0, 10 * 86400)) * SECOND * draw(st.integers(0, 1))
        for _ in range(n_procedures - 1)
    ]
    performed = performed[:n_procedures]
    kinds = st.sampled_from([ProcedureKind.VENOPLASTY] * 4 + [ProcedureKind.STENT])
    procedures = [Procedure(kind=draw(kinds), performed_at=t) for t in performed]
    anchors = performed or [start]

    n_checkins = draw(st.integers(0, 40))
    times: list[datetime] = []
    for _ in range(n_checkins):
        if times and draw(st.integers(0, 7)) == 0:
            times.append(draw(st.sampled_from(times)))  # the same instant as another
        else:
            times.append(draw(st.sampled_from(anchors)) + draw(delays()))
    times.sort()
    if times and draw(st.integers(0, 3)) == 0:
        # Better for a while, then back: the shape C4 and C5 are about.
        turn = times[0] + draw(st.integers(0, 120)) * DAY
        better = st.sampled_from(
            [Pgic.VERY_MUCH_IMPROVED, Pgic.MUCH_IMPROVED] * 3 + [Pgic.MINIMALLY_IMPROVED]
        )
        back = st.sampled_from([Pgic.NO_CHANGE] * 3 + [Pgic.MINIMALLY_WORSE, Pgic.MUCH_WORSE])
        pgics = [draw(better if t < turn else back) for t in times]
    else:
        pgics = _walk(draw, len(times))
    checkins = [
        CheckIn(
            at=t,
            pgic=p,
            symptoms_returned=draw(st.integers(0, 9)) == 0,
        )
        for t, p in zip(times, pgics, strict=True)
    ]

    labs = [
        Lab(
            at=draw(st.sampled_from(anchors))
            + draw(st.integers(-20 * 86400, 200 * 86400)) * SECOND,
            kind=draw(st.sampled_from(list(LabKind))),
            result=draw(st.sampled_from([LabResult.NORMAL] * 3 + [LabResult.ABNORMAL])),
        )
        for _ in range(draw(st.integers(0, 4)))
    ]

    instants = [*performed, *times, *(lab.at for lab in labs)] or [start]
    first, last = min(anchors), max(instants)
    how = draw(st.integers(0, 11))
    if how <= 2:
        as_of = draw(st.sampled_from(instants))
    elif how == 3:
        as_of = min(anchors) - draw(st.integers(0, 2 * 86400)) * SECOND
    elif how <= 5:  # in the days after a procedure, while an emergency may be on
        as_of = draw(st.sampled_from(anchors)) + draw(st.integers(0, 10 * 24 * 60)) * 60 * SECOND
    else:
        span = last - first + 60 * DAY
        as_of = first + span * draw(st.integers(0, 1000)) / 1000
        as_of += draw(st.integers(0, 10**9)) * MICROSECOND

    timeline = Timeline(
        patient_id="p",
        procedures=tuple(
            replace(p, performed_at=in_some_offset(draw, p.performed_at))
            for p in draw(st.permutations(procedures))
        ),
        checkins=tuple(
            replace(c, at=in_some_offset(draw, c.at)) for c in draw(st.permutations(checkins))
        ),
        labs=tuple(replace(lab, at=in_some_offset(draw, lab.at)) for lab in labs),
    )
    return Case(timeline, in_some_offset(draw, as_of))


# --- the shared scenarios ---------------------------------------------------------------------

ZONES = [ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata"), ZoneInfo("Australia/Lord_Howe")]


def scenario(path: Path) -> Assessment:
    raw = json.dumps(load_json(path)["timeline"]).encode()
    return assess_timeline(decode_timeline(raw, path.name), PROTOCOL)
