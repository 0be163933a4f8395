"""A FHIR read's audit row (issue 13's benchmark): committed before the answer is returned
(fhirserver.errors.guard flushes the request's reads), an audit that fails gives no answer but
a 500 OperationOutcome, and concurrent searches make one chain that `venowatch audit verify`
finds intact."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
from django.db import DatabaseError, connections
from django.test import Client

from tests.audit_fixtures import rows
from tests.fhir_fixtures import treated_patient
from tests.fhir_rest_fixtures import NOW, bearer
from venowatch.audit.models import Action, ActorKind, Channel
from venowatch.cli.main import main
from venowatch.services.security import audit
from venowatch.services.security.audit_chain import verify


def _search(client: Client, auth: dict[str, str], pk: int) -> Any:
    return client.get(f"/fhir/r4/Observation?patient={pk}", headers=auth)


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_an_audit_that_fails_gives_no_answer(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    p, advocate = treated_patient(NOW)
    auth = bearer(advocate)

    def broken(drafts: Any, *args: Any, **kwargs: Any) -> None:
        if drafts:
            raise DatabaseError("the audit log's disk is full")

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
