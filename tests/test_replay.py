"""The replay agrees with the engine: assessing at any instant gives the standing the replay
says was held then, and the standing changes only at a record's instant or a `valid_until`.
Over every shared scenario and over hypothesis-generated follow-ups (tests/engine_fixtures)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SCENARIOS, load_json
from tests.engine_fixtures import BASE, DAY, HOUR, MICROSECOND, PROPERTY, PROTOCOL, Case, cases
from venowatch.protocol import (
    CheckIn,
    Lab,
    LabKind,
    LabResult,
    Pathway,
    Pgic,
    Procedure,
    ProcedureKind,
    Timeline,
    TimelineRecord,
    Urgency,
    assess,
)
from venowatch.protocol.engine import assess_presorted
from venowatch.protocol.replay import Cause, Stretch, changes, replay, standing_at
from venowatch.services.care.zones import local
from venowatch.services.timeline_files import decode_timeline

REPLAY = settings(PROPERTY, max_examples=150)


def record_instants(timeline: TimelineRecord) -> set[datetime]:
    found = {p.performed_at for p in timeline.procedures}
    found |= {c.at for c in timeline.checkins}
    return found | {lab.at for lab in timeline.labs}


def probes(stretches: tuple[Stretch, ...], timeline: TimelineRecord) -> Iterable[datetime]:
    """The instants where a mistake would show: each record's and each change's instant and
    the microseconds either side, and the middle of each stretch."""
    for t in record_instants(timeline) | {s.start for s in stretches}:
        yield from (t - MICROSECOND, t, t + MICROSECOND)
    for s in stretches:
        if s.end is not None:
            yield s.start + (s.end - s.start) / 2


def check_agrees(
    timeline: TimelineRecord, until: datetime, extra: Iterable[datetime] = ()
) -> tuple[Stretch, ...]:
    stretches = replay(timeline, until, PROTOCOL)
    instants = record_instants(timeline)
    first = min(instants, default=None)
    for t in [*probes(stretches, timeline), *extra]:
        held = standing_at(stretches, t)
        if first is None or t < first or t > until:
            if first is None or t < first:
                assert held is None, t
            continue
        a = assess(timeline, t, PROTOCOL)
        assert held is not None, t
        assert (held.pathway, held.urgency) == (a.pathway, a.urgency), t
    for s in stretches:
        # The stretch's assessment is the engine's at its start, every field.
        assert s.assessment == assess(timeline, s.start, PROTOCOL)
        assert s.start <= until
        assert s.end is None or s.start < s.end <= until
    for before, after in pairwise(stretches):
        assert before.end == after.start
        assert (before.pathway, before.urgency) != (after.pathway, after.urgency)
    check_change_points(timeline, stretches, instants)
    return stretches


def check_change_points(
    timeline: TimelineRecord, stretches: tuple[Stretch, ...], instants: set[datetime]
) -> None:
    """Each change is at a record's instant (its cause names the record) or at the
    `valid_until` of the assessment just before it, with no record there."""
    for s in stretches:
        if s.cause is Cause.TIME:
            assert s.start not in instants
            assert s.record is None
            assert assess(timeline, s.start - MICROSECOND, PROTOCOL).valid_until == s.start
        else:
            assert s.start in instants
            assert s.record is not None
            at = getattr(s.record, "performed_at", None) or getattr(s.record, "at", None)
            assert at == s.start


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_scenario_replays_as_the_engine_assesses(path: Path) -> None:
    raw = json.dumps(load_json(path)["timeline"]).encode()
    timeline = decode_timeline(raw, path.name)
    assert timeline.as_of is not None
    # Well past the scenario's instant too, so every wait and alert runs out.
    for until in (timeline.as_of, timeline.as_of + 400 * DAY):
        stretches = check_agrees(timeline, until)
        if record_instants(timeline):
            held = standing_at(stretches, timeline.as_of)
            assert held is not None
            a = assess(timeline, timeline.as_of, PROTOCOL)
            assert (held.pathway, held.urgency) == (a.pathway, a.urgency)


@REPLAY
@given(cases(), st.lists(st.integers(0, 10**6), max_size=8))
def test_generated_timelines_replay_as_the_engine_assesses(case: Case, picks: list[int]) -> None:
    instants = record_instants(case.timeline)
    start = min(instants, default=case.as_of)
    until = max([*instants, case.as_of]) + 30 * DAY
    extra = [start + (until - start) * p / 10**6 for p in picks]
    check_agrees(case.timeline, until, extra)


@REPLAY
@given(cases())
def test_replay_stops_at_until(case: Case) -> None:
    """Up to `until` the replay is the longer replay cut there: nothing after it counts."""
    instants = record_instants(case.timeline)
    until = case.as_of
    cut = replay(case.timeline, until, PROTOCOL)
    longer = replay(case.timeline, max([*instants, until]) + 60 * DAY, PROTOCOL)
    assert [(s.start, s.pathway, s.urgency) for s in cut] == [
        (s.start, s.pathway, s.urgency) for s in longer if s.start <= until
    ]
    assert all(s.start <= until for s in cut)
    if cut:
        assert cut[-1].end is None


def test_an_empty_timeline_has_no_stretches() -> None:
    assert replay(Timeline("p"), BASE, PROTOCOL) == ()
    assert standing_at((), BASE) is None


def test_until_before_the_first_record_gives_nothing() -> None:
    timeline = Timeline("p", procedures=(Procedure(ProcedureKind.VENOPLASTY, BASE),))
    assert replay(timeline, BASE - MICROSECOND, PROTOCOL) == ()
    # At the record's own instant it counts.
    (only,) = replay(timeline, BASE, PROTOCOL)
    assert (only.start, only.end, only.cause, only.pathway) == (
        BASE,
        None,
        Cause.PROCEDURE,
        Pathway.AWAITING_CHECKIN,
    )


def test_records_at_one_instant_are_one_change_caused_by_the_procedure() -> None:
    """A check-in and a lab at the procedure's instant: one assessment sees all three, and the
    procedure is named as the cause."""
    timeline = Timeline(
        "p",
        procedures=(Procedure(ProcedureKind.VENOPLASTY, BASE),),
        checkins=(CheckIn(BASE, Pgic.MUCH_IMPROVED),),
        labs=(Lab(BASE, LabKind.BLOOD, LabResult.NORMAL),),
    )
    stretches = check_agrees(timeline, BASE + 10 * DAY)
    assert stretches[0].cause is Cause.PROCEDURE
    assert stretches[0].pathway is Pathway.IMPROVED
    assert isinstance(stretches[0].record, Procedure)


def test_a_thrombosis_alert_ends_with_time() -> None:
    """A much worse check-in hours after the procedure opens the emergency; its end, with no
    record, is a TIME change at the alert's valid_until."""
    prm = PROTOCOL.parameters
    worse = BASE + 6 * HOUR
    timeline = Timeline(
        "p",
        procedures=(Procedure(ProcedureKind.VENOPLASTY, BASE),),
        checkins=(CheckIn(worse, Pgic.MUCH_WORSE, symptoms_returned=True),),
    )
    stretches = check_agrees(timeline, BASE + 30 * DAY)
    causes = [(s.cause, s.urgency) for s in stretches]
    assert causes[:2] == [(Cause.PROCEDURE, Urgency.ROUTINE), (Cause.CHECKIN, Urgency.EMERGENCY)]
    assert stretches[2].cause is Cause.TIME
    assert stretches[2].start == worse + prm.thrombosis_alert_for
    assert changes(stretches)[1] == stretches[2].start


