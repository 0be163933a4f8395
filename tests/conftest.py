"""Shared test helpers: where the project's shared material lives, and the scenarios."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = [
    "tests.smtp",
    "tests.sms_server",
    "tests.permission_world",
    "tests.fhir_checks",
    "tests.fhir_client",
    "tests.signin_fixtures",
    "tests.redis_server",
]

ROOT = Path(__file__).resolve().parents[1]


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
    ).stdout.strip()


def _shared() -> Path:
    """The project's shared folder: VENOWATCH_SHARED, else beside this checkout, else beside the
    repository this one was cloned from (a clone in /tmp still finds it), else beside the
    checkout this one is a `git worktree` of."""
    if "VENOWATCH_SHARED" in os.environ:
        return Path(os.environ["VENOWATCH_SHARED"])
    candidates = [ROOT.parent / "shared"]
    origin = _git("remote", "get-url", "origin")
    if origin and Path(origin).is_dir():
        candidates.append(Path(origin).resolve().parent / "shared")
    common = _git("rev-parse", "--path-format=absolute", "--git-common-dir")
    if common:
        candidates.append(Path(common).parent.parent / "shared")
    return next((c for c in candidates if (c / "spec").is_dir()), candidates[0])


SHARED = _shared()
SCENARIOS = sorted((SHARED / "spec" / "scenarios").glob("*.json"))

if not SCENARIOS:
    # Fail loudly rather than let every shared-material test pass vacuously.
    raise RuntimeError(f"no scenarios under {SHARED}; set VENOWATCH_SHARED to the shared folder")


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Real hashers are slow on purpose; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the test database (scripts/test's PostgreSQL pass: "
        "the others give the same result on any database and ran in the SQLite pass)",
    )


DATABASE_FIXTURES = {"_django_db_helper", "live_server"}
"""What a test that uses the test database has in its fixture closure (db, transactional_db
and the other database fixtures all go through pytest-django's _django_db_helper)."""


def uses_database(item: pytest.Item) -> bool:
    """Whether a test reaches the test database. pytest-django refuses database access to any
    other test, so a test that is not marked, and has none of these fixtures, cannot use it;
    one that unblocks the database itself (django_db_blocker) asks for it by name."""
    if item.get_closest_marker("django_db") or item.get_closest_marker("postgresql"):
        return True
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return True  # not a plain test function: keep it
    return bool(DATABASE_FIXTURES & set(info.names_closure)) or (
        "django_db_blocker" in info.argnames
    )


def _deselect(config: pytest.Config, items: list[pytest.Item], out: list[pytest.Item]) -> None:
    if out:
        config.hook.pytest_deselected(items=out)
        gone = {id(item) for item in out}
        items[:] = [item for item in items if id(item) not in gone]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgresql` need several writers at once, which SQLite does not have:
    they are left out (not skipped) on SQLite and run in the PostgreSQL pass. With
    --database-tests-only, the tests that never reach the database are left out."""
    from django.conf import settings

    if config.getoption("database_tests_only"):
        _deselect(config, items, [item for item in items if not uses_database(item)])
    if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
        _deselect(config, items, [item for item in items if item.get_closest_marker("postgresql")])
