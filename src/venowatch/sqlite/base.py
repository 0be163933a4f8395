"""Django's SQLite backend, creating the database file 0600 in a 0700 directory.

SQLite creates a missing file with the process's umask (usually 0644: readable by every local
user) and gives its -wal and -shm files the main file's mode. Creating the file ourselves first,
on every new connection whatever started the process (serve, gunicorn, the CLI, a migration),
is the one place that covers them all.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.db.backends.sqlite3 import base

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_file(name: str) -> None:
    """Create the database file (and its directory) private, unless it is in memory."""
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return
    path = Path(name)
    # exist_ok: two processes (gunicorn workers, test workers) may connect first at once.
    path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
    os.close(fd)
    if path.stat().st_mode & 0o077:
        # An existing file made by an older version (0644): nobody else needs to read it.
        path.chmod(FILE_MODE)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        private_file(str(conn_params["database"]))
        return super().get_new_connection(conn_params)
