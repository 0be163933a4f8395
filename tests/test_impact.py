"""The impact of a protocol change before it is saved (issue 14): the comparison over
timelines, a clinic's read of it (audited once), and `venowatch protocol impact`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.impact_fixtures import SHIPPED, WIDER
from venowatch.cli.main import main
from venowatch.protocol import (
    CheckIn,
    Pathway,
    Pgic,
    Procedure,
    ProcedureKind,
    Timeline,
    Urgency,
    parse_protocol,
)
from venowatch.protocol.replay import replay
from venowatch.services.care import impact as impact_module
from venowatch.services.care.impact import Case, Placing, Shift, compare
from venowatch.services.care.protocols import default_protocol

LATER_RETEST = SHIPPED.replace('version = "1.0.0"', 'version = "1.2.0"').replace(
    'reverted_min = "14d"', 'reverted_min = "21d"'
)
REWORDED = SHIPPED.replace('version = "1.0.0"', 'version = "1.0.1"').replace(
    'staff = "Possible thrombosis"', 'staff = "Possible blood clot"'
)
H = timedelta(hours=1)
D = timedelta(days=1)
OPERATED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _back_after(hours: int, name: str) -> Timeline:
    """Symptoms back `hours` after the procedure: a possible clot only inside the window."""
    return Timeline(
        name,
        procedures=(Procedure(ProcedureKind.VENOPLASTY, OPERATED),),
        checkins=(CheckIn(OPERATED + hours * H, Pgic.MUCH_WORSE, symptoms_returned=True),),
    )


def _improved(name: str) -> Timeline:
    return Timeline(
        name,
        procedures=(Procedure(ProcedureKind.VENOPLASTY, OPERATED),),
        checkins=(CheckIn(OPERATED + 30 * H, Pgic.MUCH_IMPROVED),),
    )


def _reverting(name: str) -> Timeline:
    """Clearly better for six weeks, then back to baseline every week: restenosis suspected
    once it has lasted `reverted_min`."""
    better = [CheckIn(OPERATED + w * 7 * D, Pgic.MUCH_IMPROVED) for w in range(1, 7)]
    back = [CheckIn(OPERATED + w * 7 * D, Pgic.NO_CHANGE) for w in range(7, 12)]
    return Timeline(
        name,
        procedures=(Procedure(ProcedureKind.VENOPLASTY, OPERATED),),
        checkins=(*better, *back),
    )


def _clinic_of(*timelines: Timeline, as_of: datetime) -> list[Case]:
    return [Case(t.patient_id, f"patient {t.patient_id}", t, as_of) for t in timelines]


def test_a_wider_clot_window_moves_exactly_the_patients_inside_it() -> None:
    moved = [_back_after(60, f"m{i}") for i in range(3)]
    stay = [_back_after(30, "early"), _back_after(80, "late"), _improved("fine")]
    impact = compare(
        _clinic_of(*moved, *stay, as_of=OPERATED + 90 * H),
        default_protocol(),
        parse_protocol(WIDER),
    )
    assert {p.key for p in impact.patients} == {"m0", "m1", "m2"}
    assert all(p.rises and p.new.urgency is Urgency.EMERGENCY for p in impact.patients)
    (move,) = impact.moves
    assert move.count == 3
    assert move.rises
    assert move.after == Placing(Pathway.POSSIBLE_THROMBOSIS, Urgency.EMERGENCY)
    assert impact.compared == 6
    assert impact.moved == 3
    assert not impact.same_decisions
    # History: the three became emergencies at their check-in, under the new file only.
    assert impact.history is not None
    emergency = impact.history[0]
    assert emergency.target is Urgency.EMERGENCY
    assert (emergency.newly, emergency.same, emergency.no_longer) == (3, 1, 0)
    for p in impact.patients:
        (first,) = [o for o in p.differences if o.target is Urgency.EMERGENCY]
        assert first.shift is Shift.NEWLY
        assert first.new == OPERATED + 60 * H


def test_a_file_identical_to_the_current_one_moves_nobody() -> None:
    cases = _clinic_of(
        _back_after(30, "a"), _back_after(60, "b"), _reverting("c"), as_of=OPERATED + 80 * D
    )
    for text in (SHIPPED, REWORDED):
        impact = compare(cases, default_protocol(), parse_protocol(text))
        assert impact.same_decisions
        assert (impact.moved, impact.moves, impact.patients) == (0, (), ())
        assert impact.history is not None
        assert not any(s.changed for s in impact.history)
        assert impact.history[0].same == 1  # "a" was an emergency, the same under both


def test_files_that_decide_alike_give_what_assessing_under_both_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The short cut (one replay when only wording differs) must not hide a difference."""
    cases = _clinic_of(_back_after(30, "a"), _reverting("c"), as_of=OPERATED + 80 * D)
    quick = compare(cases, default_protocol(), parse_protocol(REWORDED))
    monkeypatch.setattr(impact_module, "decides_alike", lambda a, b: False)
    slow = compare(cases, default_protocol(), parse_protocol(REWORDED))
    assert (slow.moves, slow.patients, slow.history) == (quick.moves, quick.patients, quick.history)


