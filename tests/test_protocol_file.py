"""The protocol file: the shipped one matches the spec, and a bad copy is refused by key."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import SHARED, load_json
from venowatch.protocol import (
    CHECKIN_OVERDUE,
    PROPERTIES,
    Action,
    Pathway,
    Pgic,
    ProtocolError,
    Urgency,
    Wait,
    parse_protocol,
)
from venowatch.protocol.message import ENGLISH, Audience, render
from venowatch.services.care.assessing import assess_timeline
from venowatch.services.care.protocols import default_protocol, load_protocol
from venowatch.services.timeline_files import decode_timeline

DEFAULT = (Path(__file__).parents[1] / "src/venowatch/protocol/default.toml").read_text()
D = timedelta(days=1)


def test_default_parameters_are_the_specs() -> None:
    p = default_protocol().parameters
    assert p.thrombosis_window == timedelta(hours=48)
    assert p.thrombosis_worse_from is Pgic.MUCH_WORSE
    assert (p.thrombosis_alert_for, p.lab_lookback, p.adjustment_min_wait) == (7 * D, 7 * D, 28 * D)
    assert (p.noticeable_min, p.reverted_min, p.worsening_min) == (30 * D, 14 * D, 28 * D)
    assert (p.tune_up_min_wait, p.repeats_before_stent) == (90 * D, 3)
    assert p.checkin_overdue_after == 14 * D


def test_default_pathway_table_is_the_specs() -> None:
    """The table in protocol.md's 'Pathways' section, row by row."""
    spec = (SHARED / "spec" / "protocol.md").read_text()
    table = spec.split("## Pathways", 1)[1].split("\n\n", 2)[1]
    rows = [r.strip("|").split("|") for r in table.splitlines()[2:]]
    pathways = default_protocol().pathways
    assert len(rows) == len(Pathway)
    for name, urgency, actions, clauses in ((c.strip() for c in r) for r in rows):
        rule = pathways[Pathway(name.strip("`"))]
        assert rule.urgency is Urgency(urgency.strip("`"))
        expected = [a.strip(" `") for a in actions.split(",") if a.strip(" `") != "(none)"]
        assert [a.value for a in rule.actions] == expected, name
        expected_clauses = [c.strip() for c in clauses.split(",") if c.strip() != "-"]
        assert [c.value for c in rule.clauses] == expected_clauses, name


def _named(spec: str, start: str, end: str) -> set[Pathway]:
    """The pathways the spec names in backquotes between `start` and `end`."""
    part = spec.split(start, 1)[1].split(end, 1)[0]
    return {Pathway(name) for name in re.findall(r"`(\w+)`", part)}


def test_pathway_properties_are_the_specs() -> None:
    """The lists in protocol.md's step 9 and 'Other outputs', pathway by pathway."""
    spec = (SHARED / "spec" / "protocol.md").read_text()
    c3 = _named(spec, "**Rule out other causes (C3)** for the pathways", "The labs that count")
    adjustment = _named(spec, "`earliest_next_procedure_at`: for", "`P + adjustment_min_wait`")
    tune_up = _named(spec, "`P + adjustment_min_wait`; for", "`P + tune_up_min_wait`; otherwise")
    stent = _named(spec, "`stent_consideration` when the pathway is", "`repeats_done")
    never_overdue = _named(spec, "`checkin_overdue` when the pathway is not", "`as_of")
    ends_with_wait = _named(spec, "`P + tune_up_min_wait` (while", ")")
    assert all((c3, adjustment, tune_up, stent, never_overdue, ends_with_wait)), "spec moved"
    assert set(PROPERTIES) == set(Pathway)
    for pathway, props in PROPERTIES.items():
        name = pathway.value
        assert props.rules_out_other_causes == (pathway in c3), name
        wait = Wait.ADJUSTMENT if pathway in adjustment else None
        assert props.waits_for is (Wait.TUNE_UP if pathway in tune_up else wait), name
        assert props.counts_toward_stent == (pathway in stent), name
        assert props.can_be_overdue == (pathway not in never_overdue), name
        assert props.ends_with_wait == (pathway in ends_with_wait), name


def test_every_urgent_pathway_opens_a_staff_task() -> None:
    """An urgent alert goes out with the task that says what to do."""
    for pathway, rule in default_protocol().pathways.items():
        if rule.urgency in (Urgency.EMERGENCY, Urgency.URGENT):
            assert PROPERTIES[pathway].opens is not None, pathway


def _task_texts(text: str) -> tuple[str, str]:
    prm = parse_protocol(text).parameters
    retest = PROPERTIES[Pathway.WORSENING_RETEST].opens
    assert retest is not None
    staff = ENGLISH[Audience.STAFF]
    return render(retest.reason(prm), staff), render(CHECKIN_OVERDUE.reason(prm), staff)


def test_task_texts_are_written_from_the_protocols_parameters() -> None:
    assert _task_texts(DEFAULT) == (
        "Worse for 4 weeks and not easing: schedule the retest.",
        "No check-in for two weeks: contact the patient.",
    )
    own = DEFAULT.replace('worsening_min = "28d"', 'worsening_min = "6w"')
    own = own.replace('checkin_overdue_after = "14d"', 'checkin_overdue_after = "10d"')
    assert _task_texts(own) == (
        "Worse for 6 weeks and not easing: schedule the retest.",
        "No check-in for 10 days: contact the patient.",
    )
    own = DEFAULT.replace('worsening_min = "28d"', 'worsening_min = "36h"')
    own = own.replace('checkin_overdue_after = "14d"', 'checkin_overdue_after = "7d"')
    assert _task_texts(own) == (
        "Worse for 36 hours and not easing: schedule the retest.",
        "No check-in for one week: contact the patient.",
    )
    own = DEFAULT.replace('checkin_overdue_after = "14d"', 'checkin_overdue_after = "3d"')
    assert _task_texts(own)[1] == "No check-in for three days: contact the patient."


