"""The sweep re-assesses exactly the expired assessments, turns an overdue check-in into a
staff task, costs what the due work costs whatever the registry's size, and runs as
`venowatch sweep`."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.alert_fixtures import NOW, Staffed
from tests.smtp import Inbox
from tests.web_fixtures import D
from venowatch.clinic.models import Assessment, Patient, Task, TaskKind
from venowatch.notify.models import Reminder
from venowatch.protocol import Pgic
from venowatch.services.care.assessing import assessment_json
from venowatch.services.care.records import record_checkin
from venowatch.services.care.standing import assess_patient
from venowatch.services.sweep import sweep


def _expire(patients: list[Patient]) -> None:
    Assessment.objects.filter(patient__in=patients).update(valid_until=NOW - timedelta(hours=1))


@pytest.mark.django_db
def test_only_expired_assessments_are_reassessed() -> None:
    s = Staffed()
    due, fresh = s.operated("Ann Lee", ago=72), s.operated("Bo Chan", ago=72)
    _expire([due])
    Assessment.objects.filter(patient=fresh).update(valid_until=NOW + D)
    before = dict(Assessment.objects.values_list("patient_id", "revision"))
    assert sweep(NOW).reassessed == 1
    after = dict(Assessment.objects.values_list("patient_id", "revision"))
    assert after == {due.pk: before[due.pk] + 1, fresh.pk: before[fresh.pk]}
    stored = Assessment.objects.get(patient=due)
    now_says = assess_patient(due, NOW)
    assert stored.valid_until == now_says.valid_until
    assert stored.valid_until > NOW  # type: ignore[operator]
    assert stored.rationale == assessment_json(now_says, messages=True)["rationale"]
    assert stored.as_of == now_says.as_of


@pytest.mark.django_db
def test_an_overdue_checkin_becomes_a_staff_task_when_its_time_comes() -> None:
    s = Staffed()
    p = s.operated(ago=40 * 24)
    then = NOW - 20 * D
    record_checkin(p, at=then, pgic=Pgic.NO_CHANGE, now=then)
    assert not Task.objects.filter(patient=p, kind=TaskKind.OVERDUE_CHECKIN).exists()
    assert Assessment.objects.get(patient=p).valid_until <= NOW  # type: ignore[operator]
    sweep(NOW)
    assert "checkin_overdue" in Assessment.objects.get(patient=p).flags
    assert Task.objects.filter(patient=p, kind=TaskKind.OVERDUE_CHECKIN).exists()


@pytest.mark.django_db
def test_a_sweep_costs_the_due_work_not_the_registry() -> None:
    s = Staffed()
    patients = [s.operated(f"P {i:03d}", ago=72) for i in range(10)]

    def queries_to_sweep_five() -> int:
        Assessment.objects.update(valid_until=NOW + D)
        Reminder.objects.update(due_at=NOW + D)
        _expire(patients[-5:])
        with CaptureQueriesContext(connection) as queries:
            assert sweep(NOW).reassessed == 5
        return len(queries)

    sweep(NOW)  # today's digest goes out once, in this first sweep
    small = queries_to_sweep_five()
    patients += [s.operated(f"Q {i:03d}", ago=72) for i in range(110)]
    assert queries_to_sweep_five() == small


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "venowatch", *args],
        capture_output=True, text=True, check=False, env={**os.environ, **env},
    )  # fmt: skip


DATABASE_FILE = "clinic.sqlite3"


def _database_url(directory: Path) -> str:
    return f"sqlite:///{directory / DATABASE_FILE}"


def _env(tmp_path: Path, smtp: Inbox) -> dict[str, str]:
    return {
        "VENOWATCH_DATA_DIR": str(tmp_path),
        "DATABASE_URL": _database_url(tmp_path),
        "VENOWATCH_EMAIL_PORT": str(smtp.port),
        "VENOWATCH_EMAIL_HOST": "127.0.0.1",
    }


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo clinic's database file, made once for the tests of the command and the worker
    (migrating a new database and making the demo is most of their time); each copies it."""
    made = tmp_path_factory.mktemp("demo")
    _demo_clinic({"VENOWATCH_DATA_DIR": str(made), "DATABASE_URL": _database_url(made)})
    return made / DATABASE_FILE


def _copy_of(database: Path, tmp_path: Path) -> None:
    # WAL mode: the writes may still be in the -wal file beside it.
    for suffix in ("", "-wal", "-shm"):
        made = database.with_name(database.name + suffix)
        if made.exists():
            shutil.copyfile(made, tmp_path / made.name)


def _demo_clinic(env: dict[str, str]) -> None:
    """A demo clinic made three days ago in its own database: some answers have expired, and
    its emergency has alerts waiting in the outbox."""
    setup = (
        "import django, datetime; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "from django.utils import timezone; from venowatch.services.demo import create_demo;"
        "create_demo(timezone.now() - datetime.timedelta(days=3))"
    )
    made = subprocess.run(
        [sys.executable, "-c", setup], env={**os.environ, **env, "VENOWATCH_SECRET_KEY": "t",
        "DJANGO_SETTINGS_MODULE": "venowatch.settings"}, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr


# The command and the worker run on a database of their own (_env: an SQLite file), never the
# test database: not marked django_db, they run once, in the SQLite pass (scripts/test).
def test_the_sweep_command(tmp_path: Path, smtp: Inbox, demo_database: Path) -> None:
    env = _env(tmp_path, smtp)
    unset = _cli("sweep", env=env)
    assert unset.returncode == 2
    assert "not set up" in unset.stderr
    assert "Traceback" not in unset.stderr
    (tmp_path / DATABASE_FILE).unlink(missing_ok=True)  # what the refused sweep opened
    _copy_of(demo_database, tmp_path)
    first = _cli("sweep", "--verbose", env=env)
    assert first.returncode == 0, first.stderr
    swept = re.search(r"re-assessed (\d+) patients?\b.*messages: (\d+) sent", first.stdout)
    assert swept is not None, first.stdout
    assert int(swept[1]) > 0
    assert int(swept[2]) == len(smtp.messages) > 0
    again = _cli("sweep", "--verbose", env=env)
    # Counts in words (issue 15): "0 patients", never "0patient" (tqdm's bar for nothing).
    assert "re-assessed 0 patients whose" in again.stdout
    assert "messages: 0 sent," in again.stdout
    assert "0patient" not in again.stdout + again.stderr


def test_the_worker_delivers_within_seconds_and_stops_when_told(
    tmp_path: Path, smtp: Inbox, demo_database: Path
) -> None:
    env = _env(tmp_path, smtp)
    _copy_of(demo_database, tmp_path)
    worker = subprocess.Popen(
        [sys.executable, "-m", "venowatch", "worker", "--deliver-every", "0.2"],
        env={**os.environ, **env}, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while not smtp.messages and time.monotonic() < deadline:
            time.sleep(0.1)
        assert smtp.messages, "the worker sent nothing within 20 s"
    finally:
        worker.send_signal(signal.SIGTERM)
        _, errors = worker.communicate(timeout=20)
    assert worker.returncode == 0, errors
    assert "delivered" in errors or "swept" in errors  # its log says what it did
