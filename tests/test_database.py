"""Which database the tests ran on, and that SQLite is set up as settings.py promises.

scripts/test runs the whole suite twice, on SQLite and on PostgreSQL, and says which one it
expects in VENOWATCH_TEST_DATABASE; the first test makes each run prove it used that database.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.db.backends.utils import CursorWrapper
from django.db.utils import ConnectionHandler
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoDbBlocker

from venowatch import settings as project_settings


def _vendor_named_by_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres:", "postgresql:")) else "sqlite"


@pytest.mark.django_db
def test_the_tests_run_on_the_database_that_database_url_names() -> None:
    expected = _vendor_named_by_url()
    assert connection.vendor == expected
    promised = os.environ.get("VENOWATCH_TEST_DATABASE")
    if promised:
        assert connection.vendor == promised, "scripts/test expected another database"
    with connection.cursor() as cursor:
        if expected == "postgresql":
            url = urlsplit(os.environ["DATABASE_URL"])
            target = connection.settings_dict
            assert (target["HOST"], int(target["PORT"])) == (url.hostname, url.port)
            cursor.execute("SELECT current_database(), version()")
            database, version = cursor.fetchone()
            assert database.startswith(f"test_{url.path.lstrip('/')}")  # Django's test copy
            assert version.startswith("PostgreSQL ")
        else:
            cursor.execute("SELECT sqlite_version()")
            assert cursor.fetchone()[0]


def _pragmas(cursor: CursorWrapper) -> tuple[str, int, int]:
    values = []
    for pragma in ("journal_mode", "synchronous", "busy_timeout"):
        cursor.execute(f"PRAGMA {pragma}")
        values.append(cursor.fetchone()[0])
    journal, synchronous, busy = values
    return str(journal), int(synchronous), int(busy)


def test_a_sqlite_file_database_gets_wal_full_sync_and_immediate_transactions(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> None:
    """On a real file, through the very configuration settings.py makes from a sqlite URL (the
    test database itself is in memory, where WAL cannot exist). Runs on either test run."""
    path = tmp_path / "venowatch.sqlite3"
    config = project_settings._database(f"sqlite:///{path}")
    handler = ConnectionHandler({"default": config})
    wrapper = handler["default"]
    assert isinstance(wrapper, SQLiteWrapper)
    try:
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            # WAL; FULL is 2; the timeout option is seconds, SQLite's busy_timeout milliseconds.
            assert _pragmas(cursor) == ("wal", 2, 20_000)
            cursor.execute("CREATE TABLE t (x INTEGER)")
        # Read by Django's SQLite backend from OPTIONS; django-stubs does not declare it.
        assert getattr(wrapper, "transaction_mode", None) == "IMMEDIATE"
    finally:
        handler.close_all()
    # WAL is a property of the file: a connection without the init command still finds it.
    plain = sqlite3.connect(path)
    try:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        plain.close()


@pytest.mark.django_db(transaction=True)
def test_the_test_connection_commits_durably() -> None:
    """SQLite: IMMEDIATE transactions and synchronous=FULL. PostgreSQL: autocommit outside
    atomic blocks and READ COMMITTED, which re-assessment's row lock (SELECT ... FOR UPDATE on
    the stored assessment) is written for. (The throwaway test cluster itself runs with fsync
    off; that is the cluster's setting, not the application's.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW transaction_isolation")
            assert cursor.fetchone()[0] == "read committed"
        assert connection.get_autocommit()
        return
    wrapper = connections["default"]
    assert isinstance(wrapper, SQLiteWrapper)
    assert getattr(wrapper, "transaction_mode", None) == "IMMEDIATE"
    with connection.cursor() as cursor:
        journal, synchronous, _busy = _pragmas(cursor)
    assert synchronous == 2
    # pytest-django's SQLite test database lives in memory unless TEST NAME says otherwise;
    # there the journal can only be "memory", and the file test above checks WAL instead.
    assert journal == ("memory" if wrapper.is_in_memory_db() else "wal")
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        pass
    assert queries.captured_queries[0]["sql"] == "BEGIN IMMEDIATE"
