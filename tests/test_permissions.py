"""Authorization as a matrix: every role x every page and action x own and other record.

"Own" is the record a role legitimately reaches: a patient's own, an advocate's assigned
patient, a clinician's treated patient, an administrator's clinic. "Other" is one just outside
it. Whatever is not allowed is a 404 (signed out: the sign-in page), and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from tests.permission_world import ROLES, World, footprint
from tests.web_fixtures import H
from venowatch.clinic.models import Patient, Task
from venowatch.protocol import ProcedureKind
from venowatch.services.care.records import record_procedure

pytestmark = pytest.mark.django_db

ALLOWED = {
    "patient": {"me.status", "me.checkin", "me.history"},
    "advocate": {"worklist", "patient", "as_of", "procedure", "lab", "note", "task"},
    "clinician": {"worklist", "patient", "as_of", "procedure", "lab", "note"},
    "admin": {"worklist", "patient", "as_of", "procedure", "lab", "note", "task"},
    "no_role": set(),
    "signed_out": set(),
}
ACTIONS = ["me.status", "me.checkin", "me.history", "worklist", "patient", "as_of", "procedure",
           "lab", "note", "task"]  # fmt: skip
TARGETLESS = {"me.status", "me.checkin", "me.history", "worklist"}
# Pages that name no patient have no "other" record to reach.
CASES = [
    (role, action, whose)
    for role in ROLES
    for action in ACTIONS
    for whose in ("own", "other")
    if not (whose == "other" and action in TARGETLESS)
]


def _request(client: Client, action: str, target: Patient) -> int:
    pk = target.pk
    # Staff forms read date-times on the patient's clock.
    past = (
        (timezone.now() - 2 * H).astimezone(ZoneInfo(target.time_zone)).strftime("%Y-%m-%dT%H:%M")
    )
    task = Task.objects.filter(patient=target).first()
    assert task is not None
    calls = {
        "me.status": lambda: client.get("/me/"),
        "me.checkin": lambda: client.post("/me/check-in/", {"pgic": "no_change"}),
        "me.history": lambda: client.get("/me/history/"),
        "worklist": lambda: client.get("/staff/"),
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
    }
    return calls[action]().status_code


@pytest.mark.parametrize(("role", "action", "whose"), CASES, ids=["-".join(c) for c in CASES])
def test_permission_matrix(world: World, role: str, action: str, whose: str) -> None:
    client = Client()
    person = world.people[role]
    if person is not None:
        client.force_login(person)
    target = world.own[role] if whose == "own" else world.other[role]
    before = footprint()
    status = _request(client, action, target)
    allowed = action in ALLOWED[role] and whose == "own"
    if allowed:
        writes = action in {"me.checkin", "procedure", "lab", "note", "task"}
        assert status == (302 if writes else 200), f"{role} {action} {whose}"
        assert (footprint() != before) == writes
    else:
        assert status == (302 if person is None else 404), f"{role} {action} {whose}"
        assert footprint() == before, "a refused request changes nothing"


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
