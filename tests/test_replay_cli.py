"""`venowatch replay PATIENT|FILE`: a file offline (words, or JSON with enum values), a patient
from the database with the comparison, and exit 2 with a message for bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from tests.conftest import SCENARIOS, load_json
from tests.web_fixtures import D, H, clinic, patient, user
from venowatch.cli.main import main
from venowatch.clinic.models import Role
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care.corrections import void
from venowatch.services.care.records import record_checkin, record_procedure


def run(*args: str) -> int:
    try:
        return main(list(args))
    except SystemExit as exit_:
        return int(exit_.code or 0)


def scenario_file(tmp_path: Path, stem: str) -> Path:
    (path,) = [p for p in SCENARIOS if p.stem == stem]
    out = tmp_path / f"{stem}.json"
    out.write_text(json.dumps(load_json(path)["timeline"]))
    return out


def test_a_file_replays_offline_in_words(tmp_path: Path) -> None:
    """In a fresh interpreter with no Django settings, as `venowatch assess` runs."""
    path = scenario_file(tmp_path, "05-thrombosis-return")
    done = subprocess.run(
        [sys.executable, "-m", "venowatch.cli.main", "replay", str(path), "--until",
         "2026-06-01T00:00:00Z"],
        capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin", "PYTHONPATH": str(Path(__file__).parents[1] / "src")},
    )  # fmt: skip
    out = done.stdout
    assert "Possible thrombosis (emergency)" in out
    assert "because: check-in of 13 January 2026" in out
    assert "because: time passed: 7 days since the check-in of 13 January 2026" in out
    words = set(re.findall(r"[a-z_]+|None", out))
    assert not words & {"possible_thrombosis", "awaiting_checkin", "None"}


def test_json_carries_enum_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = scenario_file(tmp_path, "08-restenosis")
    assert run("replay", str(path), "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert [s["pathway"] for s in out["stretches"]][-1] == "suspected_restenosis"
    assert out["stretches"][0]["cause"] == "procedure"
    assert out["stretches"][-1]["end"] is None
    assert out["comparison"]["stored_changes"] == 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["nobody-here"], "is neither a patient id nor a timeline file"),
        (["{file}", "--until", "yesterday"], "--until: 'yesterday' is not a date-time"),
        (["{file}", "--protocol", "/nonexistent.toml"], "--protocol: "),
        (["{bad}"], "bad.json"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    good = scenario_file(tmp_path, "08-restenosis")
    bad = tmp_path / "bad.json"
    bad.write_text('{"patient_id": 3}')
    given = [a.format(file=good, bad=bad) for a in args]
    assert run("replay", *given) == 2
    assert says in capsys.readouterr().err


@pytest.mark.django_db
def test_a_patient_in_the_database_with_the_comparison(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VENOWATCH_DATA_DIR", str(tmp_path))
    start = timezone.now() - 20 * D
    c = clinic()
    alex = user("alex", c, Role.ADVOCATE)
    p = patient("Maria Keller", c, alex)
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=start, now=start)
    bad = record_checkin(
        p, at=start + 6 * H, pgic=Pgic.MUCH_WORSE, symptoms_returned=True, now=start + 6 * H
    )
    void(bad, reason="pressed by mistake", by=alex, now=start + 8 * H)
    assert run("replay", str(p.pk)) == 0
    out = capsys.readouterr().out
    assert "Under the protocol in force at each moment: ccsvi-restenosis 1.0.0." in out
    assert "voided or corrected since" in out
    assert "Maria" not in out
    assert run("replay", str(p.pk), "--json") == 0
    (diff,) = json.loads(capsys.readouterr().out)["comparison"]["differences"]
    assert diff["why"] == "correction"
    assert diff["stored"] == {"pathway": "possible_thrombosis", "urgency": "emergency"}
    assert run("replay", "999999") == 2
    assert "no patient with id 999999" in capsys.readouterr().err