def test_a_longer_reversion_flags_restenosis_later_by_the_difference() -> None:
    timeline = _reverting("r")
    as_of = OPERATED + 80 * D
    new = parse_protocol(LATER_RETEST)
    impact = compare(_clinic_of(timeline, as_of=as_of), default_protocol(), new)
    (p,) = impact.patients
    (onset,) = [o for o in p.differences if o.target is Pathway.SUSPECTED_RESTENOSIS]
    expected = [
        next(s.start for s in replay(timeline, as_of, f) if s.pathway is onset.target)
        for f in (default_protocol(), new)
    ]
    assert [onset.current, onset.new] == expected
    assert onset.shift is Shift.LATER
    assert onset.by == 7 * D
    assert onset.course_start == OPERATED
    assert impact.history is not None
    urgent = next(s for s in impact.history if s.target is Urgency.URGENT)
    assert urgent.later == (7 * D,)
    assert urgent.median_later == 7 * D
    # Now (day 80) both files say restenosis: the history moves, the standing does not.
    assert not p.moved
    assert impact.moves == ()


def test_without_the_replay_only_the_standings_now_are_compared() -> None:
    cases = _clinic_of(_back_after(60, "m"), _reverting("r"), as_of=OPERATED + 62 * H)
    impact = compare(cases, default_protocol(), parse_protocol(WIDER), replayed=False)
    assert impact.history is None
    assert [p.key for p in impact.patients] == ["m"]


# --- the command line, offline --------------------------------------------------------------


def _write(directory: Path, *timelines: Timeline, as_of: datetime) -> None:
    directory.mkdir()
    for t in timelines:
        record: dict[str, Any] = {
            "patient_id": t.patient_id,
            "as_of": as_of.isoformat(),
            "procedures": [
                {"kind": p.kind.value, "performed_at": p.performed_at.isoformat()}
                for p in t.procedures
            ],
            "checkins": [
                {
                    "at": c.at.isoformat(),
                    "pgic": c.pgic.value,
                    "symptoms_returned": c.symptoms_returned,
                }
                for c in t.checkins
            ],
        }
        (directory / f"{t.patient_id}.json").write_text(json.dumps(record))


def run(*args: str) -> int:
    try:
        return main(list(args))
    except SystemExit as exit_:
        return int(exit_.code or 0)


