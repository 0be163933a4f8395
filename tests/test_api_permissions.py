"""The API's authorization as the web's: every role x every endpoint x whose record.

Tokens act as their user, so the matrix is the web's (tests/test_permissions.py says what
own, other, emergency and foreign are). Whatever is not allowed is a 404 (signed out: a 401)
and changes nothing. A user with no role cannot hold a token; they are signed in by session
instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.permission_world import ROLES, WHOSE, Caller, World, footprint
from tests.web_fixtures import H
from venowatch.clinic.models import Patient, Task
from venowatch.security.models import Scope

pytestmark = pytest.mark.django_db

VIEW = {"patient", "assessment", "changes", "procedures", "checkins", "labs", "takeovers"}
STAFF_RECORDS = {"as_of", "add_procedure", "add_lab", "contacts"}
STAFF = {*VIEW, *STAFF_RECORDS, "move_task", "call"}
# Contact details are edited by advocates and administrators, as on the staff page.
EDITORS = {*STAFF, "edit_contact"}
# The outcome figures of a clinic: "own", "other" and "emergency" patients are of the caller's
# clinic, "foreign" of another (GET /outcomes?clinic=<the target's clinic>).
FIGURES = {"own": {"outcomes"}, "other": {"outcomes"}, "emergency": {"outcomes"}}
ALLOWED: dict[str, dict[str, set[str]]] = {
    "patient": {"own": {"list", *VIEW, "add_checkin"}},
    "advocate": {
        "own": {"list", "tasks", *EDITORS},
        "other": {"take_over"},
        "emergency": {*EDITORS, "take_over"},
    },
    # A clinician moves a task or records a call on it only when it is an open emergency (the
    # own patient's is).
    "clinician": {"own": {"list", *STAFF}, "emergency": STAFF},
    "admin": {
        "own": {"list", "tasks", *EDITORS, "outcomes"},
        "other": {*EDITORS, "outcomes"},
        "emergency": {*EDITORS, "outcomes"},
    },
    # An analyst's token reaches no patient, only their clinic's figures.
    "analyst": FIGURES,
    "no_role": {},
    "signed_out": {},
}
WRITES = {"add_procedure", "add_lab", "add_checkin", "move_task", "take_over", "call",
          "edit_contact"}  # fmt: skip
CREATES = {"add_procedure", "add_lab", "add_checkin", "take_over"}
TARGETLESS = {"list", "tasks"}
ACTIONS = sorted({a for allowed in ALLOWED.values() for some in allowed.values() for a in some})
CASES = [
    (role, action, whose)
    for role in ROLES
    for action in ACTIONS
    for whose in WHOSE
    if not (whose != "own" and action in TARGETLESS)
]


def _calls(caller: Caller, target: Patient) -> dict[str, Callable[[], Any]]:
    pk = target.pk
    past = (timezone.now() - 2 * H).isoformat()
    task = Task.objects.filter(patient=target).order_by("pk").first()
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
        "take_over": lambda: caller.post(f"/patients/{pk}/takeover", {"reason": "Jordan is ill."}),
        "takeovers": lambda: caller.get(f"/patients/{pk}/takeovers"),
        "call": lambda: caller.post(
            f"/tasks/{task.pk}", {"action": "call", "call_outcome": "no_answer", "note": "Rang."}
        ),
        "contacts": lambda: caller.get(f"/patients/{pk}/contacts"),
        "outcomes": lambda: caller.get("/outcomes", clinic=target.clinic_id),
        "edit_contact": lambda: caller.put(
            f"/patients/{pk}/contacts", {"phones": {"mobile": "+1 617 555 0123"}}
        ),
    }


@pytest.mark.parametrize(("role", "action", "whose"), CASES, ids=["-".join(c) for c in CASES])
def test_api_permission_matrix(world: World, role: str, action: str, whose: str) -> None:
    target = world.target(role, whose)
    before = footprint()
    response = _calls(Caller(world, role), target)[action]()
    if action in ALLOWED[role].get(whose, set()):
        assert response.status_code == (201 if action in CREATES else 200), response.content
        assert (footprint() != before) == (action in WRITES)
    else:
        assert response.status_code == (401 if role == "signed_out" else 404), response.content
        assert response.json()["detail"], "every refusal says why"
        assert footprint() == before, "a refused request changes nothing"


@pytest.mark.parametrize("role", [r for r in ROLES if "list" in ALLOWED[r].get("own", ())])
def test_lists_hold_only_what_is_in_reach(world: World, role: str) -> None:
    """The list holds the patients in one's care; the emergencies list adds a colleague's
    emergency for staff; neither ever holds another clinic's patient."""
    caller = Caller(world, role)
    listed = {p["id"] for p in caller.get("/patients").json()["items"]}
    assert world.own[role].pk in listed
    assert world.foreign.pk not in listed
    assert (world.other[role].pk in listed) == (role == "admin")
    emergencies = {p["id"] for p in caller.get("/patients", emergencies=True).json()["items"]}
    assert world.foreign.pk not in emergencies
    assert world.other[role].pk not in emergencies  # not an emergency
    if role == "patient":
        assert emergencies == {world.own[role].pk}  # one's own record, whatever the filter
    else:
        assert emergencies == {world.own[role].pk, world.emergency.pk}
    if "tasks" in ALLOWED[role]["own"]:
        tasks = caller.get("/tasks").json()["items"]
        assert tasks
        assert {t["patient_id"] for t in tasks} <= listed | emergencies


@pytest.mark.parametrize("action", sorted(WRITES))
def test_a_read_token_is_refused_every_write(world: World, action: str) -> None:
    role, whose = next(
        (r, w) for r in ("advocate", "patient") for w in WHOSE if action in ALLOWED[r].get(w, ())
    )
    before = footprint()
    response = _calls(Caller(world, role, Scope.READ), world.target(role, whose))[action]()
    assert response.status_code == 403
    assert footprint() == before
