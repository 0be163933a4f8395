"""Issue 11 on the edges: an open possible-clot task on the staff pages (state, history, calls,
resolution), on every page of the patient's, and in the API."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.api_fixtures import Api
from tests.web_fixtures import H, clinic, patient, user
from venowatch.clinic.models import (
    CallAttempt,
    Clinic,
    Patient,
    Resolution,
    Role,
    Task,
    TaskStatus,
)
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care import tasks
from venowatch.services.care.records import record_checkin, record_procedure

pytestmark = pytest.mark.django_db
PATIENT_PAGES = ("patient-status", "patient-checkin", "patient-history")


class World:
    def __init__(self) -> None:
        self.now = timezone.now()
        self.clinic: Clinic = clinic()
        self.alex: User = user("alex", self.clinic, Role.ADVOCATE)
        self.ir: User = user("dr.ruiz", self.clinic, Role.CLINICIAN)
        self.alex.first_name, self.alex.last_name = "Alex", "Advo"
        self.alex.save()
        self.maria = self.operated("Maria Keller")

    def operated(self, name: str, ago: float = 20) -> Patient:
        p = patient(name, self.clinic, advocate=self.alex)
        at = self.now - ago * H
        record_procedure(
            p, kind=ProcedureKind.VENOPLASTY, performed_at=at, performed_by=self.ir, now=at
        )
        return p

    def clot(self) -> Task:
        at = self.now - 2 * H
        record_checkin(self.maria, at=at, pgic=Pgic.MUCH_WORSE, symptoms_returned=True, now=at)
        return Task.objects.get(patient=self.maria, emergency=True)

    def better(self) -> None:
        at = self.now - H
        record_checkin(self.maria, at=at, pgic=Pgic.MINIMALLY_IMPROVED, now=at)


@pytest.fixture
def w() -> World:
    return World()


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def post_task(client: Client, task: Task, action: str, **fields: str) -> Any:
    data = {f"task-{task.pk}-action": action}
    data.update({f"task-{task.pk}-{k}": v for k, v in fields.items()})
    return client.post(reverse("staff-task", args=[task.pk]), data)


def staff_client(who: User) -> Client:
    c = Client()
    c.force_login(who)
    return c


def test_the_staff_page_shows_the_state_records_calls_and_resolves_with_an_outcome(
    w: World,
) -> None:
    task = w.clot()
    staff = staff_client(w.alex)
    page = reverse("staff-patient", args=[w.maria.pk])
    assert "New: nobody has acknowledged it yet; no call tried yet." in text(staff.get(page))
    assert post_task(staff, task, "acknowledge").status_code == 302
    w.better()
    refused = post_task(staff, task, "call", call_note="rang twice")
    assert refused.status_code == 400
    assert "Choose what happened on the call." in text(refused)
    assert not CallAttempt.objects.exists()
    called = post_task(staff, task, "call", call_outcome="no_answer", call_note="rang twice")
    assert called.status_code == 302
    body = text(staff.get(page))
    assert "Acknowledged by Alex Advo at" in body
    assert "(New York); 1 call tried, the last: No answer." in body
    history = body[body.index("History of this task") :]
    assert "Opened, venowatch" in history
    assert "Acknowledged, Alex Advo" in history
    assert "Call: No answer, Alex Advo. <q>rang twice</q>" in history
    no_outcome = post_task(staff, task, "resolve", note="Reached her.")
    assert no_outcome.status_code == 400
    assert "Choose how the possible clot ended." in text(no_outcome)
    done = post_task(staff, task, "resolve", note="Reached her.", resolution="emergency_room")
    assert done.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.resolution) == (TaskStatus.RESOLVED, "emergency_room")
    assert "Reached, sent to the emergency room: Reached her." in text(staff.get(page))
    late = post_task(staff, task, "call", call_outcome="reached")
    assert late.status_code == 400
    assert "This task is already resolved." in text(late)


def test_the_worklist_keeps_an_open_emergency_on_top_with_its_state(w: World) -> None:
    other = w.operated("Aaron Able", ago=24 * 30)  # worse a month on: urgent, not a clot
    record_checkin(other, at=w.now - H, pgic=Pgic.MUCH_WORSE, now=w.now - H)
    task = w.clot()
    tasks.acknowledge(task, w.alex, w.now - H)
    w.better()
    other.refresh_from_db()
    w.maria.refresh_from_db()
    assert other.assessment.urgency_rank < w.maria.assessment.urgency_rank
    staff = staff_client(w.alex)
    response = staff.get(reverse("worklist"))
    assert next(r["patient"].name for r in response.context["rows"]) == "Maria Keller"
    body = text(response)
    assert "Possible blood clot, task open." in body
    assert "Acknowledged by Alex Advo at" in body
    tasks.resolve(task, w.alex, w.now, "Not a clot.", Resolution.NOT_A_CLOT)
    after = staff.get(reverse("worklist"))
    assert "Possible blood clot, task open." not in text(after)


def test_the_notice_is_on_every_patient_page_while_the_task_is_open(w: World) -> None:
    me = Client()
    me.force_login(w.maria.user)  # type: ignore[arg-type]
    for name in PATIENT_PAGES:
        assert "You reported a possible blood clot" not in text(me.get(reverse(name)))
    task = w.clot()
    w.better()  # the pathway has moved on; the task has not
    for name in PATIENT_PAGES:
        body = text(me.get(reverse(name)))
        assert "You reported a possible blood clot" in body, name
        assert "Your care team was alerted" in body, name
        assert 'href="tel:+1-555-0100"' in body, name
        assert "(New York)" in body, name  # the place, not the zone's key
    status = text(me.get(reverse("patient-status")))
    assert ">None<" not in status
    tasks.resolve(task, w.alex, w.now, "Seen.", Resolution.SEEN_BY_IR)
    for name in PATIENT_PAGES:
        assert "You reported a possible blood clot" not in text(me.get(reverse(name)))


def test_the_notice_gives_the_time_in_the_patients_zone_on_every_page(w: World) -> None:
    """The check-in page once wrote the UTC clock beside the patient's zone's name."""
    me = Client()
    me.force_login(w.maria.user)  # type: ignore[arg-type]
    task = w.clot()
    local = task.created_at.astimezone(ZoneInfo("America/New_York"))
    utc = task.created_at.astimezone(UTC)
    assert local.hour != utc.hour
    for name in PATIENT_PAGES:
        body = text(me.get(reverse(name)))
        assert f"{local:%A} {local.day} {local:%B}, {local:%H:%M} (New York)" in body, name


def test_the_badge_is_in_words(w: World) -> None:
    me = Client()
    me.force_login(w.maria.user)  # type: ignore[arg-type]
    body = text(me.get(reverse("patient-status")))
    badge = re.search(r'<span class="urgency urgency-(\w+)">([^<]*)</span>', body)
    assert badge is not None
    assert badge.group(2) not in ("", "None", badge.group(1), badge.group(1).capitalize())


def test_the_api_records_calls_and_needs_the_outcome(w: World) -> None:
    task = w.clot()
    api = Api(w.alex)
    path = f"/tasks/{task.pk}"
    missing = api.post(path, {"action": "call"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "call_outcome"]
    called = api.post(path, {"action": "call", "call_outcome": "voicemail", "note": "left one"})
    assert called.status_code == 200, called.content
    body = called.json()
    assert body["emergency"] is True
    assert body["resolution"] is None
    assert [(c["outcome"], c["note"]) for c in body["calls"]] == [("voicemail", "left one")]
    assert body["calls"][0]["actor_id"] == w.alex.pk
    acked = api.post(path, {"action": "acknowledge"}).json()
    assert acked["acknowledged_by_id"] == w.alex.pk
    assert datetime.fromisoformat(acked["acknowledged_at"]) <= timezone.now()
    refused = api.post(path, {"action": "resolve", "note": "Reached."})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "resolution"]
    done = api.post(path, {"action": "resolve", "note": "Reached.", "resolution": "not_a_clot"})
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["resolution"]) == ("resolved", "not_a_clot")
    listed = api.get("/tasks", patient_id=w.maria.pk).json()["items"]
    assert listed[0]["calls"][0]["outcome"] == "voicemail"
    bad = api.post(path, {"action": "call", "call_outcome": "maybe"})
    assert bad.status_code == 422


def test_the_admin_refuses_a_resolve_within_of_zero_inline(w: World) -> None:
    root = User.objects.create_superuser("root", "root@example.org", "a-long-test-password")
    admin = staff_client(root)
    c = w.clinic
    fields = (
        "name", "ir_name", "ir_phone", "oncall_phone", "oncall_email", "time_zone",
        "escalate_after", "escalation_emails", "reminder_schedule", "digest_hour",
        "earliest_record_date", "checkin_void_window", "missed_checkin_days", "language",
    )  # fmt: skip
    form = {**{f: getattr(c, f) for f in fields}, "protocol_text": ""}
    url = f"/admin/clinic/clinic/{c.pk}/change/"
    refused = admin.post(url, {**form, "resolve_within": "0"})
    assert refused.status_code == 200  # the form again, with the error by the field
    body = text(refused)
    assert "Ensure this value is greater than or equal to 1." in body
    assert "errornote" in body
    c.refresh_from_db()
    assert c.resolve_within == 4
    saved = admin.post(url, {**form, "resolve_within": "6"})
    assert saved.status_code == 302
    c.refresh_from_db()
    assert c.resolve_within == 6
