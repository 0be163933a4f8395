"""Schemathesis against the API's own OpenAPI document, in process: valid and invalid requests
generated from the document. No answer is a server error, every answer matches the document,
invalid data is refused, and one patient's token never reaches another patient's records."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from tests.api_fixtures import Api
from tests.web_fixtures import H, clinic, patient, user
from venowatch.clinic.models import MAX_ID, Patient, Role, Task
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care.records import record_checkin, record_procedure
from venowatch.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Unknown query parameters are ignored, as HTTP APIs commonly do (docs/decisions.md).
schema.config.generation.update(
    modes=list(GenerationMode), max_examples=30, allow_extra_parameters=False
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


# Fresh random cases on every local run find new faults; CI runs a fixed set, so that a fault
# found by chance fails the run that introduced it rather than a later, unrelated one.
FUZZ = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=os.environ.get("CI", "").lower() in ("1", "true", "yes"),
)


class Two:
    """Two patients of one advocate in one clinic, each with a procedure, a worrying check-in
    and so an open task; tokens for the advocate, each patient, and an advocate elsewhere."""

    def __init__(self) -> None:
        home = clinic("Clinic A")
        alex = user("alex", home, Role.ADVOCATE)
        self.mine, self.theirs = (patient(n, home, advocate=alex) for n in ("Ann Own", "Bo Other"))
        now = timezone.now()
        for p in (self.mine, self.theirs):
            record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now - 5 * H, now=now)
            record_checkin(p, at=now - H, pgic=Pgic.MUCH_WORSE, now=now)
        assert self.mine.user is not None
        self.advocate, self.patient = Api(alex), Api(self.mine.user)
        self.stranger = Api(user("casey", clinic("Clinic B"), Role.ADVOCATE))

    def aim(self, case: Any, at: Patient) -> None:
        """Point the generated path at a real record of `at` (half the time, so unknown ids
        are tried too)."""
        params = case.path_parameters or {}
        # A pk the generator made invalid on purpose stays invalid: aimed, the request would
        # become a valid one that negative_data_rejection expects refused.
        valid = isinstance(params.get("pk"), int) and 1 <= params["pk"] <= MAX_ID
        if valid and hash(repr(case.body)) % 2 == 0:
            task = Task.objects.filter(patient=at).first()
            params["pk"] = task.pk if case.path.startswith("/api/v1/tasks") and task else at.pk


@pytest.fixture
def two(db: None) -> Iterator[Two]:
    # Schemathesis calls the WSGI handler itself, which closes the database connection after
    # each request; on PostgreSQL that is the test's connection, holding its transaction.
    # Django's test client avoids it the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield Two()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _bearer(api: Api) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.secret}"}


@schema.parametrize()
@FUZZ
def test_every_operation_as_staff(case: Any, two: Two) -> None:
    two.aim(case, two.mine)
    case.call_and_validate(headers=_bearer(two.advocate), checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_every_operation_as_a_patient(case: Any, two: Two) -> None:
    two.aim(case, two.mine)
    case.call_and_validate(headers=_bearer(two.patient), checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_no_token_reaches_a_record_out_of_its_reach(case: Any, two: Two) -> None:
    """The patient's token on the other patient's records, and another clinic's advocate on
    both: never anything but a refusal, and never a record's data."""
    params = case.path_parameters or {}
    if "pk" not in params:
        return
    for api, target in ((two.patient, two.theirs), (two.stranger, two.mine)):
        task = Task.objects.filter(patient=target).first()
        assert task is not None
        params["pk"] = task.pk if case.path.startswith("/api/v1/tasks") else target.pk
        response = case.call(headers=_bearer(api))
        assert 400 <= response.status_code < 500, (case.path, response.text)
        assert target.name not in response.text