def test_a_voided_record_is_simply_absent() -> None:
    """The replay reads the records that count: a timeline without the voided check-in (as
    services.care.timelines reads it) replays as if it had never been given."""
    worse = CheckIn(BASE + 6 * HOUR, Pgic.MUCH_WORSE, symptoms_returned=True)
    procedure = Procedure(ProcedureKind.VENOPLASTY, BASE)
    with_it = replay(Timeline("p", (procedure,), (worse,)), BASE + 30 * DAY, PROTOCOL)
    without = replay(Timeline("p", (procedure,)), BASE + 30 * DAY, PROTOCOL)
    assert Urgency.EMERGENCY in {s.urgency for s in with_it}
    assert Urgency.EMERGENCY not in {s.urgency for s in without}


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London", "Australia/Lord_Howe"])
def test_display_across_daylight_saving_changes_only_the_offsets(zone: str) -> None:
    """Weekly check-ins across a spring and an autumn change: shown in the patient's zone,
    every stretch keeps its instant and its decision, and the engine agrees there too."""
    tz = ZoneInfo(zone)
    start = datetime(2026, 2, 20, 18, 0, tzinfo=tz)
    weeks = [start + timedelta(weeks=w) for w in range(40)]
    pgics = [Pgic.MUCH_IMPROVED] * 6 + [Pgic.NO_CHANGE] * 20 + [Pgic.MUCH_WORSE] * 14
    timeline = Timeline(
        "p",
        procedures=(Procedure(ProcedureKind.VENOPLASTY, local(start - 7 * DAY, tz)),),
        checkins=tuple(CheckIn(local(t, tz), p) for t, p in zip(weeks, pgics, strict=True)),
    )
    until = local(weeks[-1] + 30 * DAY, tz)
    plain = replay(timeline, until, PROTOCOL)
    shown = replay(timeline, until, PROTOCOL, display=tz)
    assert [(s.start, s.pathway, s.urgency) for s in plain] == [
        (s.start, s.pathway, s.urgency) for s in shown
    ]
    for s in shown:
        assert s.assessment == assess(timeline, s.start, PROTOCOL, display=tz)
        assert s.assessment.as_of.utcoffset() == s.start.astimezone(tz).utcoffset()
    assert len({s.assessment.as_of.utcoffset() for s in shown}) == 2, "both sides of a change"


@REPLAY
@given(cases())
def test_deciding_without_reasons_decides_the_same(case: Case) -> None:
    """The replay decides its in-between instants without building reasons: every other field
    is the engine's, so no change (and no valid_until) can be missed."""
    ordered = replace(case.timeline, checkins=tuple(sorted(case.timeline.checkins, key=_at)))
    quick = assess_presorted(ordered, case.as_of, PROTOCOL, explain=False)
    full = assess(case.timeline, case.as_of, PROTOCOL)
    assert quick == replace(full, rationale=())
    assert assess_presorted(ordered, case.as_of, PROTOCOL) == full


def _at(c: CheckIn) -> datetime:
    return c.at
