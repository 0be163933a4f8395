"""Bad input to any command: exit status 2, a message naming what to fix, and no traceback;
counts in words. (The sweep's summary is in test_sweep, import's words in test_fhir_cli.)"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.web_fixtures import clinic, user
from venowatch.cli.main import main
from venowatch.cli.words import counted, duration
from venowatch.clinic.models import Role
from venowatch.security.models import ApiToken


def run(*args: str) -> int:
    try:
        return main(list(args))
    except SystemExit as exit_:
        return int(exit_.code or 0)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["worker", "--deliver-every", "-1"], "--deliver-every: '-1': give seconds above 0"),
        (["worker", "--sweep-every", "0"], "--sweep-every: '0': give seconds above 0"),
        (["worker", "--sweep-every", "nan"], "give seconds above 0"),
        (["worker", "--deliver-every", "soon"], "'soon' is not a number of seconds"),
        (["serve", "--port", "99999"], "--port: '99999' is not a port: give a number from 1"),
        (["serve", "--port", "0"], "is not a port"),
    ],
)
def test_a_bad_option_value_exits_2_before_anything_starts(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(*args) == 2
    err = capsys.readouterr().err
    assert says in err
    assert "Traceback" not in err


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "says"),
    [("  ", "give the token a name"), ("x" * 101, "name: is 101 characters long; at most 100")],
)
def test_a_token_name_that_cannot_be_kept_exits_2(
    name: str, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("VENOWATCH_DATA_DIR", str(tmp_path))
    user("alex", clinic(), Role.ADVOCATE)
    assert run("token", "create", "alex", "--name", name) == 2
    assert says in capsys.readouterr().err
    assert not ApiToken.objects.exists()


def test_counts_in_words() -> None:
    assert counted(0, "patient") == "0 patients"
    assert counted(1, "patient") == "1 patient"
    assert counted(2, "reminder") == "2 reminders"
    assert counted(3, "query", "queries") == "3 queries"


def test_a_busy_port_exits_2_before_the_migrations(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert run("serve", "--port", str(port)) == 2
    err = capsys.readouterr().err
    assert f"--port: cannot listen on 127.0.0.1:{port}" in err
    assert "choose another --port" in err


def test_a_wrong_setting_exits_2_naming_it() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "venowatch", "token", "list"],
        env={**os.environ, "VENOWATCH_TOKEN_DAYS": "ninety"}, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "VENOWATCH_TOKEN_DAYS must be a whole number, not 'ninety'" in done.stderr
    assert "Traceback" not in done.stderr


def test_intervals_in_words() -> None:
    assert duration(timedelta(hours=48)) == "2 days"
    assert duration(timedelta(days=1)) == "1 day"
    assert duration(timedelta(hours=36)) == "36 hours"
    assert duration(timedelta(minutes=90)) == "90 minutes"
