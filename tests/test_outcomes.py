"""The outcome figures on cohorts whose answer is known by construction, and on the bench
registry, whose trajectories say what the figures must find."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import ROOT
from venowatch.protocol import Pathway, Pgic, TimelineRecord, assess
from venowatch.services.care.protocols import default_protocol
from venowatch.services.outcomes.episodes import EpisodeFacts, episodes_of
from venowatch.services.outcomes.export import as_csv, as_json, pseudonym
from venowatch.services.outcomes.figures import curve, figures, lost, pgic_point
from venowatch.services.outcomes.wording import estimate_words
from venowatch.services.timeline_files import decode_timeline

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate, trajectory

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=400)
NONE4: tuple[Pgic | None, Pgic | None, Pgic | None, Pgic | None] = (None, None, None, None)


def _episode(pk: int, *, event: float | None = None, last: float | None = None,
             ended: float | None = None, by_venoplasty: bool = False, number: int = 1,
             pgic: tuple[Pgic | None, Pgic | None, Pgic | None, Pgic | None] = NONE4,
             start: datetime = T0) -> EpisodeFacts:  # fmt: skip
    return EpisodeFacts(
        patient_id=pk, clinic_id=1, number=number, started_at=start, index_day=0.0,
        ended_day=ended, ended_by_venoplasty=by_venoplasty, last_checkin_day=last,
        restenosis_day=event, retest_day=event, thrombosis_day=None, pgic=pgic,
    )  # fmt: skip


def _known_cohort() -> list[EpisodeFacts]:
    """Ten episodes: four with the event at day 40, two at day 80, two followed to their last
    check-in at day 60 and two to the next procedure at day 100, without it."""
    return [
        *(_episode(i, event=40, last=120) for i in range(4)),
        *(_episode(4 + i, event=80, last=120) for i in range(2)),
        *(_episode(6 + i, last=60) for i in range(2)),
        *(_episode(8 + i, ended=100, last=95) for i in range(2)),
    ]


def test_kaplan_meier_equals_the_hand_computed_estimate() -> None:
    c = curve("restenosis", "Suspected restenosis", _known_cohort(), lambda e: e.restenosis_day)
    assert (c.n, c.events, c.censored) == (10, 6, 4)
    # At day 40, 4 of 10 at risk: 6/10. At day 80, 4 still at risk (two censored at 60):
    # 0.6 x 2/4.
    assert c.estimate(0) == 1.0
    assert c.estimate(39.9) == 1.0
    assert c.estimate(40) == pytest.approx(0.6)
    assert c.estimate(79) == pytest.approx(0.6)
    assert c.estimate(80) == pytest.approx(0.3)
    assert c.estimate(100) == pytest.approx(0.3)  # the longest follow-up: the two ended at 100
    assert c.estimate(100.5) is None  # nobody followed longer: not carried on
    assert estimate_words(c, 365) == "not known"
    table = {r.day: (r.at_risk, r.events, r.censored) for r in c.at_risk}
    assert table[0] == (10, 0, 0)
    assert table[30] == (10, 0, 0)
    assert table[90] == (2, 6, 2)  # the two ended at day 100 still at risk
    assert table[180] == (0, 6, 4)


def test_the_band_is_greenwoods_exponential_interval() -> None:
    """lifelines' 95% band: Greenwood's variance on the log(-log) scale, computed here by hand."""
    c = curve("restenosis", "", _known_cohort(), lambda e: e.restenosis_day)
    z = 1.959963984540054
    for day, s, variance in ((40, 0.6, 4 / (10 * 6)), (80, 0.3, 4 / (10 * 6) + 2 / (4 * 2))):
        i = c.days.index(day)
        log_s = math.log(s)
        spread = z * math.sqrt(variance / log_s**2)
        expected_lower = math.exp(-math.exp(math.log(-log_s) + spread))
        expected_upper = math.exp(-math.exp(math.log(-log_s) - spread))
        assert c.lower[i] == pytest.approx(expected_lower, rel=1e-6)
        assert c.upper[i] == pytest.approx(expected_upper, rel=1e-6)
        assert c.lower[i] < c.survival[i] < c.upper[i]


def test_an_episode_without_check_ins_is_censored_at_day_zero_not_dropped() -> None:
    c = curve("restenosis", "", [_episode(1), _episode(2, event=10, last=20)],
              lambda e: e.restenosis_day)  # fmt: skip
    assert (c.n, c.events, c.censored) == (2, 1, 1)
    assert c.estimate(10) == pytest.approx(0.0)  # the censored one left at day 0
    assert c.estimate(365) == pytest.approx(0.0)  # every episode left had the event: 0 stays


def test_an_empty_cohort_has_curves_without_numbers() -> None:
    f = figures([], [], NOW, 60, 14)
    assert f.episodes == 0
    assert all(c.n == 0 and c.estimate(10) is None for c in f.curves)
    assert all(p.total == 0 for p in f.pgic)


def test_pgic_shares_sum_to_one_with_no_answer_included() -> None:
    much, worse = Pgic.MUCH_IMPROVED, Pgic.MUCH_WORSE
    episodes = [
        _episode(1, pgic=(much, None, None, None)),
        _episode(2, pgic=(worse, None, None, None)),
        _episode(3, pgic=(much, None, None, None)),
        _episode(4),  # silent at one month
        # Operated 20 days before now: its one-month window is still open, so not counted.
        _episode(5, start=NOW - timedelta(days=20)),
        # Had another procedure at day 10: never due an answer at one month.
        _episode(6, ended=10),
    ]
    point = pgic_point(1, 0, episodes, NOW, 14)
    counts = dict(point.counts)
    assert counts[much] == 2
    assert counts[worse] == 1
    assert counts[None] == 1
    assert sum(counts.values()) == point.total == 4
    assert point.not_yet == 2
    assert sum(point.share(a) for a, _ in point.counts) == pytest.approx(1.0)
    assert point.share(None) == pytest.approx(0.25)
    assert [a for a, _ in point.counts] == [*Pgic, None]  # all seven answers, then none


def test_lost_to_follow_up_is_counted_and_kept_in_the_curves() -> None:
    now = T0 + timedelta(days=200)
    gone = _episode(1, last=100)  # 100 days without a check-in
    here = _episode(2, last=150)
    ended = _episode(3, last=20, ended=30)  # another procedure: not lost
    assert [lost(e, now, 60) for e in (gone, here, ended)] == [True, False, False]
    f = figures([gone, here, ended], [(1, False)] * 3, now, 60, 14)
    assert f.lost == 1
    assert all(c.n == 3 for c in f.curves)


def test_repeats_per_patient_and_the_stent_count() -> None:
    episodes = [_episode(1), _episode(1, number=2), _episode(2)]
    f = figures(episodes, [(2, False), (1, False), (4, True)], NOW, 60, 14)
    assert (f.patients, f.first, f.repeat) == (2, 2, 1)
    assert f.venoplasties_per_patient == ((1, 1), (2, 1), (4, 1))
    assert f.reached_stent_count == 1


def _timeline(
    procedures: list[dict[str, object]], checkins: Sequence[tuple[float, str]]
) -> TimelineRecord:
    record = {
        "patient_id": "7",
        "procedures": procedures,
        "checkins": [
            {"at": (T0 + timedelta(days=d)).isoformat(), "pgic": answer} for d, answer in checkins
        ],
    }
    return decode_timeline(json.dumps(record).encode(), "test")


def test_a_second_venoplasty_ends_the_first_episode_and_begins_a_repeat() -> None:
    second = T0 + timedelta(days=100)
    tl = _timeline(
        [{"kind": "venoplasty", "performed_at": T0.isoformat()},
         {"kind": "venoplasty", "performed_at": second.isoformat()}],
        [(7 * w, "much_improved") for w in range(1, 14)] + [(100 + 7 * w, "no_change")
                                                            for w in range(1, 5)],
    )  # fmt: skip
    first, repeat = episodes_of(tl, 1, T0 + timedelta(days=140), default_protocol(), 14)
    assert (first.number, first.ended_day, first.ended_by_venoplasty) == (1, 100.0, True)
    assert first.last_checkin_day == 91.0
    assert first.pgic[:2] == (Pgic.MUCH_IMPROVED, Pgic.MUCH_IMPROVED)  # days 28 and 91
    assert (repeat.number, repeat.repeat, repeat.index_day, repeat.ended_day) == (
        2,
        True,
        100.0,
        None,
    )
    assert repeat.last_checkin_day == 28.0
    f = figures([first, repeat], [(2, False)], T0 + timedelta(days=140), 60, 14)
    nxt = next(c for c in f.curves if c.key == "next_venoplasty")
    assert (nxt.events, nxt.censored) == (1, 1)


REGISTRY = 300


@pytest.fixture(scope="module")
def registry() -> list[tuple[str, TimelineRecord, EpisodeFacts]]:
    found = []
    for i, record in enumerate(generate(REGISTRY)):
        record["patient_id"] = str(i)
        tl = decode_timeline(json.dumps(record).encode(), "bench")
        assert tl.as_of is not None
        (episode,) = episodes_of(tl, 1, tl.as_of, default_protocol(), 14)
        found.append((trajectory(i), tl, episode))
    return found


def test_the_figures_follow_the_trajectories_the_registry_drew(
    registry: list[tuple[str, TimelineRecord, EpisodeFacts]],
) -> None:
    for kind, _tl, e in registry:
        if kind == "improving":  # better all year: never a restenosis, a retest or a clot
            assert (e.restenosis_day, e.retest_day, e.thrombosis_day) == (None, None, None)
        if kind == "early_return":  # symptoms back within hours: a possible clot, at once
            assert e.thrombosis_day is not None
            assert e.thrombosis_day < 2
        if kind in ("slight", "worsening"):  # never clearly better: nothing to lose again
            assert e.restenosis_day is None
        if e.restenosis_day is not None:
            assert e.retest_day is not None
            assert e.retest_day <= e.restenosis_day
        assert e.pgic[0] is not None
        assert e.last_checkin_day is not None
    reverting = [e for kind, _tl, e in registry if kind == "reverting"]
    assert sum(e.restenosis_day is not None for e in reverting) > len(reverting) / 2


def test_event_days_are_where_assess_first_says_so(
    registry: list[tuple[str, TimelineRecord, EpisodeFacts]],
) -> None:
    """Checked against the engine itself, not the replay: at the event's instant assess gives
    the pathway, and at no check-in before it."""
    p = default_protocol()
    checked = 0
    for _kind, tl, e in registry:
        for day, pathways in ((e.restenosis_day, {Pathway.SUSPECTED_RESTENOSIS}),
                              (e.thrombosis_day, {Pathway.POSSIBLE_THROMBOSIS})):  # fmt: skip
            if day is None:
                continue
            # A day count holds the instant to within a microsecond or so.
            at = e.started_at + timedelta(days=day) + timedelta(milliseconds=1)
            assert assess(tl, at, p).pathway in pathways
            earlier = [c.at for c in tl.checkins if c.at < at - timedelta(seconds=1)]
            assert all(assess(tl, t, p).pathway not in pathways for t in earlier)
            checked += 1
    assert checked > 50


def test_the_export_names_nobody_and_keeps_no_dates(
    registry: list[tuple[str, TimelineRecord, EpisodeFacts]],
) -> None:
    episodes = [e for _k, _t, e in registry[:20]]
    f = figures(episodes, [(1, False)] * 20, NOW, 60, 14)
    text = json.dumps(as_json(f, episodes, "k1")) + as_csv(episodes, "k1")
    assert "2024-" not in text
    assert "2025-" not in text
    assert "bench-" not in text
    assert '"patient_id"' not in text
    assert pseudonym(3, "k1") in text
    assert pseudonym(3, "k1") != pseudonym(3, "k2") != pseudonym(4, "k1")
    assert "very_much_improved" not in as_csv(episodes, "k1")  # CSV: the answers in words
    header = as_csv(episodes, "k1").splitlines()[0]
    assert header.startswith("patient,episode,repeat,index_day")
