"""Authorization as a matrix: every role x every page and action x whose record.

"Own" is the record a role legitimately reaches: a patient's own, an advocate's assigned
patient, a clinician's treated patient, an administrator's clinic. "Other" is a colleague's
patient at the same clinic, "emergency" a colleague's patient with an open possible clot (the
cover rule: every staff member reaches them and acts on the emergency), "foreign" an emergency
at another clinic. Whatever is not allowed is a 404 (signed out: the sign-in page), and
changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from tests.permission_world import ROLES, WHOSE, World, footprint
from tests.web_fixtures import H
from venowatch.clinic.models import Patient, Task, TaskKind, TaskStatus
from venowatch.protocol import ProcedureKind
from venowatch.services.care.records import record_procedure

pytestmark = pytest.mark.django_db

STAFF = {"patient", "as_of", "procedure", "lab", "note", "task", "call"}
ALLOWED: dict[str, dict[str, set[str]]] = {
    "patient": {"own": {"me.status", "me.checkin", "me.history"}},
    "advocate": {
        "own": {"worklist", *STAFF},
        "other": {"take_over"},  # out of reach, but an advocate may take them over
        "emergency": {*STAFF, "take_over"},
    },
    # A clinician acts on tasks only when they are open emergencies (the own patient's is).
    "clinician": {"own": {"worklist", *STAFF}, "emergency": STAFF},
    "admin": {"own": {"worklist", "outcomes", *STAFF}, "other": STAFF, "emergency": STAFF},
    # An analyst sees the clinic's outcome figures and no patient's record, not even in an
    # emergency: they are nobody's carer.
    "analyst": {"own": {"outcomes"}},
    "no_role": {},
    "signed_out": {},
}
ACTIONS = ["me.status", "me.checkin", "me.history", "worklist", "patient", "as_of", "procedure",
           "lab", "note", "task", "call", "take_over", "outcomes"]  # fmt: skip
WRITES = {"me.checkin", "procedure", "lab", "note", "task", "call", "take_over"}
TARGETLESS = {"me.status", "me.checkin", "me.history", "worklist", "outcomes"}
# Pages that name no patient have no other record to reach.
CASES = [
    (role, action, whose)
    for role in ROLES
    for action in ACTIONS
    for whose in WHOSE
    if not (whose != "own" and action in TARGETLESS)
]


def _request(client: Client, action: str, target: Patient) -> int:
    pk = target.pk
    # Staff forms read date-times on the patient's clock.
    past = (
        (timezone.now() - 2 * H).astimezone(ZoneInfo(target.time_zone)).strftime("%Y-%m-%dT%H:%M")
    )
    task = Task.objects.filter(patient=target).order_by("pk").first()
    assert task is not None
    calls = {
        "me.status": lambda: client.get("/me/"),
        "me.checkin": lambda: client.post("/me/check-in/", {"pgic": "no_change"}),
        "me.history": lambda: client.get("/me/history/"),
        "worklist": lambda: client.get("/staff/"),
        "outcomes": lambda: client.get("/staff/outcomes/"),
        "patient": lambda: client.get(f"/staff/patients/{pk}/"),
        "as_of": lambda: client.get(f"/staff/patients/{pk}/", {"as_of": past}),
        "procedure": lambda: client.post(
            f"/staff/patients/{pk}/procedure/",
            {
                "procedure-kind": "venoplasty",
                "procedure-performed_at": past,
                "procedure-veins": "azygos",
            },
        ),
        "lab": lambda: client.post(
            f"/staff/patients/{pk}/lab/",
            {"lab-kind": "urine", "lab-result": "normal", "lab-at": past},
        ),
        "note": lambda: client.post(
            f"/staff/patients/{pk}/note/", {"note-text": "Called, no answer."}
        ),
        "task": lambda: client.post(
            f"/staff/tasks/{task.pk}/", {f"task-{task.pk}-action": "acknowledge"}
        ),
        "call": lambda: client.post(
            f"/staff/tasks/{task.pk}/",
            {
                f"task-{task.pk}-action": "call",
                f"task-{task.pk}-call_outcome": "no_answer",
                f"task-{task.pk}-call_note": "Rang twice.",
            },
        ),
        "take_over": lambda: client.post(
            f"/staff/patients/{pk}/take-over/", {"reason": "Jordan is off sick."}
        ),
    }
    return calls[action]().status_code


@pytest.mark.parametrize(("role", "action", "whose"), CASES, ids=["-".join(c) for c in CASES])
def test_permission_matrix(world: World, role: str, action: str, whose: str) -> None:
    client = Client()
    person = world.people[role]
    if person is not None:
        client.force_login(person)
    target = world.target(role, whose)
    before = footprint()
    status = _request(client, action, target)
    if action in ALLOWED[role].get(whose, set()):
        writes = action in WRITES
        assert status == (302 if writes else 200), f"{role} {action} {whose}"
        assert (footprint() != before) == writes
    else:
        assert status == (302 if person is None else 404), f"{role} {action} {whose}"
        assert footprint() == before, "a refused request changes nothing"


def test_the_worlds_tasks_are_what_the_matrix_says(world: World) -> None:
    """The task each action moves: a call task everywhere, so that recording a call is a matter
    of permission; an emergency for "own" and "emergency", not for "other"."""
    for target, emergency in [
        (world.own["advocate"], True),
        (world.emergency, True),
        (world.foreign, True),
        (world.other["advocate"], False),
    ]:
        task = Task.objects.filter(patient=target).order_by("pk").first()
        assert task is not None
        assert (task.kind, task.status) == (TaskKind.CALL_PATIENT, TaskStatus.OPEN)
        assert task.emergency is emergency


def test_a_clinician_may_not_move_a_task_that_is_not_an_emergency(world: World) -> None:
    ruiz = world.people["clinician"]
    assert ruiz is not None
    mine = world.own["clinician"]
    review = Task.objects.create(patient=mine, kind=TaskKind.REVIEW_PATIENT, reason="Review.",
                                 created_at=timezone.now())  # fmt: skip
    client = Client()
    client.force_login(ruiz)
    page = client.get(f"/staff/patients/{mine.pk}/").content.decode()
    assert f"/staff/tasks/{review.pk}/" not in page  # no form for it ...
    call = Task.objects.get(patient=mine, kind=TaskKind.CALL_PATIENT)
    assert f"/staff/tasks/{call.pk}/" in page  # ... but one for the emergency
    before = footprint()
    response = client.post(
        f"/staff/tasks/{review.pk}/", {f"task-{review.pk}-action": "acknowledge"}
    )
    assert response.status_code == 404
    assert footprint() == before


def test_a_resolved_emergency_puts_the_patient_out_of_reach_again(world: World) -> None:
    """Cover lasts as long as the emergency: once resolved, a colleague's patient is theirs."""
    alex = world.people["advocate"]
    assert alex is not None
    client = Client()
    client.force_login(alex)
    sick = world.emergency
    task = Task.objects.get(patient=sick, kind=TaskKind.CALL_PATIENT)
    assert client.get(f"/staff/patients/{sick.pk}/").status_code == 200
    resolved = {
        f"task-{task.pk}-action": "resolve",
        f"task-{task.pk}-note": "Reached.",
        f"task-{task.pk}-resolution": "not_a_clot",
    }
    done = client.post(f"/staff/tasks/{task.pk}/", resolved)
    assert done.status_code == 302
    assert client.get(f"/staff/patients/{sick.pk}/").status_code == 404
    assert client.get(f"/staff/patients/{sick.pk}/take-over/").status_code == 200


def test_a_clinician_reaches_a_patient_once_they_treat_them(world: World) -> None:
    """Reach follows the records: recording a procedure by the clinician brings the patient in."""
    ruiz = world.people["clinician"]
    client = Client()
    assert ruiz is not None
    client.force_login(ruiz)
    other = world.other["clinician"]
    assert client.get(f"/staff/patients/{other.pk}/").status_code == 404
    now = timezone.now()
    record_procedure(other, kind=ProcedureKind.VENOPLASTY, performed_at=now - timedelta(minutes=5),
                     performed_by=ruiz, now=now)  # fmt: skip
    assert client.get(f"/staff/patients/{other.pk}/").status_code == 200
