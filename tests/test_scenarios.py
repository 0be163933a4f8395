"""Every worked example of the protocol passes, every field, in-process and through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SCENARIOS, load_json
from venowatch.services.care.assessing import assess_timeline, assessment_json
from venowatch.services.care.protocols import default_protocol
from venowatch.services.timeline_files import decode_timeline


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path) -> None:
    scenario = load_json(path)
    timeline = decode_timeline(json.dumps(scenario["timeline"]).encode(), path.name)
    result = assessment_json(assess_timeline(timeline, default_protocol()))
    for field, expected in scenario["expect"].items():
        assert result[field] == expected, f"{path.stem}: {field}"
    assert result["patient_id"] == scenario["timeline"]["patient_id"]
    assert result["as_of"] == scenario["timeline"]["as_of"]
    assert result["rationale"], "every assessment explains itself"
    if result["urgency"] == "emergency":
        assert result["rationale"][0]["clause"] == "C2", "the emergency's reason comes first"


def test_scenarios_through_the_command_line(tmp_path: Path) -> None:
    """One call over all scenarios: one JSON line each, in input order, every field."""
    scenarios = [load_json(p) for p in SCENARIOS]
    paths = []
    for i, scenario in enumerate(scenarios):
        path = tmp_path / f"{i:03d}.json"
        path.write_text(json.dumps(scenario["timeline"]))
        paths.append(str(path))
    done = subprocess.run(
        [sys.executable, "-m", "venowatch.cli.main", "assess", "--json", *paths],
        capture_output=True,
        check=True,
    )
    lines = done.stdout.decode().splitlines()
    assert len(lines) == len(scenarios)
    for scenario, line in zip(scenarios, lines, strict=True):
        result = json.loads(line)
        assert result["patient_id"] == scenario["timeline"]["patient_id"]
        for field, expected in scenario["expect"].items():
            assert result[field] == expected, f"{scenario['name']}: {field}"
        assert set(result["protocol"]) == {"id", "version", "sha256"}
