"""Every threshold of protocol.md, just before, at and just after it.

"At least" is `>=`, "within" is `<=`, a time limit ends at its instant (the state holds for
`t < limit`), records later than as_of do not exist yet, and records at equal instants keep
their input order. Each test builds a small timeline around one venoplasty `P` and moves one
instant across one threshold.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from venowatch.protocol import (
    Action,
    Assessment,
    CheckIn,
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

US = timedelta(microseconds=1)
S = timedelta(seconds=1)
H = timedelta(hours=1)
D = timedelta(days=1)

TZ = timezone(timedelta(hours=-5))
P = datetime(2026, 1, 12, 10, 0, tzinfo=TZ)

VMI = Pgic.VERY_MUCH_IMPROVED
MI = Pgic.MUCH_IMPROVED
SLIGHT = Pgic.MINIMALLY_IMPROVED
SAME = Pgic.NO_CHANGE
MW = Pgic.MINIMALLY_WORSE
W = Pgic.MUCH_WORSE
VW = Pgic.VERY_MUCH_WORSE

BLOOD = LabKind.BLOOD
URINE = LabKind.URINE
NORMAL = LabResult.NORMAL
ABNORMAL = LabResult.ABNORMAL

TEST = Action.BLOOD_AND_URINE_TEST
OVERDUE = Flag.CHECKIN_OVERDUE
STENT = Flag.STENT_CONSIDERATION


# --- helpers ----------------------------------------------------------------------------------


def venoplasty(at: datetime = P) -> Procedure:
    return Procedure(kind=ProcedureKind.VENOPLASTY, performed_at=at)


def stent(at: datetime = P) -> Procedure:
    return Procedure(kind=ProcedureKind.STENT, performed_at=at)


def checkin(at: datetime, pgic: Pgic = SAME, *, returned: bool = False) -> CheckIn:
    return CheckIn(at=at, pgic=pgic, symptoms_returned=returned)


def lab(at: datetime, kind: LabKind, result: LabResult = NORMAL) -> Lab:
    return Lab(at=at, kind=kind, result=result)


def timeline(
    *checkins: CheckIn,
    procedures: tuple[Procedure, ...] = (venoplasty(),),
    labs: tuple[Lab, ...] = (),
) -> Timeline:
    return Timeline(patient_id="b", procedures=procedures, checkins=checkins, labs=labs)


def run(tl: Timeline, as_of: datetime) -> Assessment:
    return assess(tl, as_of, PROTOCOL)


def codes(a: Assessment) -> list[str]:
    return [r.code for r in a.rationale]


def index_kind(a: Assessment) -> str:
    """Which procedure was taken as the index, as the rationale tells staff."""
    (staff,) = [r.staff for r in a.rationale if r.code == "index_procedure"]
    return staff.removeprefix("Index procedure: ").split(" ", 1)[0]


def test_the_defaults_these_tests_are_written_for() -> None:
    assert PRM.thrombosis_window == 48 * H
    assert PRM.thrombosis_worse_from is W
    assert PRM.thrombosis_alert_for == 7 * D
    assert PRM.lab_lookback == 7 * D
    assert PRM.adjustment_min_wait == 28 * D
    assert PRM.noticeable_min == 30 * D
    assert PRM.reverted_min == 14 * D
    assert PRM.worsening_min == 28 * D
    assert PRM.tune_up_min_wait == 90 * D
    assert PRM.repeats_before_stent == 3
    assert PRM.checkin_overdue_after == 14 * D


# --- C2: thrombosis_window --------------------------------------------------------------------

# A trigger of each kind at P + `after`; `otherwise` is the pathway when it does not trigger.
TRIGGERS: dict[str, tuple[tuple[CheckIn, ...], Pathway]] = {
    "symptoms_returned": ((), Pathway.NO_IMPROVEMENT),
    "return_after_improvement": ((checkin(P, MI),), Pathway.TUNE_UP_WAIT),
    "much_worse": ((), Pathway.WORSENING_WATCH),
}


def _trigger(cause: str, at: datetime) -> tuple[CheckIn, ...]:
    before, _ = TRIGGERS[cause]
    if cause == "symptoms_returned":
        return (*before, checkin(at, SAME, returned=True))
    if cause == "much_worse":
        return (*before, checkin(at, W))
    return (*before, checkin(at, SAME))


@pytest.mark.parametrize("cause", list(TRIGGERS))
@pytest.mark.parametrize(
    ("after", "triggers"),
    [
        pytest.param(timedelta(0), True, id="at-P"),
        pytest.param(48 * H - S, True, id="48h-1s"),
        pytest.param(48 * H - US, True, id="48h-1us"),
        pytest.param(48 * H, True, id="48h"),
        pytest.param(48 * H + US, False, id="48h+1us"),
        pytest.param(48 * H + S, False, id="48h+1s"),
    ],
)
def test_thrombosis_window(cause: str, after: timedelta, triggers: bool) -> None:
    t = P + after
    a = run(timeline(*_trigger(cause, t)), t)
    if triggers:
        assert a.pathway is Pathway.POSSIBLE_THROMBOSIS
        assert a.urgency is Urgency.EMERGENCY
        assert a.actions == (Action.CALL_IR_OR_EMERGENCY,)
        assert a.valid_until == t + 7 * D
        assert a.flags == ()
        assert a.earliest_next_procedure_at is None
    else:
        assert a.pathway is TRIGGERS[cause][1]
        assert "thrombosis_active" not in codes(a)
        assert "thrombosis_ended" not in codes(a)


# --- C2: thrombosis_worse_from ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pgic", "expected"),
    [
        pytest.param(SAME, Pathway.NO_IMPROVEMENT, id="no_change"),
        pytest.param(MW, Pathway.WORSENING_WATCH, id="minimally_worse"),
        pytest.param(W, Pathway.POSSIBLE_THROMBOSIS, id="much_worse"),
        pytest.param(VW, Pathway.POSSIBLE_THROMBOSIS, id="very_much_worse"),
    ],
)
def test_thrombosis_worse_from(pgic: Pgic, expected: Pathway) -> None:
    t = P + 6 * H
    assert run(timeline(checkin(t, pgic)), t).pathway is expected


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        pytest.param(SLIGHT, Pathway.POSSIBLE_THROMBOSIS, id="after-minimally_improved"),
        pytest.param(MI, Pathway.POSSIBLE_THROMBOSIS, id="after-much_improved"),
        pytest.param(SAME, Pathway.NO_IMPROVEMENT, id="after-no_change"),
        pytest.param(MW, Pathway.NO_IMPROVEMENT, id="after-minimally_worse"),
    ],
)
def test_return_after_improvement_needs_an_earlier_improved_checkin(
    first: Pgic, expected: Pathway
) -> None:
    tl = timeline(checkin(P + H, first), checkin(P + 2 * H, SAME))
    assert run(tl, P + 2 * H).pathway is expected


# --- C2: thrombosis_alert_for -----------------------------------------------------------------

T0 = P + 6 * H


@pytest.mark.parametrize(
    ("as_of", "emergency"),
    [
        pytest.param(T0, True, id="t0"),
        pytest.param(T0 + 7 * D - S, True, id="t0+7d-1s"),
        pytest.param(T0 + 7 * D - US, True, id="t0+7d-1us"),
        pytest.param(T0 + 7 * D, False, id="t0+7d"),
        pytest.param(T0 + 7 * D + S, False, id="t0+7d+1s"),
    ],
)
def test_thrombosis_alert_for(as_of: datetime, emergency: bool) -> None:
    a = run(timeline(checkin(T0, SAME, returned=True)), as_of)
    if emergency:
        assert a.pathway is Pathway.POSSIBLE_THROMBOSIS
        assert a.valid_until == T0 + 7 * D
        assert "thrombosis_active" in codes(a)
    else:
        assert a.pathway is Pathway.NO_IMPROVEMENT
        assert a.urgency is Urgency.ATTENTION
        assert "thrombosis_ended" in codes(a)
        assert a.valid_until == T0 + 14 * D  # only the overdue check-in is left to come


def test_the_alert_runs_from_the_first_trigger() -> None:
    tl = timeline(checkin(T0, SAME, returned=True), checkin(P + 40 * H, W))
    assert run(tl, P + 40 * H).valid_until == T0 + 7 * D
    assert run(tl, T0 + 7 * D - S).pathway is Pathway.POSSIBLE_THROMBOSIS
    assert run(tl, T0 + 7 * D).pathway is not Pathway.POSSIBLE_THROMBOSIS


# --- C2: the check-in that clears the alert ---------------------------------------------------


@pytest.mark.parametrize(
    ("pgic", "returned", "clears"),
    [
        pytest.param(MI, False, True, id="much_improved"),
        pytest.param(SLIGHT, False, True, id="minimally_improved"),
        pytest.param(MI, True, False, id="much_improved-but-symptoms_returned"),
        pytest.param(SAME, False, False, id="no_change"),
        pytest.param(MW, False, False, id="minimally_worse"),
    ],
)
@pytest.mark.parametrize("after", [24 * H, 72 * H], ids=["inside-window", "after-window"])
def test_clearing_checkin(pgic: Pgic, returned: bool, clears: bool, after: timedelta) -> None:
    later = P + after
    tl = timeline(checkin(T0, SAME, returned=True), checkin(later, pgic, returned=returned))
    a = run(tl, later)
    if clears:
        assert a.pathway is Pathway.IMPROVED
        assert "thrombosis_ended" in codes(a)
    else:
        assert a.pathway is Pathway.POSSIBLE_THROMBOSIS
        assert a.valid_until == T0 + 7 * D


def test_an_improved_checkin_before_the_trigger_does_not_clear_it() -> None:
    tl = timeline(checkin(P + H, MI), checkin(T0, SAME, returned=True))
    assert run(tl, T0).pathway is Pathway.POSSIBLE_THROMBOSIS


def test_a_clearing_checkin_after_as_of_does_not_clear_yet() -> None:
    tl = timeline(checkin(T0, SAME, returned=True), checkin(P + 72 * H, MI))
    assert run(tl, P + 72 * H - US).pathway is Pathway.POSSIBLE_THROMBOSIS
    assert run(tl, P + 72 * H).pathway is Pathway.IMPROVED


# --- C3: lab_lookback and which labs count ----------------------------------------------------

D0 = P + 10 * D  # decline onset: the first of two minimally worse check-ins
LAST = P + 20 * D


def _declining(*labs: Lab) -> Timeline:
    return timeline(checkin(D0, MW), checkin(LAST, MW), labs=labs)


@pytest.mark.parametrize(
    ("labs", "pathway", "test_needed"),
    [
        pytest.param(
            (lab(D0 - 7 * D, BLOOD), lab(D0 - 7 * D, URINE)),
            Pathway.WORSENING_WATCH,
            False,
            id="normal-at-d0-7d-count",
        ),
        pytest.param(
            (lab(D0 - 7 * D - S, BLOOD), lab(D0, URINE)),
            Pathway.WORSENING_WATCH,
            True,
            id="normal-at-d0-7d-1s-does-not",
        ),
        pytest.param(
            (lab(D0 - 7 * D, BLOOD, ABNORMAL),),
            Pathway.TREAT_UNDERLYING_CAUSE,
            False,
            id="abnormal-at-d0-7d-counts",
        ),
        pytest.param(
            (lab(D0 - 7 * D - S, BLOOD, ABNORMAL),),
            Pathway.WORSENING_WATCH,
            True,
            id="abnormal-at-d0-7d-1s-does-not",
        ),
        pytest.param(
            (lab(D0 - 7 * D - US, URINE, ABNORMAL), lab(D0, BLOOD)),
            Pathway.WORSENING_WATCH,
            True,
            id="abnormal-at-d0-7d-1us-does-not",
        ),
        pytest.param(
            (lab(LAST, BLOOD, ABNORMAL),),
            Pathway.TREAT_UNDERLYING_CAUSE,
            False,
            id="abnormal-at-as_of-counts",
        ),
        pytest.param(
            (lab(LAST + S, BLOOD, ABNORMAL),),
            Pathway.WORSENING_WATCH,
            True,
            id="abnormal-after-as_of-ignored",
        ),
        pytest.param(
            (lab(D0, BLOOD), lab(D0, URINE), lab(LAST + US, URINE, ABNORMAL)),
            Pathway.WORSENING_WATCH,
            False,
            id="normal-then-abnormal-after-as_of-ignored",
        ),
        pytest.param(
            (lab(D0 + D, BLOOD), lab(D0, BLOOD, ABNORMAL), lab(D0, URINE)),
            Pathway.WORSENING_WATCH,
            False,
            id="latest-blood-normal-wins",
        ),
        pytest.param(
            (lab(D0, BLOOD), lab(D0 + D, BLOOD, ABNORMAL), lab(D0, URINE)),
            Pathway.TREAT_UNDERLYING_CAUSE,
            False,
            id="latest-blood-abnormal-wins",
        ),
        pytest.param(
            (lab(D0, URINE, ABNORMAL), lab(D0, URINE), lab(D0, BLOOD)),
            Pathway.WORSENING_WATCH,
            False,
            id="equal-instant-later-normal-wins",
        ),
        pytest.param(
            (lab(D0, URINE), lab(D0, URINE, ABNORMAL), lab(D0, BLOOD)),
            Pathway.TREAT_UNDERLYING_CAUSE,
            False,
            id="equal-instant-later-abnormal-wins",
        ),
        pytest.param(
            (lab(D0, BLOOD), lab(D0 + D, BLOOD)),
            Pathway.WORSENING_WATCH,
            True,
            id="two-blood-no-urine",
        ),
        pytest.param((), Pathway.WORSENING_WATCH, True, id="no-labs"),
    ],
)
def test_lab_lookback(labs: tuple[Lab, ...], pathway: Pathway, test_needed: bool) -> None:
    a = run(_declining(*labs), LAST)
    assert a.pathway is pathway
    assert (TEST in a.actions) is test_needed
    if test_needed:
        assert a.actions[-1] is TEST
    if pathway is Pathway.TREAT_UNDERLYING_CAUSE:
        assert a.urgency is Urgency.URGENT
        assert a.actions == (Action.TREAT_UNDERLYING_CAUSE, Action.EMAIL_PATIENT_ADVOCATE)
        assert a.earliest_next_procedure_at is None
    else:
        assert a.earliest_next_procedure_at == P + 28 * D


def test_lab_lookback_runs_from_the_decline_onset_not_the_latest_checkin() -> None:
    # D0 - 7d = P + 3d, the latest check-in minus 7 days would be P + 13d.
    a = run(_declining(lab(P + 3 * D, BLOOD, ABNORMAL)), LAST)
    assert a.pathway is Pathway.TREAT_UNDERLYING_CAUSE


# --- C5: noticeable_min -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("span", "pathway", "earliest"),
    [
        pytest.param(30 * D - S, Pathway.TUNE_UP_WAIT, P + 90 * D, id="29d23h59m59s"),
        pytest.param(30 * D - US, Pathway.TUNE_UP_WAIT, P + 90 * D, id="30d-1us"),
        pytest.param(30 * D, Pathway.ADJUSTMENT_PERIOD, P + 28 * D, id="30d"),
        pytest.param(30 * D + S, Pathway.ADJUSTMENT_PERIOD, P + 28 * D, id="30d+1s"),
    ],
)
def test_noticeable_min(span: timedelta, pathway: Pathway, earliest: datetime) -> None:
    back = P + D + span
    a = run(timeline(checkin(P + D, MI), checkin(back, SAME)), back)
    assert a.pathway is pathway
    assert a.earliest_next_procedure_at == earliest
    assert a.actions[-1] is TEST


# --- C5: reverted_min -------------------------------------------------------------------------

BACK = P + 40 * D  # d0, after a qualifying improvement from P + 1d


@pytest.mark.parametrize(
    ("span", "pathway", "urgency"),
    [
        pytest.param(timedelta(0), Pathway.ADJUSTMENT_PERIOD, Urgency.ROUTINE, id="0"),
        pytest.param(14 * D - S, Pathway.ADJUSTMENT_PERIOD, Urgency.ROUTINE, id="14d-1s"),
        pytest.param(14 * D - US, Pathway.ADJUSTMENT_PERIOD, Urgency.ROUTINE, id="14d-1us"),
        pytest.param(14 * D, Pathway.SUSPECTED_RESTENOSIS, Urgency.URGENT, id="14d"),
        pytest.param(14 * D + S, Pathway.SUSPECTED_RESTENOSIS, Urgency.URGENT, id="14d+1s"),
    ],
)
def test_reverted_min(span: timedelta, pathway: Pathway, urgency: Urgency) -> None:
    last = BACK + span
    tl = timeline(checkin(P + D, MI), checkin(BACK, SAME), checkin(last, MW))
    a = run(tl, last)
    assert a.pathway is pathway
    assert a.urgency is urgency
    assert a.earliest_next_procedure_at == P + 28 * D
    assert a.flags == ()


def test_reversion_span_is_between_checkins_not_up_to_as_of() -> None:
    a = run(timeline(checkin(P + D, MI), checkin(BACK, SAME)), BACK + 20 * D)
    assert a.pathway is Pathway.ADJUSTMENT_PERIOD
    assert a.flags == (OVERDUE,)


# --- C7: worsening_min and the 'no better' comparison -----------------------------------------

W0 = P + 3 * D  # after the thrombosis window


@pytest.mark.parametrize(
    ("first", "last", "span", "pathway"),
    [
        pytest.param(MW, MW, 28 * D - S, Pathway.WORSENING_WATCH, id="28d-1s"),
        pytest.param(MW, MW, 28 * D - US, Pathway.WORSENING_WATCH, id="28d-1us"),
        pytest.param(MW, MW, 28 * D, Pathway.WORSENING_RETEST, id="28d-equal-pgic"),
        pytest.param(MW, MW, 28 * D + S, Pathway.WORSENING_RETEST, id="28d+1s"),
        pytest.param(W, W, 28 * D, Pathway.WORSENING_RETEST, id="much_worse-equal"),
        pytest.param(MW, VW, 28 * D, Pathway.WORSENING_RETEST, id="getting-worse"),
        pytest.param(W, MW, 28 * D, Pathway.WORSENING_WATCH, id="easing-by-one"),
        pytest.param(VW, W, 40 * D, Pathway.WORSENING_WATCH, id="easing-after-40d"),
    ],
)
def test_worsening_min(first: Pgic, last: Pgic, span: timedelta, pathway: Pathway) -> None:
    end = W0 + span
    a = run(timeline(checkin(W0, first), checkin(end, last)), end)
    assert a.pathway is pathway
    assert a.earliest_next_procedure_at == P + 28 * D
    expected = Urgency.URGENT if pathway is Pathway.WORSENING_RETEST else Urgency.ATTENTION
    assert a.urgency is expected


@pytest.mark.parametrize(
    ("middle", "pathway"),
    [
        pytest.param(VW, Pathway.WORSENING_RETEST, id="worse-in-between"),
        pytest.param(SAME, Pathway.WORSENING_WATCH, id="no_change-restarts-the-run"),
        pytest.param(SLIGHT, Pathway.WORSENING_WATCH, id="improved-restarts-the-run"),
    ],
)
def test_worsening_run_is_the_trailing_worse_checkins(middle: Pgic, pathway: Pathway) -> None:
    end = W0 + 28 * D
    tl = timeline(checkin(W0, MW), checkin(W0 + 10 * D, middle), checkin(end, MW))
    assert run(tl, end).pathway is pathway


# --- C6: tune_up_min_wait ---------------------------------------------------------------------


def _slight() -> Timeline:
    return timeline(checkin(P + 3 * D, SLIGHT), checkin(P + 5 * D, SAME), checkin(P + 85 * D))


@pytest.mark.parametrize(
    ("as_of", "pathway", "valid_until"),
    [
        pytest.param(P + 90 * D - S, Pathway.TUNE_UP_WAIT, P + 90 * D, id="P+90d-1s"),
        pytest.param(P + 90 * D - US, Pathway.TUNE_UP_WAIT, P + 90 * D, id="P+90d-1us"),
        pytest.param(P + 90 * D, Pathway.TUNE_UP_ELIGIBLE, P + 99 * D, id="P+90d"),
        pytest.param(P + 90 * D + S, Pathway.TUNE_UP_ELIGIBLE, P + 99 * D, id="P+90d+1s"),
    ],
)
def test_tune_up_min_wait(as_of: datetime, pathway: Pathway, valid_until: datetime) -> None:
    a = run(_slight(), as_of)
    assert a.pathway is pathway
    assert a.valid_until == valid_until
    assert a.earliest_next_procedure_at == P + 90 * D
    assert a.flags == ()
    if pathway is Pathway.TUNE_UP_ELIGIBLE:
        assert a.actions == (Action.CONSIDER_TUNE_UP, TEST)


def test_tune_up_wait_is_valid_until_the_checkin_falls_due_when_that_is_earlier() -> None:
    tl = timeline(checkin(P + 3 * D, SLIGHT), checkin(P + 5 * D, SAME))
    a = run(tl, P + 10 * D)
    assert a.pathway is Pathway.TUNE_UP_WAIT
    assert a.valid_until == P + 19 * D


# --- C6: repeats_before_stent -----------------------------------------------------------------


def _restenosis(procedures: tuple[Procedure, ...]) -> Timeline:
    return timeline(
        checkin(P + D, MI), checkin(P + 31 * D), checkin(P + 45 * D), procedures=procedures
    )


def _earlier(n: int) -> tuple[Procedure, ...]:
    return tuple(venoplasty(P - (i + 1) * 100 * D) for i in range(n))


@pytest.mark.parametrize(
    ("procedures", "repeats", "flagged"),
    [
        pytest.param((venoplasty(),), 0, False, id="first-venoplasty"),
        pytest.param((*_earlier(2), venoplasty()), 2, False, id="2-repeats"),
        pytest.param((*_earlier(3), venoplasty()), 3, True, id="3-repeats"),
        pytest.param((*_earlier(4), venoplasty()), 4, True, id="4-repeats"),
        pytest.param((*_earlier(3), stent()), 2, False, id="stent-does-not-count"),
        pytest.param((stent(P - D), *_earlier(2), venoplasty()), 2, False, id="2-repeats-1-stent"),
        pytest.param(
            (*_earlier(2), venoplasty(), venoplasty(P + 46 * D)),
            2,
            False,
            id="venoplasty-after-as_of-does-not-count",
        ),
    ],
)
def test_repeats_before_stent(
    procedures: tuple[Procedure, ...], repeats: int, flagged: bool
) -> None:
    a = run(_restenosis(procedures), P + 45 * D)
    assert a.pathway is Pathway.SUSPECTED_RESTENOSIS
    assert a.repeats_done == repeats
    assert a.flags == ((STENT,) if flagged else ())


@pytest.mark.parametrize(
    ("checkins", "as_of", "pathway", "flagged"),
    [
        pytest.param(
            (checkin(W0, MW), checkin(W0 + 28 * D, MW)),
            W0 + 28 * D,
            Pathway.WORSENING_RETEST,
            True,
            id="worsening_retest",
        ),
        pytest.param(
            (checkin(W0, MW), checkin(W0 + 27 * D, MW)),
            W0 + 27 * D,
            Pathway.WORSENING_WATCH,
            False,
            id="worsening_watch",
        ),
        pytest.param(
            (checkin(P + 3 * D, SLIGHT), checkin(P + 85 * D)),
            P + 90 * D,
            Pathway.TUNE_UP_ELIGIBLE,
            True,
            id="tune_up_eligible",
        ),
        pytest.param(
            (checkin(P + 3 * D, SLIGHT), checkin(P + 85 * D)),
            P + 89 * D,
            Pathway.TUNE_UP_WAIT,
            False,
            id="tune_up_wait",
        ),
        pytest.param(
            (checkin(P + D, MI), checkin(P + 31 * D)),
            P + 31 * D,
            Pathway.ADJUSTMENT_PERIOD,
            False,
            id="adjustment_period",
        ),
        pytest.param(
            (checkin(P + D, SAME),), P + D, Pathway.NO_IMPROVEMENT, False, id="no_improvement"
        ),
    ],
)
def test_stent_consideration_only_on_its_pathways(
    checkins: tuple[CheckIn, ...], as_of: datetime, pathway: Pathway, flagged: bool
) -> None:
    tl = timeline(*checkins, procedures=(*_earlier(3), venoplasty()))
    a = run(tl, as_of)
    assert a.pathway is pathway
    assert a.repeats_done == 3
    assert (STENT in a.flags) is flagged


# --- checkin_overdue_after --------------------------------------------------------------------

L = P + 2 * D  # latest check-in


@pytest.mark.parametrize(
    ("as_of", "overdue"),
    [
        pytest.param(L + 14 * D - S, False, id="latest+14d-1s"),
        pytest.param(L + 14 * D - US, False, id="latest+14d-1us"),
        pytest.param(L + 14 * D, True, id="latest+14d"),
        pytest.param(L + 14 * D + S, True, id="latest+14d+1s"),
    ],
)
def test_checkin_overdue_after_latest_checkin(as_of: datetime, overdue: bool) -> None:
    a = run(timeline(checkin(P + D, SAME), checkin(L, MI)), as_of)
    assert a.pathway is Pathway.IMPROVED
    assert a.flags == ((OVERDUE,) if overdue else ())
    assert a.valid_until == (None if overdue else L + 14 * D)


@pytest.mark.parametrize(
    ("as_of", "overdue"),
    [
        pytest.param(P + 14 * D - S, False, id="P+14d-1s"),
        pytest.param(P + 14 * D, True, id="P+14d"),
    ],
)
def test_checkin_overdue_after_procedure_without_checkin(as_of: datetime, overdue: bool) -> None:
    a = run(timeline(), as_of)
    assert a.pathway is Pathway.AWAITING_CHECKIN
    assert a.actions == (Action.LOG_CHECKIN,)
    assert a.flags == ((OVERDUE,) if overdue else ())
    assert a.valid_until == (None if overdue else P + 14 * D)


def test_overdue_flag_sorts_after_stent_flag() -> None:
    tl = timeline(
        checkin(P + 3 * D, SLIGHT), checkin(P + 5 * D), procedures=(*_earlier(3), venoplasty())
    )
    a = run(tl, P + 90 * D)
    assert a.pathway is Pathway.TUNE_UP_ELIGIBLE
    assert a.flags == (OVERDUE, STENT)


# --- records at the edges: as_of, P, equal instants -------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "pathway"),
    [
        pytest.param(L - US, Pathway.AWAITING_CHECKIN, id="checkin-1us-after-as_of"),
        pytest.param(L, Pathway.IMPROVED, id="checkin-at-as_of"),
    ],
)
def test_checkin_exactly_at_as_of_counts(as_of: datetime, pathway: Pathway) -> None:
    assert run(timeline(checkin(L, MI)), as_of).pathway is pathway


@pytest.mark.parametrize(
    ("as_of", "pathway", "repeats"),
    [
        pytest.param(P + 30 * D - US, Pathway.IMPROVED, 0, id="second-procedure-after-as_of"),
        pytest.param(P + 30 * D, Pathway.AWAITING_CHECKIN, 1, id="second-procedure-at-as_of"),
    ],
)
def test_procedure_exactly_at_as_of_is_the_index(
    as_of: datetime, pathway: Pathway, repeats: int
) -> None:
    tl = timeline(checkin(L, MI), procedures=(venoplasty(), venoplasty(P + 30 * D)))
    a = run(tl, as_of)
    assert a.pathway is pathway
    assert a.repeats_done == repeats


def test_procedure_exactly_at_as_of_without_earlier_one() -> None:
    assert run(timeline(), P - US).pathway is Pathway.NO_PROCEDURE
    assert run(timeline(), P).pathway is Pathway.AWAITING_CHECKIN


@pytest.mark.parametrize(
    ("at", "pathway"),
    [
        pytest.param(P - US, Pathway.AWAITING_CHECKIN, id="P-1us-does-not-count"),
        pytest.param(P, Pathway.IMPROVED, id="at-P-counts"),
    ],
)
def test_checkin_exactly_at_the_procedure_counts(at: datetime, pathway: Pathway) -> None:
    assert run(timeline(checkin(at, MI)), P + H).pathway is pathway


@pytest.mark.parametrize(
    ("at", "pathway"),
    [
        pytest.param(P + 30 * D - S, Pathway.AWAITING_CHECKIN, id="before-second-P"),
        pytest.param(P + 30 * D, Pathway.IMPROVED, id="at-second-P"),
    ],
)
def test_checkin_belongs_to_the_index_procedure(at: datetime, pathway: Pathway) -> None:
    tl = timeline(checkin(at, MI), procedures=(venoplasty(), venoplasty(P + 30 * D)))
    assert run(tl, P + 31 * D).pathway is pathway


@pytest.mark.parametrize(
    ("procedures", "kind"),
    [
        pytest.param((venoplasty(), stent()), "stent", id="venoplasty-then-stent"),
        pytest.param((stent(), venoplasty()), "venoplasty", id="stent-then-venoplasty"),
    ],
)
def test_equal_instant_procedures_later_in_input_is_the_index(
    procedures: tuple[Procedure, ...], kind: str
) -> None:
    a = run(timeline(procedures=procedures), P + H)
    assert a.pathway is Pathway.AWAITING_CHECKIN
    assert a.repeats_done == 0
    assert index_kind(a) == kind


@pytest.mark.parametrize(
    ("order", "pathway"),
    [
        pytest.param((MI, SAME), Pathway.POSSIBLE_THROMBOSIS, id="improved-then-no_change"),
        pytest.param((SAME, MI), Pathway.IMPROVED, id="no_change-then-improved"),
    ],
)
def test_equal_instant_checkins_keep_input_order(
    order: tuple[Pgic, Pgic], pathway: Pathway
) -> None:
    t = P + 6 * H
    tl = timeline(*(checkin(t, pgic) for pgic in order))
    assert run(tl, t).pathway is pathway


def test_equal_instant_checkins_keep_input_order_outside_the_window() -> None:
    t = P + 10 * D
    assert run(timeline(checkin(t, MI), checkin(t, SAME)), t).pathway is Pathway.TUNE_UP_WAIT
    assert run(timeline(checkin(t, SAME), checkin(t, MI)), t).pathway is Pathway.IMPROVED


# --- improvement periods: the noticeable span -------------------------------------------------


@pytest.mark.parametrize(
    ("checkins", "pathway"),
    [
        pytest.param(
            (checkin(P + D, MI), checkin(P + 10 * D, SLIGHT), checkin(P + 20 * D, MI)),
            Pathway.ADJUSTMENT_PERIOD,
            id="slight-between-noticeable-does-not-interrupt",
        ),
        pytest.param(
            (checkin(P + D, MI), checkin(P + 10 * D, SAME), checkin(P + 20 * D, MI)),
            Pathway.TUNE_UP_WAIT,
            id="no_change-between-ends-the-period",
        ),
        pytest.param(
            (checkin(P + D, SLIGHT), checkin(P + 2 * D, MI)),
            Pathway.TUNE_UP_WAIT,
            id="span-starts-at-first-noticeable-not-first-improved",
        ),
        pytest.param(
            (checkin(P + D, SLIGHT), checkin(P + 20 * D, SLIGHT)),
            Pathway.TUNE_UP_WAIT,
            id="slight-only-has-no-span",
        ),
    ],
)
def test_noticeable_span_across_a_period(checkins: tuple[CheckIn, ...], pathway: Pathway) -> None:
    back = P + 31 * D  # 30 days after P + 1d
    a = run(timeline(*checkins, checkin(back, SAME)), back)
    assert a.pathway is pathway


@pytest.mark.parametrize(
    ("end", "pathway"),
    [
        pytest.param(P + 31 * D - S, Pathway.TUNE_UP_WAIT, id="next-in-period-at-30d-1s"),
        pytest.param(P + 31 * D, Pathway.ADJUSTMENT_PERIOD, id="next-in-period-at-30d"),
    ],
)
def test_noticeable_span_ends_at_the_checkin_after_the_last_noticeable(
    end: datetime, pathway: Pathway
) -> None:
    """The span runs to the next check-in in the period (here a SLIGHT one), not to the
    reversion that follows it."""
    tl = timeline(
        checkin(P + D, MI),
        checkin(P + 20 * D, VMI),
        checkin(end, SLIGHT),
        checkin(P + 50 * D, SAME),
    )
    a = run(tl, P + 50 * D)
    assert a.pathway is pathway


@pytest.mark.parametrize(
    ("first", "pathway"),
    [
        pytest.param(P + 2 * D - S, Pathway.ADJUSTMENT_PERIOD, id="30d"),
        pytest.param(P + 2 * D, Pathway.TUNE_UP_WAIT, id="30d-1s"),
    ],
)
def test_noticeable_span_starts_at_first_noticeable(first: datetime, pathway: Pathway) -> None:
    tl = timeline(checkin(P + D, SLIGHT), checkin(first, MI), checkin(P + 32 * D - S, SAME))
    assert run(tl, P + 32 * D).pathway is pathway


def test_slight_only_improvement_is_explained_as_slight() -> None:
    tl = timeline(checkin(P + D, SLIGHT), checkin(P + 60 * D, SLIGHT), checkin(P + 61 * D, SAME))
    a = run(tl, P + 61 * D)
    assert a.pathway is Pathway.TUNE_UP_WAIT
    assert "slight_improvement" in codes(a)


def test_an_earlier_qualifying_period_still_counts_after_a_brief_one() -> None:
    tl = timeline(
        checkin(P + D, MI),
        checkin(P + 31 * D, SAME),
        checkin(P + 35 * D, MI),
        checkin(P + 36 * D, SAME),
    )
    assert run(tl, P + 36 * D).pathway is Pathway.ADJUSTMENT_PERIOD


def test_qualifying_period_then_long_reversion_is_restenosis_even_if_worse() -> None:
    tl = timeline(checkin(P + D, MI), checkin(P + 31 * D, MW), checkin(P + 60 * D, MW))
    a = run(tl, P + 60 * D)
    assert a.pathway is Pathway.SUSPECTED_RESTENOSIS  # 8.1 wins over 8.3
