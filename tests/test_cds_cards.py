"""The patient-view card: one per request, its indicator from the pathway's urgency, a short
summary, the rationale by clause and the line that this is decision support."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tests.conftest import SCENARIOS, load_json
from venowatch.protocol import Assessment, Clause, Pathway, Reason, Urgency
from venowatch.protocol.message import say
from venowatch.services.care.assessing import assess_timeline
from venowatch.services.care.protocols import default_protocol
from venowatch.services.integration.cds.cards import MAX_SUMMARY, NOT_A_DIAGNOSIS, patient_view_card
from venowatch.services.timeline_files import decode_timeline

PROTOCOL = default_protocol()
LINK = "https://venowatch.example.org/"
EXPECTED_INDICATOR = {"emergency": "critical", "urgent": "warning"}


def scenario_assessment(path: Path) -> Assessment:
    timeline = decode_timeline(json.dumps(load_json(path)["timeline"]).encode(), path.name)
    return assess_timeline(timeline, PROTOCOL)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_scenario_gets_the_indicator_of_its_urgency(path: Path) -> None:
    expect = load_json(path)["expect"]
    card = patient_view_card(scenario_assessment(path), PROTOCOL, LINK)

    assert card["indicator"] == EXPECTED_INDICATOR.get(expect["urgency"], "info")
    assert len(card["summary"]) < 140
    assert NOT_A_DIAGNOSIS in card["detail"]
    assert card["links"] == [{"label": "Open venowatch", "url": LINK, "type": "absolute"}]
    assert card["source"]["label"] == f"{PROTOCOL.title} v{PROTOCOL.ref.version}"


@pytest.mark.parametrize("pathway", list(Pathway), ids=lambda p: p.value)
def test_every_pathways_summary_is_under_140_characters(pathway: Pathway) -> None:
    some = scenario_assessment(SCENARIOS[0])
    rule = PROTOCOL.pathways[pathway]
    a = dataclasses.replace(some, pathway=pathway, urgency=rule.urgency, actions=rule.actions)

    card = patient_view_card(a, PROTOCOL, LINK)

    assert len(card["summary"]) < 140
    assert PROTOCOL.pathways[pathway].title.staff in card["summary"]


def test_possible_thrombosis_is_critical_whatever_urgency_the_clinic_gave_it() -> None:
    clot = scenario_assessment(_named("04-thrombosis-flag"))
    card = patient_view_card(dataclasses.replace(clot, urgency=Urgency.URGENT), PROTOCOL, LINK)
    assert card["indicator"] == "critical"


def test_a_long_pathway_title_is_shortened() -> None:
    a = scenario_assessment(_named("08-restenosis"))
    rule = PROTOCOL.pathways[a.pathway]
    long_title = dataclasses.replace(rule.title, staff="Suspected restenosis " * 20)
    pathways = {**PROTOCOL.pathways, a.pathway: dataclasses.replace(rule, title=long_title)}
    wordy = dataclasses.replace(PROTOCOL, pathways=pathways)

    summary = patient_view_card(a, wordy, LINK)["summary"]

    assert len(summary) == MAX_SUMMARY
    assert summary.endswith("…")


def test_the_detail_gives_actions_and_reasons_by_clause_in_staff_wording() -> None:
    a = scenario_assessment(_named("08-restenosis"))
    detail = patient_view_card(a, PROTOCOL, LINK)["detail"]

    assert "Schedule a retest and re-treatment." in detail
    for reason in a.rationale:
        clause = "follow-up routine" if reason.clause is None else f"**{reason.clause.value}**"
        assert f"- {clause}: " in detail
    assert "**C5**" in detail
    assert f"sha256 {a.protocol.sha256[:12]}" in detail


def test_text_from_records_cannot_become_markdown() -> None:
    a = scenario_assessment(_named("08-restenosis"))
    finding = "![x](https://tracker.example/pixel.png) [click](javascript:alert(1))"
    said = say("%(finding)s", finding=finding)
    odd = Reason(Clause.C3, "lab", said, said)
    card = patient_view_card(dataclasses.replace(a, rationale=(odd,)), PROTOCOL, LINK)

    assert "](" not in card["detail"]
    assert r"\!\[x\]\(https://tracker.example/pixel.png\)" in card["detail"]


def test_left_out_resources_are_counted_in_the_detail() -> None:
    a = scenario_assessment(_named("03-improved"))
    assert (
        "3 of the EHR's resources could not be read"
        in patient_view_card(a, PROTOCOL, LINK, skipped=3)["detail"]
    )


def _named(name: str) -> Path:
    return next(p for p in SCENARIOS if p.stem == name)
