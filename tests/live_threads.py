"""Waiting for pytest-django's live server to finish the connections a client has closed.

The live server answers each connection in a thread of its own, and with in-memory SQLite that
thread shares the tests' database connection; it ends by closing it (Django's
ThreadedWSGIServer.close_request). One still running when the next test flushes the database,
or when the live server has stopped sharing the connection at the end of the run, fails
("DatabaseWrapper objects created in a thread can only be used in that same thread",
printed as a PytestUnhandledThreadExceptionWarning). Measured: as Chromium's contexts close,
one such thread is usually still running, for 5 to 75 ms."""

from __future__ import annotations

import threading
import time

REQUEST_THREAD = "(process_request_thread)"
"""The end of the name of the live server's connection threads (threading names a thread
after its target)."""


def requests_finished(timeout: float = 5.0) -> None:
    """Wait for the live server's connection threads, for `timeout` seconds at most."""
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread.name.endswith(REQUEST_THREAD):
            thread.join(max(0.0, deadline - time.monotonic()))
