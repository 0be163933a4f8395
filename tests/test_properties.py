"""Properties of the engine that hold for every timeline (hypothesis).

The strategy builds realistic follow-ups: a few procedures, check-ins bunched in the first
48 h (so the thrombosis rule is exercised) and spread over months, pgic answers that drift
like a patient's would, the odd lab, and every instant written in its own UTC offset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from venowatch.protocol import (
    Action,
    Assessment,
    CheckIn,
    Clause,
    Flag,
    Lab,
    LabKind,
    LabResult,
    Pathway,
    Pgic,
    Procedure,
    ProcedureKind,
    Timeline,
    Urgency,
    assess,
)
from venowatch.services.care.protocols import default_protocol

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

Decision = tuple[
    Pathway,
    Urgency,
    tuple[Action, ...],
    tuple[Flag, ...],
    int,
    datetime | None,
    datetime | None,
]
Codes = list[tuple[Clause | None, str]]
Texts = list[tuple[Clause | None, str, str, str]]
R = TypeVar("R", Procedure, CheckIn, Lab)


def decision(a: Assessment) -> Decision:
    """What was decided, without the rationale texts (they show dates in the patient's
    offset) and without as_of itself."""
    return (
        a.pathway,
        a.urgency,
        a.actions,
        a.flags,
        a.repeats_done,
        a.earliest_next_procedure_at,
        a.valid_until,
    )


def codes(a: Assessment) -> Codes:
    return [(r.clause, r.code) for r in a.rationale]


def texts(a: Assessment) -> Texts:
    return [(r.clause, r.code, r.patient, r.staff) for r in a.rationale]


def run(timeline: Timeline, as_of: datetime) -> Assessment:
    return assess(timeline, as_of, PROTOCOL)


# --- strategy ---------------------------------------------------------------------------------

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


def _in_some_offset(draw: st.DrawFn, t: datetime) -> datetime:
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
            replace(p, performed_at=_in_some_offset(draw, p.performed_at))
            for p in draw(st.permutations(procedures))
        ),
        checkins=tuple(
            replace(c, at=_in_some_offset(draw, c.at)) for c in draw(st.permutations(checkins))
        ),
        labs=tuple(replace(lab, at=_in_some_offset(draw, lab.at)) for lab in labs),
    )
    return Case(timeline, _in_some_offset(draw, as_of))


# --- helpers on timelines ---------------------------------------------------------------------


def map_instants(timeline: Timeline, f: Callable[[datetime], datetime]) -> Timeline:
    return replace(
        timeline,
        procedures=tuple(replace(p, performed_at=f(p.performed_at)) for p in timeline.procedures),
        checkins=tuple(replace(c, at=f(c.at)) for c in timeline.checkins),
        labs=tuple(replace(lab, at=f(lab.at)) for lab in timeline.labs),
    )


def up_to(timeline: Timeline, as_of: datetime) -> Timeline:
    """Only the records that exist at as_of (so that nothing new arrives later)."""
    return replace(
        timeline,
        procedures=tuple(p for p in timeline.procedures if p.performed_at <= as_of),
        checkins=tuple(c for c in timeline.checkins if c.at <= as_of),
        labs=tuple(lab for lab in timeline.labs if lab.at <= as_of),
    )


def _distinct(records: tuple[R, ...], at: Callable[[R], datetime]) -> list[R]:
    seen: set[datetime] = set()
    out: list[R] = []
    for r in records:
        if at(r) not in seen:
            seen.add(at(r))
            out.append(r)
    return out


def _thrombosis_trigger(timeline: Timeline, as_of: datetime) -> datetime | None:
    """The first check-in that triggers C2 (protocol.md step 3), read straight off the spec."""
    index: Procedure | None = None
    for p in timeline.procedures:
        if p.performed_at <= as_of and (index is None or p.performed_at >= index.performed_at):
            index = p
    if index is None:
        return None
    start = index.performed_at
    checkins = sorted((c for c in timeline.checkins if start <= c.at <= as_of), key=_at)
    seen_improved = False
    for c in checkins:
        if c.at - start > PRM.thrombosis_window:
            return None
        improved = c.pgic.improved
        if (
            c.symptoms_returned
            or (not improved and seen_improved)
            or c.pgic.rank >= PRM.thrombosis_worse_from.rank
        ):
            return c.at
        seen_improved = seen_improved or improved
    return None


def _at(c: CheckIn) -> datetime:
    return c.at


# --- properties -------------------------------------------------------------------------------


@PROPERTY
@given(
    case=cases(),
    shift=st.timedeltas(min_value=-1000 * DAY, max_value=1000 * DAY),
)
def test_shifting_every_instant_shifts_only_the_instants_decided(
    case: Case, shift: timedelta
) -> None:
    before = run(case.timeline, case.as_of)
    after = run(map_instants(case.timeline, lambda t: t + shift), case.as_of + shift)
    pathway, urgency, actions, flags, repeats, earliest, valid = decision(before)
    assert decision(after) == (
        pathway,
        urgency,
        actions,
        flags,
        repeats,
        None if earliest is None else earliest + shift,
        None if valid is None else valid + shift,
    )
    assert codes(after) == codes(before)


@PROPERTY
@given(case=cases(), data=st.data())
def test_rewriting_instants_in_other_offsets_changes_no_decision(
    case: Case, data: st.DataObject
) -> None:
    before = run(case.timeline, case.as_of)

    def elsewhere(t: datetime) -> datetime:
        return t.astimezone(data.draw(OFFSETS))

    after = run(map_instants(case.timeline, elsewhere), elsewhere(case.as_of))
    assert decision(after) == decision(before)
    assert codes(after) == codes(before)


@PROPERTY
@given(case=cases(), data=st.data())
def test_order_of_records_at_distinct_instants_does_not_matter(
    case: Case, data: st.DataObject
) -> None:
    tl = case.timeline
    distinct = replace(
        tl,
        procedures=tuple(_distinct(tl.procedures, lambda p: p.performed_at)),
        checkins=tuple(_distinct(tl.checkins, lambda c: c.at)),
        labs=tuple(_distinct(tl.labs, lambda lab: lab.at)),
    )
    shuffled = replace(
        distinct,
        procedures=tuple(data.draw(st.permutations(distinct.procedures))),
        checkins=tuple(data.draw(st.permutations(distinct.checkins))),
        labs=tuple(data.draw(st.permutations(distinct.labs))),
    )
    before = run(distinct, case.as_of)
    after = run(shuffled, case.as_of)
    assert decision(after) == decision(before)
    assert texts(after) == texts(before)


@st.composite
def later_records(
    draw: st.DrawFn, as_of: datetime
) -> tuple[list[Procedure], list[CheckIn], list[Lab]]:
    def later() -> datetime:
        delay = draw(
            st.one_of(
                st.just(MICROSECOND),
                st.just(SECOND),
                st.integers(1, 200 * 86400 * 10**6).map(lambda n: n * MICROSECOND),
            )
        )
        return _in_some_offset(draw, as_of + delay)

    procedures = [
        Procedure(kind=draw(st.sampled_from(list(ProcedureKind))), performed_at=later())
        for _ in range(draw(st.integers(0, 2)))
    ]
    checkins = [
        CheckIn(
            at=later(),
            pgic=draw(st.sampled_from(list(Pgic))),
            symptoms_returned=draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 5)))
    ]
    labs = [
        Lab(
            at=later(),
            kind=draw(st.sampled_from(list(LabKind))),
            result=draw(st.sampled_from(list(LabResult))),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    return procedures, checkins, labs


def _insert(
    draw: Callable[[st.SearchStrategy[int]], int], into: tuple[R, ...], new: list[R]
) -> tuple[R, ...]:
    out = list(into)
    for r in new:
        out.insert(draw(st.integers(0, len(out))), r)
    return tuple(out)


@PROPERTY
@given(case=cases(), data=st.data())
def test_records_after_as_of_change_nothing(case: Case, data: st.DataObject) -> None:
    procedures, checkins, labs = data.draw(later_records(case.as_of))
    tl = case.timeline
    more = replace(
        tl,
        procedures=_insert(data.draw, tl.procedures, procedures),
        checkins=_insert(data.draw, tl.checkins, checkins),
        labs=_insert(data.draw, tl.labs, labs),
    )
    before = run(tl, case.as_of)
    after = run(more, case.as_of)
    assert decision(after) == decision(before)
    assert texts(after) == texts(before)


@PROPERTY
@given(case=cases())
def test_valid_until_is_when_the_result_changes(case: Case) -> None:
    tl = up_to(case.timeline, case.as_of)
    now = run(tl, case.as_of)
    if now.valid_until is None:
        assert decision(run(tl, case.as_of + 3650 * DAY)) == decision(now)
        return
    just_before = run(tl, now.valid_until - MICROSECOND)
    assert decision(just_before) == decision(now)
    assert texts(just_before) == texts(now)
    assert decision(run(tl, now.valid_until)) != decision(now)


@PROPERTY
@given(case=cases())
def test_the_emergency_never_outlasts_its_window(case: Case) -> None:
    tl = up_to(case.timeline, case.as_of)
    a = run(tl, case.as_of)
    if a.pathway is not Pathway.POSSIBLE_THROMBOSIS:
        return
    t0 = _thrombosis_trigger(tl, case.as_of)
    assert t0 is not None
    assert a.valid_until is not None
    assert a.valid_until <= t0 + PRM.thrombosis_alert_for
    assert run(tl, a.valid_until).pathway is not Pathway.POSSIBLE_THROMBOSIS


@PROPERTY
@given(case=cases())
def test_invariants(case: Case) -> None:
    a = run(case.timeline, case.as_of)
    rule = PROTOCOL.pathways[a.pathway]
    assert a.urgency is rule.urgency
    assert a.actions[: len(rule.actions)] == rule.actions
    assert set(a.actions[len(rule.actions) :]) <= {Action.BLOOD_AND_URINE_TEST}
    if Action.BLOOD_AND_URINE_TEST in a.actions:
        assert a.actions[-1] is Action.BLOOD_AND_URINE_TEST
    assert len(set(a.actions)) == len(a.actions)
    assert list(a.flags) == sorted(set(a.flags), key=lambda f: f.value)
    venoplasties = sum(
        1
        for p in case.timeline.procedures
        if p.kind is ProcedureKind.VENOPLASTY and p.performed_at <= case.as_of
    )
    assert a.repeats_done == max(0, venoplasties - 1)
    assert a.rationale
    for reason in a.rationale:
        assert reason.clause is None or isinstance(reason.clause, Clause)
        assert reason.patient.strip()
        assert reason.staff.strip()
    assert (a.pathway is Pathway.POSSIBLE_THROMBOSIS) == (a.urgency is Urgency.EMERGENCY)
    if a.valid_until is not None:
        assert a.valid_until > case.as_of
    assert a.as_of == case.as_of


@PROPERTY
@given(case=cases())
def test_assessing_is_deterministic(case: Case) -> None:
    first = run(case.timeline, case.as_of)
    second = run(case.timeline, case.as_of)
    assert first == second
    copy = map_instants(case.timeline, lambda t: t)
    assert run(copy, case.as_of) == first
