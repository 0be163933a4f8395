"""Properties of the engine that hold for every timeline (hypothesis), over the realistic
follow-ups of tests/engine_fixtures.cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

from hypothesis import given
from hypothesis import strategies as st

from tests.engine_fixtures import (
    DAY,
    MICROSECOND,
    OFFSETS,
    PRM,
    PROPERTY,
    PROTOCOL,
    SECOND,
    Case,
    cases,
    in_some_offset,
)
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
        return in_some_offset(draw, as_of + delay)

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
