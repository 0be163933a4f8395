"""`venowatch backup PATH` and `venowatch restore PATH`, for the embedded SQLite database.

The backup uses SQLite's online backup API: it copies a consistent snapshot page by page while
the site goes on writing (in WAL mode a reader does not block the writer). PostgreSQL has its
own tools, which do this better than we could: the refusal gives the recipe.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
from pathlib import Path

from venowatch.cli.errors import UsageError
from venowatch.cli.serve import prepare_environment

PG_RECIPE = (
    "the database is PostgreSQL: back it up with pg_dump, e.g. "
    '`pg_dump --format=custom --file=venowatch.dump "$DATABASE_URL"`, and restore with '
    '`pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" venowatch.dump` '
    "(docs/security.md)"
)
SCHEMA_TABLES = frozenset(
    {"django_migrations", "django_content_type", "auth_permission", "sqlite_sequence"}
)
"""Tables `migrate` fills by itself: rows there are not anybody's data."""


def _sqlite_path() -> Path:
    prepare_environment()
    import django

    django.setup()
    from django.conf import settings

    database = settings.DATABASES["default"]
    if "sqlite" not in database["ENGINE"]:
        raise UsageError(PG_RECIPE)
    return Path(database["NAME"])


def _check(connection: sqlite3.Connection, what: str) -> None:
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
        connection.execute("SELECT count(*) FROM django_migrations").fetchone()
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"{what} is not a venowatch database: {exc}") from None
    if result != "ok":
        raise UsageError(f"{what} is damaged (integrity check: {result})")


def backup(args: argparse.Namespace) -> int:
    source = _sqlite_path()
    target = Path(args.path)
    if not source.exists():
        raise UsageError(f"no database at {source}: nothing to back up")
    try:
        # Made 0600 before a byte is written: the copy holds the same health data.
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise UsageError(f"PATH: {target} exists; give a new file name") from None
    except OSError as exc:
        raise UsageError(f"PATH: cannot write {target}: {exc.strerror}") from None
    with sqlite3.connect(source, timeout=20) as live, sqlite3.connect(target) as copy:
        live.backup(copy)  # one step: a consistent snapshot, writers carry on meanwhile
        _check(copy, "the copy")
        pages = copy.execute("PRAGMA page_count").fetchone()[0]
    live.close()
    copy.close()
    print(f"backup of {source} written to {target} ({pages} pages, integrity ok)")
    return 0


def holds_data(connection: sqlite3.Connection) -> bool:
    """Whether any table but those `migrate` fills has a row."""
    tables = [
        row[0]
        for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if row[0] not in SCHEMA_TABLES
    ]
    for table in tables:
        # A name cannot be a query parameter; this one comes from sqlite_master, quoted.
        quoted = '"' + table.replace('"', '""') + '"'
        query = f"SELECT 1 FROM {quoted} LIMIT 1"  # nosec B608
        if connection.execute(query).fetchone():  # nosemgrep: sql-built-by-string-formatting
            return True
    return False


def restore(args: argparse.Namespace) -> int:
    target = _sqlite_path()
    source = Path(args.path)
    if not source.is_file():
        raise UsageError(f"PATH: no backup file at {source}")
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup_file:
        _check(backup_file, f"PATH: {source}")
        from venowatch.sqlite.base import private_file

        private_file(str(target))
        with sqlite3.connect(target, timeout=20) as live:
            if holds_data(live) and not args.force:
                raise UsageError(
                    f"the database at {target} holds data; stop the site and add --force to "
                    "replace it with the backup"
                )
            backup_file.backup(live)
            _check(live, "the restored database")
        live.close()
    backup_file.close()
    print(f"restored {target} from {source}; `venowatch serve` applies any newer migrations")
    return 0
