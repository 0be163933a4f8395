"""A read's audit rows committed while its answer is built (services.security.audit_overlap):
the promise holds as without it. No answer leaves before its row is committed, an audit that
fails gives no answer, concurrent reads make one chain that verifies, and a write after an
overlapped read neither deadlocks nor loses the read.

The overlap needs a connection of its own per thread on one database, so the HTTP tests run in
the PostgreSQL pass (the SQLite test database is in memory, where the request appends its rows
itself: tested here too); bench/fhir_search.py verifies the chain after its overlapped searches
on an SQLite file."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError, connections
from django.test import Client

from tests import web_fixtures as web
from tests.audit_fixtures import rows
from tests.fhir_fixtures import treated_patient
from tests.fhir_rest_fixtures import NOW, bearer
from venowatch.audit.models import Action, ActorKind, Channel, Outcome
from venowatch.cli.main import main
from venowatch.clinic.models import Role
from venowatch.protocol import ProcedureKind
from venowatch.services.care import reads
from venowatch.services.care.records import record_procedure
from venowatch.services.clock import utc_now
from venowatch.services.security import audit, audit_overlap
from venowatch.services.security.audit_chain import Draft, verify


def _draft(patient_id: int = 1) -> Draft:
    return Draft(
        utc_now(), ActorKind.USER, 1, "", "admin", patient_id, 1, Action.FHIR, "", None,
        Channel.FHIR, None, Outcome.ALLOWED,
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _committer_lets_go() -> Any:
    """The committer's connection closed after each test, before its database goes."""
    yield
    audit_overlap.close()


def test_a_job_not_yet_started_is_taken_back_and_the_committer_then_leaves_it() -> None:
    job = audit_overlap.Job([_draft()])
    assert audit_overlap.settle([job]) == job.drafts  # the caller appends them itself
    assert job._take() is False  # the committer, head locked, writes nothing


def test_a_job_being_committed_is_waited_for_and_its_failure_raised() -> None:
    job = audit_overlap.Job([_draft()])
    assert job._take() is True  # the committer holds the head: the rows are its own

    def fail_later() -> None:
        job.error = DatabaseError("disk full")
        job.finished.set()

    timer = threading.Timer(0.05, fail_later)
    timer.start()
    with pytest.raises(DatabaseError, match="disk full"):
        audit_overlap.settle([job])
    timer.join()


@pytest.mark.django_db
def test_inside_a_transaction_the_request_appends_its_reads_itself() -> None:
    """A test's transaction (or a write's): no other connection could see its rows."""
    clinic = web.clinic()
    advocate = web.user("alex", clinic, Role.ADVOCATE)
    p = web.patient("Pat", clinic, advocate)
    assert audit_overlap.possible() is False
    with audit.origin(Channel.FHIR, "203.0.113.9", ActorKind.UNKNOWN, buffered=True, overlap=True):
        reads.standing_of(advocate, p, utc_now())
        assert audit.current().inflight == []
        assert rows() == []  # buffered, as any request's reads
    assert [(r.action, r.patient_id) for r in rows()] == [(Action.STANDING, p.pk)]


def _search(client: Client, auth: dict[str, str], pk: int) -> Any:
    return client.get(f"/fhir/r4/Observation?patient={pk}", headers=auth)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_searchs_row_is_committed_by_the_time_its_answer_is_returned() -> None:
    p, advocate = treated_patient(NOW)
    auth = bearer(advocate)
    before = len(rows())
    answer = _search(Client(), auth, p.pk)
    assert answer.status_code == 200
    assert answer.json()["total"] > 0
    fhir_reads = [r for r in rows()[before:] if r.action is Action.FHIR]
    assert [(r.patient_id, r.channel, r.actor_kind) for r in fhir_reads] == [
        (p.pk, Channel.FHIR, ActorKind.API_TOKEN)
    ]
    assert verify().broken is None


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_an_audit_that_fails_gives_no_answer(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    p, advocate = treated_patient(NOW)
    auth = bearer(advocate)

    def broken(drafts: Any, *args: Any, **kwargs: Any) -> None:
        if drafts:
            raise DatabaseError("the audit log's disk is full")

    # Both ways a read's rows reach the chain: the committer, or the request itself when it
    # takes back a job the committer had not started.
    monkeypatch.setattr(audit_overlap, "append", broken)
    monkeypatch.setattr(audit, "append", broken)
    with caplog.at_level(logging.ERROR, "venowatch.fhirserver.errors"):
        answer = _search(Client(), auth, p.pk)
    assert answer.status_code == 500
    assert answer.json()["resourceType"] == "OperationOutcome"
    assert b"Observation" not in answer.content
    assert [r for r in rows() if r.action is Action.FHIR] == []
    # It is the audit's failure that stopped the answer, logged for the operator.
    assert "disk is full" in caplog.text


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_searches_make_one_chain_that_verifies(
    capsys: pytest.CaptureFixture[str],
) -> None:
    p, advocate = treated_patient(NOW)
    auth = bearer(advocate)
    before = verify().rows
    threads_n, each = 6, 5
    start = threading.Barrier(threads_n)
    errors: list[BaseException] = []
    statuses: list[int] = []

    def searcher() -> None:
        try:
            client = Client()
            start.wait()
            statuses.extend(_search(client, auth, p.pk).status_code for _ in range(each))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=searcher) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert statuses == [200] * threads_n * each
    result = verify()
    assert result.broken is None
    # Each search logs its read (and its token's use, if any): at least one row each.
    assert result.rows - before >= threads_n * each
    assert len([r for r in rows() if r.action is Action.FHIR]) == threads_n * each
    assert main(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_write_after_an_overlapped_read_neither_waits_nor_loses_it() -> None:
    clinic = web.clinic()
    advocate = web.user("alex", clinic, Role.ADVOCATE)
    p = web.patient("Pat", clinic, advocate)
    now = utc_now()
    for k in range(5):
        with audit.origin(Channel.API, "203.0.113.9", ActorKind.UNKNOWN, buffered=True,
                          overlap=True):  # fmt: skip
            reads.standing_of(advocate, p, now)
            assert len(audit.current().inflight) == 1
            record_procedure(
                p, kind=ProcedureKind.VENOPLASTY, performed_at=now - timedelta(days=k + 1), now=now
            )
    actions = [r.action for r in rows()]
    assert actions == [Action.STANDING, Action.PROCEDURE] * 5
    assert verify().broken is None
