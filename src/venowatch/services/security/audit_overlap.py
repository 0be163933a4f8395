"""Committing a read's audit rows while its answer is being built (issue 13's FHIR search).

A read's rows must be durably committed before its answer leaves, and that commit (an fsync of
SQLite's WAL, or PostgreSQL's WAL flush) is most of what the audit costs a read. The database
waits on the disk without Python's GIL, so one thread per process (`_Committer`, on its own
database connection) appends and commits the rows while the request's thread reads the
records and writes the answer; the request joins it (`settle`) before the answer is returned.
What the promise needs, and where it is kept:

- no answer before its row is committed: services.security.audit.flush settles every job at
  the end of the request's origin, before the response goes back through the middlewares, and
  raises the job's error if its append failed (the client gets a 500, never the records);
- the chain stays one chain: the committer appends through audit_chain.append, under the same
  head lock as every other append;
- no deadlock with a write of the same request: a write (or a refusal) settles the jobs first,
  and a job the committer has not yet locked the chain's head for is taken back (`claim`) and
  appended in the write's own transaction, as without overlap; the committer, once it has the
  lock, asks whether the job is still its own before it writes (audit_chain.append's
  `still_wanted`). While the committer holds the lock it needs nothing of the request's thread.

Used only where a commit of its own is possible: outside any transaction of the request's
connection (a test's, a write's) and not on an in-memory SQLite database (one connection per
thread would be a different database). Elsewhere `start` says no and the caller appends as
before."""

from __future__ import annotations

import enum
import os
import queue
import threading
from collections.abc import Sequence

from django.db import connection

from venowatch.services.security.audit_chain import Draft, WithdrawnError, append

IDLE_SECONDS = 5.0
"""The committer closes its connection after this long without work: a database that goes
away (a test database dropped, PostgreSQL restarted) is not held open."""


class _State(enum.Enum):
    QUEUED = "queued"
    COMMITTING = "committing"  # the committer holds the chain's head
    DONE = "done"
    CLAIMED = "claimed"  # taken back by the request's thread


class Job:
    """One read's rows on their way to the chain."""

    def __init__(self, drafts: Sequence[Draft]) -> None:
        self.drafts = list(drafts)
        self.state = _State.QUEUED
        self.error: BaseException | None = None
        self.mutex = threading.Lock()
        self.finished = threading.Event()

    def _take(self) -> bool:
        """The committer, head locked: whether the job is still its own to write."""
        with self.mutex:
            if self.state is _State.CLAIMED:
                return False
            self.state = _State.COMMITTING
            return True


class _Committer:
    """The process's committing thread and its queue; made again after a fork (gunicorn)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="audit-committer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                job = self.jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                connection.close()
                continue
            if job is None:  # `close`: let go of the connection now
                connection.close()
                continue
            self._commit(job)

    @staticmethod
    def _commit(job: Job) -> None:
        try:
            connection.close_if_unusable_or_obsolete()
            append(job.drafts, still_wanted=job._take)
        except WithdrawnError:
            pass
        except BaseException as exc:  # handed to the request's thread, which raises it
            job.error = exc
            connection.close()  # a connection that failed mid-append is not used again
        finally:
            with job.mutex:
                if job.state is not _State.CLAIMED:
                    job.state = _State.DONE
            job.finished.set()


_committer: _Committer | None = None
_making = threading.Lock()


def _the_committer() -> _Committer:
    global _committer
    with _making:
        if _committer is None or _committer.pid != os.getpid():
            _committer = _Committer()
        return _committer


def possible() -> bool:
    """Whether the rows can be committed on a connection of their own now."""
    if connection.in_atomic_block:
        return False
    in_memory: bool = connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
    return not in_memory


def start(drafts: Sequence[Draft]) -> Job | None:
    """Hand the rows to the committer; None where it cannot commit them (see `possible`): the
    caller appends them itself."""
    if not drafts or not possible():
        return None
    job = Job(drafts)
    _the_committer().jobs.put(job)
    return job


def settle(jobs: Sequence[Job]) -> list[Draft]:
    """Wait for these jobs; the rows of those the committer had not started, taken back for
    the caller to append in its own transaction. Raises the first job's error, if one failed:
    its read must not be answered."""
    taken: list[Draft] = []
    for job in jobs:
        with job.mutex:
            if job.state is _State.QUEUED:
                job.state = _State.CLAIMED
                taken += job.drafts
                continue
        job.finished.wait()
        if job.error is not None:
            raise job.error
    return taken


def close() -> None:
    """Have the committer close its connection (tests, before their database goes)."""
    if _committer is not None and _committer.pid == os.getpid():
        done = Job([])  # after the close: once it is finished, the close has happened
        _committer.jobs.put(None)
        _committer.jobs.put(done)
        done.finished.wait(timeout=30)