def test_the_command_line_over_timeline_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    timelines = tmp_path / "timelines"
    _write(
        timelines,
        _back_after(60, "maria"), _back_after(30, "ann"), _improved("joe"),
        as_of=OPERATED + 62 * H,
    )  # fmt: skip
    new = tmp_path / "wide.toml"
    new.write_text(WIDER)
    assert run("protocol", "impact", str(new), "--timelines", str(timelines)) == 0
    out = capsys.readouterr().out
    assert "Now: 1 of 3 patients moves; 1 becomes more urgent." in out
    assert "maria: " in out
    assert "-> Possible thrombosis (emergency)" in out
    assert "ann:" not in out
    assert "joe:" not in out
    assert "an emergency (possible blood clot)" in out  # the history's table
    assert "none" not in out.split()
    assert "None" not in out

    assert run("protocol", "impact", str(new), "--timelines", str(timelines), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["patients_moved"] == 1
    assert [p["id"] for p in data["patients"]] == ["maria"]
    assert data["moves"] == [
        {
            "from": {"pathway": "worsening_watch", "urgency": "attention"},
            "to": {"pathway": "possible_thrombosis", "urgency": "emergency"},
            "count": 1,
            "urgency_rises": True,
        }
    ]
    assert data["new"]["version"] == "1.1.0-wide"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--timelines", "missing-dir"], "is not a directory"),
        (["--timelines", "{dir}", "--as-of", "yesterday"], "--as-of"),
        (["--timelines", "{dir}", "--current", "{bad}"], "--current"),
        (["--clinic", "1", "--current", "{bad}"], "go with --timelines"),
        (["--timelines", "{dir}", "--clinic", "1"], "not allowed with"),
    ],
)
def test_bad_input_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    timelines = tmp_path / "t"
    _write(timelines, _improved("joe"), as_of=OPERATED + 62 * H)
    bad = tmp_path / "bad.toml"
    bad.write_text(SHIPPED.replace('thrombosis_window = "48h"', 'thrombosis_window = "48"'))
    new = tmp_path / "new.toml"
    new.write_text(WIDER)
    filled = [a.format(dir=timelines, bad=bad) for a in args]
    assert run("protocol", "impact", str(new), *filled) == 2
    assert says in capsys.readouterr().err


def test_a_bad_new_file_or_timeline_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    timelines = tmp_path / "t"
    _write(timelines, _improved("joe"), as_of=OPERATED + 62 * H)
    bad = tmp_path / "bad.toml"
    bad.write_text(SHIPPED.replace("repeats_before_stent = 3", "repeats_before_stents = 3"))
    assert run("protocol", "impact", str(bad), "--timelines", str(timelines)) == 2
    assert "repeats_before_stents" in capsys.readouterr().err
    (timelines / "broken.json").write_text('{"patient_id": "x", "procedures": []}')
    new = tmp_path / "new.toml"
    new.write_text(WIDER)
    assert run("protocol", "impact", str(new), "--timelines", str(timelines)) == 2
    err = capsys.readouterr().err
    assert "broken.json" in err
    assert "nothing compared" in err


def test_protocol_without_an_action_still_checks_a_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run("protocol") == 0
    assert "ccsvi-restenosis 1.0.0" in capsys.readouterr().out


# --- a clinic in the database ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_line_over_a_clinic_reads_it_once_and_saves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:

    from tests.impact_fixtures import declined_at_60_hours as _declined_at_60_hours
    from tests.web_fixtures import clinic
    from venowatch.audit.models import Action, AuditEvent
    from venowatch.clinic.models import Assessment

    monkeypatch.setenv("VENOWATCH_DATA_DIR", str(tmp_path))
    c = clinic("Impact Clinic")
    maria = _declined_at_60_hours(c)
    before = Assessment.objects.get(patient=maria)
    new = tmp_path / "wide.toml"
    new.write_text(WIDER)
    assert run("protocol", "impact", str(new), "--clinic", "impact clinic") == 0
    out = capsys.readouterr().out
    assert "Now: 1 of 1 patients moves; 1 becomes more urgent." in out
    assert "Maria Keller: Worse since the procedure: watch (needs attention) -> " in out
    assert run("protocol", "impact", str(new), "--clinic", str(c.pk), "--json") == 0
    (listed,) = json.loads(capsys.readouterr().out)["patients"]
    assert listed["id"] == str(maria.pk)
    assert "name" not in listed  # the JSON names patients by id only
    after = Assessment.objects.get(patient=maria)
    assert (after.revision, after.urgency) == (before.revision, before.urgency)
    rows = AuditEvent.objects.filter(action=Action.PROTOCOL_IMPACT)
    assert [(r.clinic_id, r.patient_id, r.channel.value) for r in rows] == [(c.pk, None, "cli")] * 2
    assert run("protocol", "impact", str(new), "--clinic", "nowhere") == 2
    assert "no clinic with id or name 'nowhere'" in capsys.readouterr().err
