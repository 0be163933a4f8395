"""`venowatch assess` and `venowatch protocol` as a person or a script uses them."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHARED, load_json

SCENARIOS = SHARED / "spec" / "scenarios"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "venowatch.cli.main", *args],
        input=stdin,
        capture_output=True,
        check=False,
    )


def timeline_file(tmp_path: Path, scenario: str, name: str | None = None) -> Path:
    path = tmp_path / (name or f"{scenario}.json")
    path.write_text(json.dumps(load_json(SCENARIOS / f"{scenario}.json")["timeline"]))
    return path


def test_readable_output_says_what_to_do_why_and_when(tmp_path: Path) -> None:
    done = run("assess", str(timeline_file(tmp_path, "16-labs-normal")))
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert "URGENT" in out
    assert "Suspected restenosis: retest and re-treat" in out
    assert "1. Schedule a retest and re-treatment." in out
    assert "[C5] Noticeable improvement 2026-01-14 10:00 -05:00" in out
    assert "[C3] Blood 2026-02-22 10:00 -05:00 and urine 2026-02-23 10:00 -05:00 normal" in out
    assert "Earliest next procedure   2026-02-09 10:00 -05:00" in out
    assert "Holds until               2026-03-21 10:00 -05:00" in out
    assert "Protocol ccsvi-restenosis 1.0.0" in out


def test_patient_wording_on_request(tmp_path: Path) -> None:
    done = run("assess", "--for", "patient", str(timeline_file(tmp_path, "04-thrombosis-flag")))
    out = done.stdout.decode()
    assert "Possible blood clot: act now" in out
    assert "Call your interventional radiologist now." in out
    assert "can be a sign of a blood clot" in out


def test_batch_puts_emergencies_first_and_keeps_input_order(tmp_path: Path) -> None:
    files = [
        timeline_file(tmp_path, "03-improved"),
        timeline_file(tmp_path, "05-thrombosis-return"),
        timeline_file(tmp_path, "08-restenosis"),
    ]
    out = run("assess", *map(str, files)).stdout.decode()
    head, _, body = out.partition("─")
    assert "3 patients: 1 emergency, 1 urgent, 1 with nothing to do" in head
    assert "EMERGENCY (possible blood clot) for 1: 05-thrombosis-return" in head
    order = [body.index(name) for name in ("03-improved", "05-thrombosis-return", "08-restenosis")]
    assert order == sorted(order)


def test_json_lines_in_input_order(tmp_path: Path) -> None:
    names = ["20-overdue", "01-no-procedure", "13-worsening-retest"]
    files = [str(timeline_file(tmp_path, n)) for n in names]
    done = run("assess", "--json", *files)
    results = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["patient_id"] for r in results] == names
    required = {"patient_id", "as_of", "pathway", "urgency", "actions", "flags", "repeats_done",
                "earliest_next_procedure_at", "valid_until", "rationale", "protocol"}  # fmt: skip
    assert all(required <= set(r) for r in results)
    assert results[2]["rationale"][1] == {
        "clause": "C7",
        "code": "worsening",
        "text": results[2]["rationale"][1]["text"],
        "staff": results[2]["rationale"][1]["staff"],
    }
    assert (
        "since Thursday 15 January 2026 at 10:00, for 28 days" in results[2]["rationale"][1]["text"]
    )


def test_standard_input_and_directories(tmp_path: Path) -> None:
    raw = json.dumps(load_json(SCENARIOS / "03-improved.json")["timeline"]).encode()
    folder = tmp_path / "registry"
    folder.mkdir()
    timeline_file(folder, "08-restenosis", "b.json")
    timeline_file(folder, "02-awaiting-first-checkin", "a.json")
    (folder / "notes.txt").write_text("not a timeline")
    done = run("assess", "--json", "-", str(folder), stdin=raw)
    assert done.returncode == 0, done.stderr
    ids = [json.loads(line)["patient_id"] for line in done.stdout.decode().splitlines()]
    assert ids == ["03-improved", "02-awaiting-first-checkin", "08-restenosis"]


def test_as_of_option_overrides_the_files(tmp_path: Path) -> None:
    path = str(timeline_file(tmp_path, "04-thrombosis-flag"))
    done = run("assess", "--json", "--as-of", "2026-01-20T11:24:00Z", path)
    result = json.loads(done.stdout)
    assert result["as_of"] == "2026-01-20T06:24:00-05:00"  # shown in the patient's offset
    assert result["pathway"] != "possible_thrombosis"  # the 7-day alert ended at that instant


BAD_INPUTS = [
    ("not-json", b"{not json", "not valid JSON"),
    ("empty", b"", "is empty"),
    ("unknown-field", b'{"patient_id": "x", "procedures": [], "checkins": [], "age": 40}',
     "$.age: unknown field"),
    ("unknown-pgic", b'{"patient_id": "x", "procedures": [], "checkins": '
     b'[{"at": "2026-01-12T10:00:00Z", "pgic": "meh"}]}',
     "$.checkins[0].pgic: 'meh' is not one of"),
    ("no-offset", b'{"patient_id": "x", "procedures": [{"kind": "venoplasty", '
     b'"performed_at": "2026-01-12T10:00:00"}], "checkins": []}',
     "$.procedures[0].performed_at: the instant has no UTC offset"),
    ("wrong-type", b'{"patient_id": 12, "procedures": [], "checkins": []}',
     "$.patient_id: expected `str`, got `int`"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "message"), [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_exits_2_naming_file_and_path_and_prints_no_result(
    tmp_path: Path, raw: bytes, message: str
) -> None:
    good = timeline_file(tmp_path, "03-improved")
    bad = tmp_path / "bad.json"
    bad.write_bytes(raw)
    for extra in ([], ["--json"]):
        done = run("assess", *extra, str(good), str(bad))
        err = done.stderr.decode()
        assert done.returncode == 2
        assert done.stdout == b"", "nothing is printed when any timeline is bad"
        assert f"{bad}: " in err
        assert message in err
        assert "Traceback" not in err
        assert "1 of 2 timelines are invalid; nothing assessed" in err


def test_huge_and_missing_files_and_every_error_reported(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * (8 * 1024 * 1024 + 1))
    done = run("assess", str(huge), str(tmp_path / "missing.json"))
    err = done.stderr.decode()
    assert done.returncode == 2
    assert f"{huge}: is larger than 8,388,608 bytes" in err
    assert "missing.json: cannot read: No such file or directory" in err
    assert "2 of 2 timelines are invalid" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-01-12"], "--as-of: '2026-01-12' has no UTC offset"),
        (["--as-of", "soon"], "--as-of: 'soon' is not a date-time"),
        (["-", "-"], "standard input can be named only once"),
    ],
    ids=["as-of-no-offset", "as-of-garbage", "stdin-twice"],
)
def test_bad_options_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    raw = json.dumps(load_json(SCENARIOS / "03-improved.json")["timeline"]).encode()
    paths = [] if "-" in args else [str(timeline_file(tmp_path, "03-improved"))]
    done = run("assess", *args, *paths, stdin=raw)
    assert done.returncode == 2
    assert message in done.stderr.decode()
    assert done.stdout == b""


def test_bad_protocol_file_exits_2_naming_the_key(tmp_path: Path) -> None:
    own = tmp_path / "clinic.toml"
    text = (Path(__file__).parents[1] / "src/venowatch/protocol/default.toml").read_text()
    own.write_text(text.replace('tune_up_min_wait = "90d"', 'tune_up_min_wait = "3 months"'))
    done = run("assess", "--protocol", str(own), str(timeline_file(tmp_path, "03-improved")))
    assert done.returncode == 2
    assert "parameters.tune_up_min_wait: '3 months' is not a duration" in done.stderr.decode()
    assert str(own) in done.stderr.decode()
    assert "venowatch: --protocol: " in done.stderr.decode(), "the option is named"
    shown = run("protocol", "--protocol", str(own))
    assert shown.returncode == 2
    assert "venowatch: --protocol: " in shown.stderr.decode()


def test_protocol_command_shows_what_is_in_force() -> None:
    done = run("protocol")
    out = done.stdout.decode()
    assert done.returncode == 0
    assert out.startswith("ccsvi-restenosis 1.0.0\nsha256 ")
    # In words (issue 15's CLI polish), not Python's "2 days, 0:00:00" or the code much_worse.
    assert "thrombosis_window       2 days\n" in out
    assert "thrombosis_worse_from   much worse (on the PGIC scale)" in out
    assert "0:00" not in out
    assert "repeats_before_stent    3" in out


def test_progress_bar_only_on_a_terminal_for_large_batches(tmp_path: Path) -> None:
    raw = json.dumps(load_json(SCENARIOS / "08-restenosis.json")["timeline"])
    for i in range(250):
        (tmp_path / f"{i:03d}.json").write_text(raw)
    quiet = run("assess", "--json", str(tmp_path))
    assert quiet.stderr == b""
    primary, secondary = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "venowatch.cli.main", "assess", "--json", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=secondary,
    ) as proc:
        os.close(secondary)
        seen = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        assert proc.wait() == 0
    os.close(primary)
    assert b"checking" in seen
    assert b"assessing" in seen
    assert b"/250" in seen
