"""`venowatch backup` copies the SQLite database while writes go on, and `venowatch restore`
brings the copy back: the same rows, a sound file, and no database overwritten by accident."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT

sqlite_only = pytest.mark.skipif(
    os.environ.get("VENOWATCH_TEST_DATABASE") == "postgresql",
    reason="the commands copy SQLite files; run in the SQLite pass",
)


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VENOWATCH_", "DATABASE_"))}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        VENOWATCH_SECRET_KEY="backup-test-" + "k" * 50,
        VENOWATCH_DATA_DIR=str(data_dir),
    )
    env.update(extra)
    return env


def venowatch(data_dir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "venowatch", *args],
        env=_env(data_dir, **extra),
        capture_output=True,
        text=True,
        check=False,
    )


def _migrate(data_dir: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--settings", "venowatch.settings", "-v0"],
        env=_env(data_dir),
        check=True,
    )
    return data_dir / "venowatch.sqlite3"


# A patient with three procedures, recorded through the services: rows of the audit log.
RECORDED = """
import django; django.setup()
from datetime import timedelta
from django.utils import timezone
from venowatch.clinic.models import Clinic, Patient
from venowatch.protocol import ProcedureKind
from venowatch.services.care.records import record_procedure
now = timezone.now()
clinic = Clinic.objects.create(name="Backup Clinic", time_zone="UTC")
patient = Patient.objects.create(clinic=clinic, name="Bea Backup", time_zone="UTC")
for days in (30, 20, 10):
    at = now - timedelta(days=days)
    record_procedure(patient, kind=ProcedureKind.VENOPLASTY, performed_at=at, now=at)
"""


def _record_patient(data_dir: Path) -> None:
    env = _env(data_dir, DJANGO_SETTINGS_MODULE="venowatch.settings")
    subprocess.run([sys.executable, "-c", RECORDED], env=env, check=True)


def _audit_rows(path: Path) -> int:
    with sqlite3.connect(path) as db:
        count: int = db.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0]
    db.close()
    return count


def _groups(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        names = [row[0] for row in db.execute("SELECT name FROM auth_group ORDER BY id")]
    db.close()
    return names


class Writer(threading.Thread):
    """Commits one row after another into the live database until stopped."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.stop = threading.Event()
        self.written = 0

    def run(self) -> None:
        db = sqlite3.connect(self.path, timeout=20, isolation_level=None)
        try:
            while not self.stop.is_set():
                db.execute("INSERT INTO auth_group (name) VALUES (?)", (f"g{self.written:06d}",))
                self.written += 1
        finally:
            db.close()


@sqlite_only
def test_backup_during_writes_then_restore_gives_the_same_rows(tmp_path: Path) -> None:
    live = _migrate(tmp_path / "live")
    _record_patient(tmp_path / "live")
    logged = _audit_rows(live)
    assert logged >= 3, "each procedure is a row of the audit log"
    writer = Writer(live)
    writer.start()
    try:
        while writer.written < 2000:  # enough rows that the copy takes a while
            threading.Event().wait(0.01)
        before = writer.written
        copy = tmp_path / "copy.sqlite3"
        done = venowatch(tmp_path / "live", "backup", str(copy))
        during = writer.written
    finally:
        writer.stop.set()
        writer.join()
    assert done.returncode == 0, done.stderr
    assert "integrity ok" in done.stdout
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert during > before, "writes went on while the backup ran"
    saved = _groups(copy)
    # A consistent snapshot: every row committed before the backup began, in order, no gaps.
    assert len(saved) >= before
    assert saved == [f"g{i:06d}" for i in range(len(saved))]

    fresh = tmp_path / "fresh"
    restored = venowatch(fresh, "restore", str(copy))
    assert restored.returncode == 0, restored.stderr
    assert _groups(fresh / "venowatch.sqlite3") == saved
    assert _audit_rows(fresh / "venowatch.sqlite3") == logged
    verified = venowatch(fresh, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert stat.S_IMODE((fresh / "venowatch.sqlite3").stat().st_mode) == 0o600

    refused = venowatch(tmp_path / "live", "restore", str(copy))
    assert refused.returncode == 2
    assert "holds data" in refused.stderr
    assert "--force" in refused.stderr
    assert len(_groups(live)) == writer.written  # untouched
    forced = venowatch(tmp_path / "live", "restore", str(copy), "--force")
    assert forced.returncode == 0, forced.stderr
    assert _groups(live) == saved
    with sqlite3.connect(live) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


@sqlite_only
def test_backup_refuses_an_existing_file_and_restore_a_file_that_is_no_database(
    tmp_path: Path,
) -> None:
    (tmp_path / "live").mkdir()
    (tmp_path / "live" / "venowatch.sqlite3").touch()
    taken = tmp_path / "taken"
    taken.write_text("something else")
    done = venowatch(tmp_path / "live", "backup", str(taken))
    assert done.returncode == 2
    assert "exists" in done.stderr
    assert taken.read_text() == "something else"
    bad = venowatch(tmp_path / "live", "restore", str(taken))
    assert bad.returncode == 2
    assert "is not a venowatch database" in bad.stderr


def test_for_postgresql_the_refusal_gives_the_pg_dump_recipe(tmp_path: Path) -> None:
    done = venowatch(
        tmp_path, "backup", str(tmp_path / "x"), DATABASE_URL="postgresql://u@127.0.0.1:1/none"
    )
    assert done.returncode == 2
    assert "pg_dump --format=custom" in done.stderr
    assert "pg_restore" in done.stderr
    assert not (tmp_path / "x").exists()