def test_every_action_has_patient_and_staff_wording() -> None:
    actions = default_protocol().actions
    assert set(actions) == set(Action)
    assert all(w.patient and w.staff for w in actions.values())


def test_hash_is_of_the_file_and_changes_with_it() -> None:
    a = parse_protocol(DEFAULT)
    b = parse_protocol(DEFAULT + "\n# edited\n")
    assert a.ref.sha256 != b.ref.sha256
    assert len(a.ref.sha256) == 64
    assert (a.ref.id, a.ref.version) == ("ccsvi-restenosis", "1.0.0")


def _edit(old: str, new: str) -> str:
    assert old in DEFAULT, old
    return DEFAULT.replace(old, new, 1)


BAD = [
    ("unknown-section", DEFAULT + "\n[extras]\nx = 1\n", "extras", "unknown key"),
    ("unknown-parameter", _edit("[parameters]\n", "[parameters]\nthrombosis_windw = '48h'\n"),
     "parameters.thrombosis_windw", "unknown key"),
    ("wrong-unit", _edit('thrombosis_window = "48h"', 'thrombosis_window = "48 hours"'),
     "parameters.thrombosis_window", "not a duration"),
    ("unknown-unit", _edit('lab_lookback = "7d"', 'lab_lookback = "7y"'),
     "parameters.lab_lookback", "not a duration"),
    ("no-unit", _edit('reverted_min = "14d"', "reverted_min = 14"),
     "parameters.reverted_min", "must be a duration"),
    ("negative", _edit('noticeable_min = "30d"', 'noticeable_min = "-30d"'),
     "parameters.noticeable_min", "negative"),
    ("missing-parameter", _edit('worsening_min = "28d"\n', ""),
     "parameters.worsening_min", "missing"),
    ("not-worse",
     _edit('thrombosis_worse_from = "much_worse"', 'thrombosis_worse_from = "no_change"'),
     "parameters.thrombosis_worse_from", "not a 'worse' answer"),
    ("unknown-pgic", _edit('thrombosis_worse_from = "much_worse"', 'thrombosis_worse_from = "bad"'),
     "parameters.thrombosis_worse_from", "not one of"),
    ("negative-repeats", _edit("repeats_before_stent = 3", "repeats_before_stent = -1"),
     "parameters.repeats_before_stent", "0 or more"),
    ("unknown-action", _edit('actions = ["consider_tune_up"]', 'actions = ["buy_a_stent"]'),
     "pathways.tune_up_eligible.actions[0]", "not one of"),
    ("unknown-urgency", _edit('urgency = "emergency"', 'urgency = "panic"'),
     "pathways.possible_thrombosis.urgency", "not one of"),
    ("unknown-clause", _edit('clauses = ["C2"]', 'clauses = ["C9"]'),
     "pathways.possible_thrombosis.clauses[0]", "not one of"),
    ("missing-pathway", _edit("[pathways.improved]", "[pathways.improvd]"),
     "pathways.improvd", "unknown key"),
    ("missing-clause", _edit("C1 = ", "C0 = "), "clauses.C0", "unknown key"),
    ("not-toml", "this is = = not toml", "", "not valid TOML"),
    ("action-twice", _edit('actions = ["call_ir_or_emergency"]',
                           'actions = ["call_ir_or_emergency", "call_ir_or_emergency"]'),
     "pathways.possible_thrombosis.actions", "lists an action twice"),
    ("actions-not-a-list", _edit('actions = ["call_ir_or_emergency"]',
                                 'actions = "call_ir_or_emergency"'),
     "pathways.possible_thrombosis.actions", "must be a list"),
    ("empty-title", _edit('staff = "Possible thrombosis"', 'staff = "  "'),
     "pathways.possible_thrombosis.staff", "non-empty text"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "key", "problem"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_protocol_is_rejected_naming_the_key(text: str, key: str, problem: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(text)
    assert caught.value.key == key
    assert problem in str(caught.value)
    if key:
        assert str(caught.value).startswith(key + ":")


def test_a_clinics_own_protocol_changes_the_decision(tmp_path: Path) -> None:
    """Scenario 09 waits (13 days back at baseline); a clinic that counts 10 days retests."""
    own = tmp_path / "clinic.toml"
    own.write_text(
        DEFAULT.replace('reverted_min = "14d"', 'reverted_min = "10d"').replace(
            'version = "1.0.0"', 'version = "1.0.0-clinic"'
        )
    )
    scenario = load_json(SHARED / "spec/scenarios/09-restenosis-13d.json")
    timeline = decode_timeline(json.dumps(scenario["timeline"]).encode(), "09")
    assert assess_timeline(timeline, default_protocol()).pathway is Pathway.ADJUSTMENT_PERIOD
    result = assess_timeline(timeline, load_protocol(own))
    assert result.pathway is Pathway.SUSPECTED_RESTENOSIS
    assert result.protocol.version == "1.0.0-clinic"
    assert result.protocol.sha256 != default_protocol().ref.sha256


def test_unreadable_protocol_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match=r"missing\.toml: cannot read"):
        load_protocol(tmp_path / "missing.toml")
