"""Cover (issue 11): every staff member sees the clinic's open emergencies on top of the
worklist and acts on them, whoever's patients they are; an advocate takes a patient over with
a reason, recorded and shown. Reach itself is walked by the permission matrices."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.api_fixtures import Api
from tests.staff_fixtures import Team, possible_clot, signed_in, text
from tests.web_fixtures import H, clinic, patient, user
from venowatch.clinic.models import Role, Takeover, Task, TaskEvent, TaskKind, TaskStatus
from venowatch.protocol import ProcedureKind
from venowatch.services.care.records import record_procedure
from venowatch.services.care.takeovers import take_over
from venowatch.services.errors import FieldError

pytestmark = pytest.mark.django_db


@pytest.fixture
def now() -> datetime:
    return timezone.now()


@pytest.fixture
def team() -> Team:
    c = clinic()
    return Team(
        clinic=c,
        alex=user("alex", c, Role.ADVOCATE),
        jordan=user("jordan", c, Role.ADVOCATE),
        ir=user("dr.ruiz", c, Role.CLINICIAN),
        admin=user("admin", c, Role.ADMIN),
    )


def emergencies(response: object) -> list[str]:
    rows = response.context["emergencies"]  # type: ignore[attr-defined]
    return [row["patient"].name for row in rows]


def test_every_staff_member_sees_the_clinics_open_emergencies(
    client: Client, team: Team, now: datetime
) -> None:
    maria = patient("Maria Keller", team.clinic, team.alex)
    possible_clot(maria, team.ir, now)
    quiet = patient("Quiet Patient", team.clinic, team.alex)
    record_procedure(quiet, kind=ProcedureKind.VENOPLASTY, performed_at=now - H, now=now)
    elsewhere = clinic("Elsewhere")
    stranger = user("sam", elsewhere, Role.ADVOCATE)
    for who in (team.alex, team.jordan, team.ir, team.admin):
        response = signed_in(client, who).get(reverse("worklist"))
        assert emergencies(response) == ["Maria Keller"], who.username
        page = text(response)
        assert "1 open emergency at the clinic" in page
        assert "Not acknowledged yet" in page
        assert reverse("staff-patient", args=[maria.pk]) in page
    jordans = text(signed_in(client, team.jordan).get(reverse("worklist")))
    assert "Quiet Patient" not in jordans  # a colleague's patient who is not an emergency
    assert emergencies(signed_in(client, stranger).get(reverse("worklist"))) == []


def test_the_list_says_who_acknowledged_and_a_resolved_emergency_leaves_it(
    client: Client, team: Team, now: datetime
) -> None:
    maria = patient("Maria Keller", team.clinic, team.alex)
    possible_clot(maria, team.ir, now)
    task = Task.objects.get(patient=maria, kind=TaskKind.CALL_PATIENT)
    team.jordan.first_name, team.jordan.last_name = "Jordan", "Lee"
    team.jordan.save()
    signed_in(client, team.jordan)
    acknowledged = client.post(
        reverse("staff-task", args=[task.pk]), {f"task-{task.pk}-action": "acknowledge"}
    )
    assert acknowledged.status_code == 302  # a colleague acts on alex's patient
    page = text(client.get(reverse("worklist")))
    assert "Acknowledged by Jordan Lee at" in page
    assert "Not acknowledged yet" not in page
    resolved = client.post(
        reverse("staff-task", args=[task.pk]),
        {
            f"task-{task.pk}-action": "resolve",
            f"task-{task.pk}-note": "Reached; at the ER.",
            f"task-{task.pk}-resolution": "emergency_room",
        },
    )
    assert resolved.status_code == 302
    assert emergencies(client.get(reverse("worklist"))) == []
    assert client.get(reverse("staff-patient", args=[maria.pk])).status_code == 404


def test_an_advocate_takes_a_colleagues_patient_over_with_a_reason(
    client: Client, team: Team, now: datetime
) -> None:
    maria = patient("Maria Keller", team.clinic, team.alex)
    possible_clot(maria, team.ir, now)
    task = Task.objects.get(patient=maria, kind=TaskKind.CALL_PATIENT)
    team.alex.first_name, team.alex.last_name = "Alex", "Morgan"
    team.alex.save()
    signed_in(client, team.jordan)
    page = text(client.get(reverse("staff-patient", args=[maria.pk])))
    url = reverse("staff-take-over", args=[maria.pk])
    assert url in page
    assert "Their advocate now is Alex Morgan." in text(client.get(url))

    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 400
    assert "Say why you are taking this patient over." in text(refused)
    assert not Takeover.objects.exists()

    done = client.post(url, {"reason": "Alex is off sick this week."})
    assert done.status_code == 302
    maria.refresh_from_db()
    assert maria.advocate == team.jordan
    (row,) = Takeover.objects.all()
    assert (row.by, row.previous, row.reason) == (
        team.jordan,
        team.alex,
        "Alex is off sick this week.",
    )
    task.refresh_from_db()
    assert task.assignee == team.jordan  # the emergency now reaches someone at work
    last = TaskEvent.objects.filter(task=task).latest("pk")
    assert (last.actor, last.note) == (team.jordan, "Taken over: Alex is off sick this week.")

    page = text(client.get(reverse("staff-patient", args=[maria.pk])))
    assert "took over from Alex Morgan. Reason: Alex is off sick this week." in page
    assert url not in page  # already hers
    assert client.get(url).status_code == 404
    assert "Maria Keller" in [
        r["patient"].name for r in client.get(reverse("worklist")).context["rows"]
    ]


def test_only_advocates_take_over_and_only_at_their_clinic(team: Team, now: datetime) -> None:
    theirs = patient("Other Patient", team.clinic, team.alex)
    with pytest.raises(FieldError) as refused:
        take_over(theirs, by=team.ir, reason="Covering.", now=now)
    assert refused.value.field == "by"
    stranger = user("sam", clinic("Elsewhere"), Role.ADVOCATE)
    with pytest.raises(FieldError) as foreign:
        take_over(theirs, by=stranger, reason="Covering.", now=now)
    assert foreign.value.field == "patient"
    with pytest.raises(FieldError) as mine:
        take_over(theirs, by=team.alex, reason="Covering.", now=now)
    assert mine.value.field == "patient"
    assert not Takeover.objects.exists()
    client = Client()
    for who in (team.ir, team.admin, stranger):
        client.force_login(who)
        url = reverse("staff-take-over", args=[theirs.pk])
        assert client.post(url, {"reason": "Covering."}).status_code == 404
    assert not Takeover.objects.exists()


def test_a_task_given_to_someone_on_purpose_stays_theirs(team: Team, now: datetime) -> None:
    p = patient("Maria Keller", team.clinic, team.alex)
    possible_clot(p, team.ir, now)
    task = Task.objects.get(patient=p, kind=TaskKind.CALL_PATIENT)
    task.assignee = team.ir
    task.save()
    take_over(p, by=team.jordan, reason="Covering.", now=now)
    task.refresh_from_db()
    assert task.assignee == team.ir


def test_the_api_takes_over_and_lists_takeovers(team: Team, now: datetime) -> None:
    p = patient("Other Patient", team.clinic, team.alex)
    api = Api(team.jordan)
    empty = api.post(f"/patients/{p.pk}/takeover", {"reason": " "})
    assert empty.status_code == 422
    assert empty.json()["detail"][0]["loc"] == ["body", "reason"]
    made = api.post(f"/patients/{p.pk}/takeover", {"reason": "Covering for Alex."})
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["by_id"], body["previous_id"], body["reason"]) == (
        team.jordan.pk, team.alex.pk, "Covering for Alex.",
    )  # fmt: skip
    listed = api.get(f"/patients/{p.pk}/takeovers").json()
    assert [t["id"] for t in listed] == [body["id"]]
    again = api.post(f"/patients/{p.pk}/takeover", {"reason": "Again."})
    assert again.status_code == 404  # already hers: nothing to take over


def test_the_api_lists_the_clinics_emergencies(team: Team, now: datetime) -> None:
    maria = patient("Maria Keller", team.clinic, team.alex)
    possible_clot(maria, team.ir, now)
    patient("Quiet Patient", team.clinic, team.alex)
    api = Api(team.jordan)
    assert api.get("/patients").json()["items"] == []  # nobody in jordan's care
    found = api.get("/patients", emergencies="true").json()["items"]
    assert [p["name"] for p in found] == ["Maria Keller"]
    task = Task.objects.get(patient=maria)
    moved = api.post(f"/tasks/{task.pk}", {"action": "acknowledge"})
    assert moved.status_code == 200
    assert Task.objects.get(pk=task.pk).status == TaskStatus.ACKNOWLEDGED


def test_the_emergencies_list_costs_the_same_queries_however_many(
    client: Client, team: Team, now: datetime
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            response = client.get(reverse("worklist"))
        assert response.status_code == 200
        return len(seen)

    signed_in(client, team.jordan)
    first = patient("First Clot", team.clinic, team.alex)
    possible_clot(first, team.ir, now)
    task = Task.objects.get(patient=first)
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.ACKNOWLEDGED)
    one = queries()
    for name in ("Second Clot", "Third Clot"):
        possible_clot(patient(name, team.clinic, team.alex), team.ir, now)
    assert len(client.get(reverse("worklist")).context["emergencies"]) == 3
    assert queries() == one
