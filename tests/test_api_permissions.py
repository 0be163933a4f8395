"""The API's authorization as the web's: every role x every endpoint x own and other record.

Tokens act as their user, so the matrix is the web's. Whatever is not allowed is a 404 (signed
out: a 401) and changes nothing. A user with no role cannot hold a token; they are signed in by
session instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.api_fixtures import Api
from tests.permission_world import ROLES, World, footprint
from tests.web_fixtures import H
from venowatch.clinic.models import Patient, Task
from venowatch.security.models import Scope

pytestmark = pytest.mark.django_db

VIEW = {"patient", "assessment", "changes", "procedures", "checkins", "labs"}
STAFF_RECORDS = {"as_of", "add_procedure", "add_lab"}
ALLOWED = {
    "patient": {"list", *VIEW, "add_checkin"},
    "advocate": {"list", *VIEW, *STAFF_RECORDS, "tasks", "move_task"},
    "clinician": {"list", *VIEW, *STAFF_RECORDS},
    "admin": {"list", *VIEW, *STAFF_RECORDS, "tasks", "move_task"},
    "no_role": set(),
    "signed_out": set(),
}
WRITES = {"add_procedure", "add_lab", "add_checkin", "move_task"}
TARGETLESS = {"list", "tasks"}
ACTIONS = sorted({a for allowed in ALLOWED.values() for a in allowed})
CASES = [
    (role, action, whose)
    for role in ROLES
    for action in ACTIONS
    for whose in ("own", "other")
    if not (whose == "other" and action in TARGETLESS)
]


class _Caller:
    """GET and POST to /api/v1 as one role: a token, a session, or nobody."""

    def __init__(self, world: World, role: str, scope: Scope = Scope.WRITE) -> None:
        person = world.people[role]
        self.api = Api(person, scope) if person is not None and role != "no_role" else None
        self.client = Client()
        if role == "no_role" and person is not None:
            self.client.force_login(person)

    def get(self, path: str, **params: Any) -> Any:
        if self.api:
            return self.api.get(path, **params)
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path: str, body: Any) -> Any:
        if self.api:
            return self.api.post(path, body)
        return self.client.post(f"/api/v1{path}", body, content_type="application/json")


def _calls(caller: _Caller, target: Patient) -> dict[str, Callable[[], Any]]:
    pk = target.pk
    past = (timezone.now() - 2 * H).isoformat()
    task = Task.objects.filter(patient=target).first()
    assert task is not None
    return {
        "list": lambda: caller.get("/patients"),
        "patient": lambda: caller.get(f"/patients/{pk}"),
        "assessment": lambda: caller.get(f"/patients/{pk}/assessment"),
        "as_of": lambda: caller.get(f"/patients/{pk}/assessment", as_of=past),
        "changes": lambda: caller.get(f"/patients/{pk}/assessments"),
        "procedures": lambda: caller.get(f"/patients/{pk}/procedures"),
        "checkins": lambda: caller.get(f"/patients/{pk}/checkins"),
        "labs": lambda: caller.get(f"/patients/{pk}/labs"),
        "add_procedure": lambda: caller.post(
            f"/patients/{pk}/procedures", {"kind": "venoplasty", "performed_at": past}
        ),
        "add_lab": lambda: caller.post(
            f"/patients/{pk}/labs", {"at": past, "kind": "urine", "result": "normal"}
        ),
        "add_checkin": lambda: caller.post(f"/patients/{pk}/checkins", {"pgic": "no_change"}),
        "tasks": lambda: caller.get("/tasks"),
        "move_task": lambda: caller.post(f"/tasks/{task.pk}", {"action": "acknowledge"}),
    }


@pytest.mark.parametrize(("role", "action", "whose"), CASES, ids=["-".join(c) for c in CASES])
def test_api_permission_matrix(world: World, role: str, action: str, whose: str) -> None:
    target = world.own[role] if whose == "own" else world.other[role]
    before = footprint()
    response = _calls(_Caller(world, role), target)[action]()
    if action in ALLOWED[role] and whose == "own":
        assert response.status_code == (201 if action.startswith("add_") else 200), response.content
        assert (footprint() != before) == (action in WRITES)
    else:
        assert response.status_code == (401 if role == "signed_out" else 404), response.content
        assert response.json()["detail"], "every refusal says why"
        assert footprint() == before, "a refused request changes nothing"


@pytest.mark.parametrize("role", [r for r in ROLES if ALLOWED[r]])
def test_lists_hold_only_what_is_in_reach(world: World, role: str) -> None:
    caller = _Caller(world, role)
    listed = {p["id"] for p in caller.get("/patients").json()["items"]}
    assert world.own[role].pk in listed
    assert world.other[role].pk not in listed
    if "tasks" in ALLOWED[role]:
        tasks = caller.get("/tasks").json()["items"]
        assert tasks
        assert {t["patient_id"] for t in tasks} <= listed


@pytest.mark.parametrize("action", sorted(WRITES))
def test_a_read_token_is_refused_every_write(world: World, action: str) -> None:
    role = next(r for r in ("advocate", "patient") if action in ALLOWED[r])
    before = footprint()
    response = _calls(_Caller(world, role, Scope.READ), world.own[role])[action]()
    assert response.status_code == 403
    assert footprint() == before
