"""The staff pages: worklist, patient page, recording, tasks, reach and query counts.

Bad input answers 400 with the error next to the field (the as-of date included: the page
still shows today's assessment, with the error on the as-of field). Nothing is ever a 500: the
test client re-raises any exception a view lets escape.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.staff_fixtures import Team, possible_clot, signed_in, text
from tests.web_fixtures import D, H, clinic, patient, user
from venowatch.clinic.models import (
    Assessment,
    AssessmentChange,
    CheckIn,
    Lab,
    Note,
    Patient,
    Procedure,
    Role,
    Task,
    TaskEvent,
    TaskKind,
    TaskStatus,
)
from venowatch.protocol import LabKind, LabResult, Pathway, Pgic, ProcedureKind
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.reassessing import reassess
from venowatch.services.care.records import record_checkin, record_lab, record_procedure

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("America/New_York")
MI, VMI, NC = Pgic.MUCH_IMPROVED, Pgic.VERY_MUCH_IMPROVED, Pgic.NO_CHANGE


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


@pytest.fixture
def now() -> datetime:
    return timezone.now()


def as_local(t: datetime) -> str:
    """How a datetime-local input sends an instant, on the patient's wall clock."""
    return t.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


def assessed(p: Patient, pathway: Pathway, since: datetime, flags: tuple[str, ...] = ()) -> None:
    Assessment.objects.create(**_assessment(p, pathway, since, flags))


def _assessment(
    p: Patient, pathway: Pathway, since: datetime, flags: tuple[str, ...] = ()
) -> dict[str, Any]:
    urgency = clinic_protocol(p.clinic).pathways[pathway].urgency
    return {
        "patient": p,
        "as_of": since,
        "pathway": pathway.value,
        "urgency": urgency.value,
        "urgency_rank": urgency.rank,
        "flags": list(flags),
        "since": since,
    }


def restenosis(p: Patient, ir: User, now: datetime) -> None:
    """Clearly better for six weeks, then back to baseline for two: suspected restenosis (C5)."""
    done = now - 70 * D
    record_procedure(
        p,
        kind=ProcedureKind.VENOPLASTY,
        performed_at=done,
        veins=["azygos"],
        performed_by=ir,
        now=done,
    )
    for i, answer in enumerate([MI, VMI, MI, MI, MI, MI, NC, NC, NC]):
        at = now - 69 * D + i * 7 * D
        record_checkin(p, at=at, pgic=answer, now=at)
    reassess(p, now)


def names(response: Any) -> list[str]:
    return [row["patient"].name for row in response.context["rows"]]


def test_worklist_puts_emergencies_first_then_the_longest_waiting(
    client: Client, team: Team, now: datetime
) -> None:
    c, alex = team.clinic, team.alex
    assessed(patient("Routine Long", c, alex), Pathway.ADJUSTMENT_PERIOD, now - 30 * D)
    assessed(patient("Urgent Recent", c, alex), Pathway.SUSPECTED_RESTENOSIS, now - 2 * D)
    assessed(patient("Urgent Long", c, alex), Pathway.WORSENING_RETEST, now - 9 * D)
    assessed(patient("Emergency", c, alex), Pathway.POSSIBLE_THROMBOSIS, now - 1 * H)
    assessed(patient("Improved", c, alex), Pathway.IMPROVED, now - 60 * D)
    patient("Never Assessed", c, alex)
    response = signed_in(client, alex).get(reverse("worklist"))
    assert response.status_code == 200
    assert names(response) == [
        "Emergency",
        "Urgent Long",
        "Urgent Recent",
        "Routine Long",
        "Improved",
        "Never Assessed",
    ]
    page = text(response)
    assert "Possible thrombosis" in page  # the pathway in staff words
    assert 'class="urgency urgency-emergency"' in page
    assert '<th scope="col">' in page


def test_worklist_shows_open_task_counts_and_the_advocate(
    client: Client, team: Team, now: datetime
) -> None:
    p = patient("Maria Keller", team.clinic, team.alex)
    possible_clot(p, team.ir, now)
    task = Task.objects.get(patient=p, kind="call_patient")
    Task.objects.create(
        patient=p,
        kind=TaskKind.REVIEW_LABS,
        reason="done",
        status=TaskStatus.RESOLVED,
        created_at=now,
    )
    response = signed_in(client, team.admin).get(reverse("worklist"))
    (row,) = response.context["rows"]
    open_count = Task.objects.filter(patient=p).exclude(status="resolved").count()
    assert row["open_tasks"] == open_count >= 1
    assert row["advocate"] == "alex"
    assert task.assignee == team.alex


@pytest.fixture
def filtered(team: Team, now: datetime) -> Team:
    c = team.clinic
    assessed(
        patient("Ann Overdue", c, team.alex), Pathway.IMPROVED, now - 20 * D, ("checkin_overdue",)
    )
    assessed(
        patient("Bea Both", c, team.alex),
        Pathway.SUSPECTED_RESTENOSIS,
        now - 3 * D,
        ("stent_consideration", "checkin_overdue"),
    )
    assessed(
        patient("Cal Stent", c, team.jordan),
        Pathway.SUSPECTED_RESTENOSIS,
        now - 4 * D,
        ("stent_consideration",),
    )
    assessed(patient("Dee Clot", c, team.jordan), Pathway.POSSIBLE_THROMBOSIS, now - 1 * H)
    assessed(patient("Eve Alone", c), Pathway.TUNE_UP_WAIT, now - 5 * D)
    return team


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Dee Clot", "Cal Stent", "Bea Both", "Eve Alone", "Ann Overdue"]),
        ({"pathway": "suspected_restenosis"}, ["Cal Stent", "Bea Both"]),
        ({"urgency": "emergency"}, ["Dee Clot"]),
        ({"urgency": "routine"}, ["Eve Alone"]),
        ({"overdue": "on"}, ["Bea Both", "Ann Overdue"]),
        ({"advocate": "none"}, ["Eve Alone"]),
        ({"pathway": "suspected_restenosis", "overdue": "on"}, ["Bea Both"]),
    ],
)
def test_worklist_filters(
    client: Client, filtered: Team, query: dict[str, str], expected: list[str]
) -> None:
    response = signed_in(client, filtered.admin).get(reverse("worklist"), query)
    assert response.status_code == 200
    assert names(response) == expected


def test_worklist_advocate_filter(client: Client, filtered: Team) -> None:
    jordan = str(filtered.jordan.pk)
    admin = signed_in(client, filtered.admin).get(reverse("worklist"), {"advocate": jordan})
    assert names(admin) == ["Dee Clot", "Cal Stent"]
    # The filter offers an advocate only the advocates of patients in their list (issue 15):
    # a link naming a colleague is a refused filter, named on the page and left out.
    client.force_login(filtered.alex)
    refused = client.get(reverse("worklist"), {"advocate": jordan})
    assert refused.status_code == 400
    assert "only those with patients in your list" in text(refused)
    assert names(refused) == ["Bea Both", "Ann Overdue"]
    assert names(client.get(reverse("worklist"))) == ["Bea Both", "Ann Overdue"]


def test_worklist_bad_filters_are_named_not_a_crash(client: Client, filtered: Team) -> None:
    response = signed_in(client, filtered.admin).get(
        reverse("worklist"), {"pathway": "bogus", "advocate": "x'; drop", "page": "nope"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in text(response)
    assert len(names(response)) == 5  # the bad filters are left out, the list still shows


def test_worklist_paginates_by_fifty_and_keeps_filters(
    client: Client, team: Team, now: datetime
) -> None:
    made = Patient.objects.bulk_create(
        Patient(clinic=team.clinic, name=f"P{i:03d}", advocate=team.alex) for i in range(120)
    )
    Assessment.objects.bulk_create(
        Assessment(**_assessment(p, Pathway.IMPROVED, now - i * H)) for i, p in enumerate(made)
    )
    client.force_login(team.alex)
    first = client.get(reverse("worklist"), {"pathway": "improved"})
    assert len(names(first)) == 50
    assert names(first)[0] == "P119"  # waited longest
    assert "pathway=improved&amp;page=2" in text(first)
    last = client.get(reverse("worklist"), {"pathway": "improved", "page": "3"})
    assert len(names(last)) == 20
    assert names(last)[-1] == "P000"
    beyond = client.get(reverse("worklist"), {"page": "99"})
    assert beyond.status_code == 200
    assert names(beyond) == names(last)


def test_reach_advocate_clinician_admin(client: Client, team: Team, now: datetime) -> None:
    c = team.clinic
    mine = patient("Alex Patient", c, team.alex)
    theirs = patient("Jordan Patient", c, team.jordan)
    treated = patient("Treated", c, team.jordan)
    record_procedure(
        treated, kind=ProcedureKind.VENOPLASTY, performed_at=now - D, performed_by=team.ir, now=now
    )
    elsewhere = clinic("Other Clinic")
    patient("Elsewhere", elsewhere, user("zed", elsewhere, Role.ADVOCATE))
    cases = [
        (team.alex, ["Alex Patient"]),
        (team.jordan, ["Jordan Patient", "Treated"]),
        (team.ir, ["Treated"]),
        (team.admin, ["Alex Patient", "Jordan Patient", "Treated"]),
    ]
    for who, expected in cases:
        client.force_login(who)
        assert sorted(names(client.get(reverse("worklist")))) == expected
    client.force_login(team.alex)
    assert client.get(reverse("staff-patient", args=[mine.pk])).status_code == 200
    assert client.get(reverse("staff-patient", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("staff-patient", args=[999_999])).status_code == 404
    client.force_login(team.ir)
    assert client.get(reverse("staff-patient", args=[treated.pk])).status_code == 200
    assert client.get(reverse("staff-patient", args=[mine.pk])).status_code == 404


def test_patients_and_people_without_a_role_get_404(client: Client, team: Team) -> None:
    p = patient("Maria Keller", team.clinic, team.alex)
    nobody = User.objects.create_user("nobody", password="a-long-test-password")
    assert p.user is not None
    for who in (p.user, nobody):
        client.force_login(who)
        assert client.get(reverse("worklist")).status_code == 404
        assert client.get(reverse("staff-patient", args=[p.pk])).status_code == 404
        posted = client.post(reverse("staff-add-note", args=[p.pk]), {"note-text": "hi"})
        assert posted.status_code == 404
    assert Note.objects.count() == 0
    client.logout()
    assert client.get(reverse("worklist")).status_code == 302  # to sign in


# --- the patient page -----------------------------------------------------------------------


def test_patient_page_shows_assessment_rationale_history_chart_and_records(
    client: Client, team: Team, now: datetime
) -> None:
    p = patient("John Okafor", team.clinic, team.alex)
    restenosis(p, team.ir, now)
    record_lab(p, at=now - 3 * D, kind=LabKind.BLOOD, result=LabResult.NORMAL, now=now)
    response = signed_in(client, team.alex).get(reverse("staff-patient", args=[p.pk]))
    assert response.status_code == 200
    page = text(response)
    current = response.context["current"]
    assert current["pathway"] == "suspected_restenosis"
    assert "Suspected restenosis: retest and re-treat" in page
    assert "Schedule a retest and re-treatment." in page  # the action in staff words
    clauses = [r["clause"] for r in current["rationale"]]
    assert "C5" in clauses
    assert '<span class="clause">C5</span>' in page
    reason = next(r for r in current["rationale"] if r["clause"] == "C5")
    assert reason["text"] in page.replace("&gt;", ">")  # the staff wording
    history = [row["title"] for row in response.context["history"]]
    assert history[0] == "Suspected restenosis: retest and re-treat"  # newest first
    assert history[-1] == "Waiting for the first check-in"
    assert '<svg role="img"' in page
    assert '<title id="chart-title">How John Okafor has felt since the procedures</title>' in page
    assert "9 check-ins from" in page  # the chart's text alternative
    assert "azygos" in page
    assert "Blood test" in page
    assert "Schedule the retest" in page  # the open task
    assert page.count('scope="col"') >= 10


def test_as_of_shows_a_past_pathway(client: Client, team: Team, now: datetime) -> None:
    p = patient("John Okafor", team.clinic, team.alex)
    restenosis(p, team.ir, now)
    client.force_login(team.alex)
    url = reverse("staff-patient", args=[p.pk])
    past = client.get(url, {"as_of": as_local(now - 40 * D)})
    assert past.status_code == 200
    assert past.context["past"] is True
    assert past.context["current"]["pathway"] == "improved"
    assert "Assessment as of" in text(past)
    before = client.get(url, {"as_of": as_local(now - 75 * D)})
    assert before.context["current"]["pathway"] == "no_procedure"
    assert client.get(url).context["current"]["pathway"] == "suspected_restenosis"


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("tomorrow", "Enter a date and time like"),
        ("2026-13-45T25:99", "Enter a date and time like"),
        ("0001-01-01T00:00", "Enter a date after 1900"),
        ("FUTURE", "That is in the future"),
    ],
)
def test_as_of_refuses_bad_or_future_dates_inline(
    client: Client, team: Team, now: datetime, value: str, error: str
) -> None:
    p = patient("John Okafor", team.clinic, team.alex)
    restenosis(p, team.ir, now)
    value = as_local(now + 2 * D) if value == "FUTURE" else value
    response = signed_in(client, team.alex).get(
        reverse("staff-patient", args=[p.pk]), {"as_of": value}
    )
    assert response.status_code == 400
    page = text(response)
    assert error in page
    assert 'id="id_as_of_error"' in page
    assert 'aria-describedby="id_as_of_helptext id_as_of_error"' in page
    assert response.context["current"]["pathway"] == "suspected_restenosis"  # today's


def test_clinician_sees_record_forms_and_acts_on_an_emergency(
    client: Client, team: Team, now: datetime
) -> None:
    """Issue 11 (cover): every staff member can act on an open emergency, so the clinician
    now acknowledges the clot task (before, the task was listed but not for them to act on)."""
    p = patient("Maria Keller", team.clinic, team.alex)
    possible_clot(p, team.ir, now)
    page = text(signed_in(client, team.ir).get(reverse("staff-patient", args=[p.pk])))
    assert "Record a procedure" in page
    assert "Record a test result" in page
    assert "Call the patient" in page
    task = Task.objects.get(patient=p)
    response = client.post(
        reverse("staff-task", args=[task.pk]), {f"task-{task.pk}-action": "acknowledge"}
    )
    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).status == TaskStatus.ACKNOWLEDGED


# --- recording ------------------------------------------------------------------------------


def test_recording_a_procedure(client: Client, team: Team, now: datetime) -> None:
    p = patient("Tom Whitaker", team.clinic, team.alex)
    when = (now - 3 * H).replace(second=0, microsecond=0)
    response = signed_in(client, team.alex).post(
        reverse("staff-add-procedure", args=[p.pk]),
        {
            "procedure-kind": "venoplasty",
            "procedure-veins": " left internal jugular ,azygos,, ",
            "procedure-performed_at": as_local(when),
            "procedure-performed_by": str(team.ir.pk),
            "procedure-note": "ballooned to 12 mm",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("staff-patient", args=[p.pk]) + "#procedures"
    done = Procedure.objects.get(patient=p)
    assert done.veins == ["left internal jugular", "azygos"]
    assert done.performed_at == when  # read on the patient's wall clock
    assert (done.performed_by, done.recorded_by) == (team.ir, team.alex)
    assert Assessment.objects.get(patient=p).pathway == "awaiting_checkin"
    follow = client.get(response["Location"])
    assert "Procedure recorded." in text(follow)
    # The IR now reaches the patient they treated.
    client.force_login(team.ir)
    assert client.get(reverse("staff-patient", args=[p.pk])).status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({}, "kind", "Choose the kind of procedure."),
        ({"procedure-kind": "venoplasty"}, "performed_at", "Enter the date and time"),
        (
            {"procedure-kind": "venoplasty", "procedure-performed_at": "last tuesday"},
            "performed_at",
            "Enter a date and time like",
        ),
        (
            {"procedure-kind": "laser", "procedure-performed_at": "2026-01-01T10:00"},
            "kind",
            "Select a valid choice",
        ),
        (
            {"procedure-kind": "stent", "procedure-performed_at": "FUTURE"},
            "performed_at",
            "Date and time of the procedure is in the future",
        ),
        (
            {
                "procedure-kind": "stent",
                "procedure-performed_at": "2026-01-01T10:00",
                "procedure-performed_by": "999999",
            },
            "performed_by",
            "Select a valid choice",
        ),
    ],
)
def test_bad_procedures_are_refused_inline_and_nothing_is_saved(
    client: Client, team: Team, now: datetime, data: dict[str, str], field: str, error: str
) -> None:
    p = patient("Tom Whitaker", team.clinic, team.alex)
    if data.get("procedure-performed_at") == "FUTURE":
        data = {**data, "procedure-performed_at": as_local(now + 2 * D)}
    response = signed_in(client, team.alex).post(reverse("staff-add-procedure", args=[p.pk]), data)
    assert response.status_code == 400
    page = text(response)
    assert error in page
    assert f'id="id_procedure-{field}_error"' in page
    assert f'aria-describedby="id_procedure-{field}' in page
    assert "There is a problem" in page
    assert Procedure.objects.count() == 0
    assert Assessment.objects.count() == 0
    assert AssessmentChange.objects.count() == 0


def test_an_abnormal_urine_test_turns_restenosis_into_treating_the_cause(
    client: Client, team: Team, now: datetime
) -> None:
    p = patient("John Okafor", team.clinic, team.alex)
    restenosis(p, team.ir, now)
    assert Assessment.objects.get(patient=p).pathway == "suspected_restenosis"
    response = signed_in(client, team.ir).post(
        reverse("staff-add-lab", args=[p.pk]),
        {
            "lab-kind": "urine",
            "lab-result": "abnormal",
            "lab-finding": "urinary tract infection",
            "lab-at": as_local(now - 2 * H),
        },
    )
    assert response.status_code == 302
    lab = Lab.objects.get(patient=p)
    assert (lab.kind, lab.result, lab.recorded_by) == ("urine", "abnormal", team.ir)
    assert Assessment.objects.get(patient=p).pathway == "treat_underlying_cause"
    assert Task.objects.filter(patient=p, kind="review_labs", status="open").exists()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"lab-kind": "urine", "lab-at": "2026-01-01T10:00"}, "Select a valid choice"),
        ({"lab-kind": "blood", "lab-result": "normal"}, "Enter the date and time the sample"),
        ({"lab-kind": "blood", "lab-result": "normal", "lab-at": "31/02/2026"}, "Enter a date"),
        ({"lab-kind": "blood", "lab-result": "normal", "lab-at": "FUTURE"}, "is in the future"),
    ],
)
def test_bad_labs_are_refused_inline_and_nothing_is_saved(
    client: Client, team: Team, now: datetime, data: dict[str, str], error: str
) -> None:
    p = patient("John Okafor", team.clinic, team.alex)
    if data.get("lab-at") == "FUTURE":
        data = {**data, "lab-at": as_local(now + 1 * D)}
    if "lab-result" not in data:
        data = {**data, "lab-result": "sideways"}
    response = signed_in(client, team.alex).post(reverse("staff-add-lab", args=[p.pk]), data)
    assert response.status_code == 400
    assert error in text(response)
    assert Lab.objects.count() == 0
    assert AssessmentChange.objects.count() == 0


def test_notes(client: Client, team: Team) -> None:
    p = patient("Maria Keller", team.clinic, team.alex)
    client.force_login(team.alex)
    url = reverse("staff-add-note", args=[p.pk])
    refused = client.post(url, {"note-text": "   "})
    assert refused.status_code == 400
    assert "Write the note before saving it." in text(refused)
    assert Note.objects.count() == 0
    assert client.post(url, {"note-text": "Called; she is resting."}).status_code == 302
    note = Note.objects.get(patient=p)
    assert (note.text, note.author) == ("Called; she is resting.", team.alex)
    assert "Called; she is resting." in text(client.get(reverse("staff-patient", args=[p.pk])))
    # Only POST records anything; a GET on the form's address opens its page (issue 15).
    opened = client.get(url)
    assert (opened.status_code, opened["Location"]) == (302, reverse("staff-patient", args=[p.pk]))
    assert Note.objects.count() == 1


def test_posting_to_a_patient_out_of_reach_is_404_and_saves_nothing(
    client: Client, team: Team
) -> None:
    p = patient("Maria Keller", team.clinic, team.alex)
    client.force_login(team.jordan)
    data = {"lab-kind": "urine", "lab-result": "abnormal", "lab-at": "2026-01-01T10:00"}
    assert client.post(reverse("staff-add-lab", args=[p.pk]), data).status_code == 404
    assert (
        client.post(reverse("staff-add-note", args=[p.pk]), {"note-text": "x"}).status_code == 404
    )
    assert (Lab.objects.count(), Note.objects.count()) == (0, 0)


# --- tasks ----------------------------------------------------------------------------------


@pytest.fixture
def clot_task(team: Team, now: datetime) -> Task:
    p = patient("Maria Keller", team.clinic, team.alex)
    possible_clot(p, team.ir, now)
    return Task.objects.get(patient=p, kind="call_patient")


def task_post(client: Client, task: Task, action: str, **fields: str) -> Any:
    data = {f"task-{task.pk}-action": action}
    data.update({f"task-{task.pk}-{k}": v for k, v in fields.items()})
    return client.post(reverse("staff-task", args=[task.pk]), data)


def test_acknowledge_assign_and_resolve_a_task(client: Client, team: Team, clot_task: Task) -> None:
    client.force_login(team.alex)
    events = TaskEvent.objects.filter(task=clot_task)
    assert events.count() == 1
    assert task_post(client, clot_task, "acknowledge").status_code == 302
    assert Task.objects.get(pk=clot_task.pk).status == TaskStatus.ACKNOWLEDGED
    assert task_post(client, clot_task, "assign", assignee=str(team.jordan.pk)).status_code == 302
    task = Task.objects.get(pk=clot_task.pk)
    assert (task.status, task.assignee) == (TaskStatus.ACKNOWLEDGED, team.jordan)
    assert events.count() == 3
    # Now assigned to Jordan, but Maria is still Alex's patient: Alex may resolve it.
    refused = task_post(client, clot_task, "resolve", note="  ")
    assert refused.status_code == 400
    assert "Say how the task was resolved." in text(refused)
    assert f'id="id_task-{clot_task.pk}-note_error"' in text(refused)
    assert Task.objects.get(pk=clot_task.pk).status == TaskStatus.ACKNOWLEDGED
    # Issue 11: a possible clot's task is resolved only with its outcome.
    no_outcome = task_post(client, clot_task, "resolve", note="She reached Dr. Ruiz.")
    assert no_outcome.status_code == 400
    assert "Choose how the possible clot ended." in text(no_outcome)
    done = task_post(
        client, clot_task, "resolve", note="She reached Dr. Ruiz.", resolution="seen_by_ir"
    )
    assert done.status_code == 302
    assert Task.objects.get(pk=clot_task.pk).status == TaskStatus.RESOLVED
    last = events.order_by("-pk").first()
    assert last is not None
    assert (last.status, last.note, last.actor) == ("resolved", "She reached Dr. Ruiz.", team.alex)
    page = text(client.get(reverse("staff-patient", args=[clot_task.patient_id])))
    assert "Recently resolved" in page
    assert "She reached Dr. Ruiz." in page
    again = task_post(client, clot_task, "resolve", note="Twice?", resolution="not_a_clot")
    assert again.status_code == 400
    assert "This task is already resolved." in text(again)
    assert events.count() == 4


def test_bad_task_requests(client: Client, team: Team, clot_task: Task) -> None:
    client.force_login(team.alex)
    stranger = user("zed", clinic("Other Clinic"), Role.ADVOCATE)
    outsider = task_post(client, clot_task, "assign", assignee=str(stranger.pk))
    assert outsider.status_code == 400
    assert "Select a valid choice" in text(outsider)
    nobody = task_post(client, clot_task, "assign")
    assert "Choose who should do this task." in text(nobody)
    assert task_post(client, clot_task, "explode").status_code == 400
    assert Task.objects.get(pk=clot_task.pk).assignee == team.alex
    assert TaskEvent.objects.filter(task=clot_task).count() == 1
    client.force_login(user("zoe", clinic("Other Clinic B"), Role.ADVOCATE))  # not the clinic's
    assert task_post(client, clot_task, "acknowledge").status_code == 404
    assert client.post(reverse("staff-task", args=[999_999]), {}).status_code == 404


# --- a fixed number of queries --------------------------------------------------------------


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_worklist_queries_do_not_grow_with_patients(
    client: Client, team: Team, now: datetime
) -> None:
    def add(n: int, start: int) -> None:
        made = Patient.objects.bulk_create(
            Patient(clinic=team.clinic, name=f"P{start + i:04d}", advocate=team.alex)
            for i in range(n)
        )
        pathways = list(Pathway)
        Assessment.objects.bulk_create(
            Assessment(
                **_assessment(
                    p,
                    pathways[i % len(pathways)],
                    now - i * H,
                    ("checkin_overdue",) if i % 3 == 0 else (),
                )
            )
            for i, p in enumerate(made)
        )
        Task.objects.bulk_create(
            Task(patient=p, kind=TaskKind.CALL_PATIENT, reason="r", created_at=now)
            for p in made[::2]
        )

    client.force_login(team.alex)
    url = reverse("worklist") + "?overdue=on&advocate=" + str(team.alex.pk)
    add(10, 0)
    client.get(url)  # warm caches (content types, sessions)
    with_10 = count_queries(client, url)
    add(990, 10)
    with_1000 = count_queries(client, url)
    assert with_10 == with_1000
    # 15 before the audit log; each logged read (the list, then the page's patients) adds
    # three: lock the chain head, insert the rows, move the head.
    assert with_1000 <= 15 + 2 * 3, with_1000
    assert Patient.objects.count() == 1000


def test_patient_page_queries_do_not_grow_with_checkins(
    client: Client, team: Team, now: datetime
) -> None:
    p = patient("Busy Patient", team.clinic, team.alex)
    start = now - 90 * D
    record_procedure(
        p, kind=ProcedureKind.VENOPLASTY, performed_at=start, performed_by=team.ir, now=start
    )

    def checkins(n: int, offset: int) -> Iterator[CheckIn]:
        for i in range(offset, offset + n):
            yield CheckIn(patient=p, at=start + (i + 1) * 2 * H, pgic=Pgic.MUCH_IMPROVED)

    CheckIn.objects.bulk_create(checkins(10, 0))
    reassess(p, now)
    client.force_login(team.alex)
    url = reverse("staff-patient", args=[p.pk])
    client.get(url)
    with_10 = count_queries(client, url)
    CheckIn.objects.bulk_create(checkins(990, 10))
    reassess(p, now)
    assert CheckIn.objects.filter(patient=p).count() == 1000
    with_1000 = count_queries(client, url)
    assert with_10 == with_1000
    # 30 before the audit log; the page's logged read of the record adds three: lock the
    # chain head, insert the row, move the head.
    assert with_1000 <= 30 + 3, with_1000


def test_as_of_a_time_in_another_zone_is_read_on_the_patients_clock(
    client: Client, team: Team, now: datetime
) -> None:
    """The same wall-clock text means a different instant for a patient in Tokyo."""
    p = patient("Aiko Tanaka", team.clinic, team.alex)
    Patient.objects.filter(pk=p.pk).update(time_zone="Asia/Tokyo")
    done = now - 10 * D
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=done, now=done)
    just_after = (done + timedelta(minutes=2)).astimezone(ZoneInfo("Asia/Tokyo"))
    response = signed_in(client, team.alex).get(
        reverse("staff-patient", args=[p.pk]), {"as_of": just_after.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.context["current"]["pathway"] == "awaiting_checkin"
    just_before = (done - timedelta(minutes=2)).astimezone(ZoneInfo("Asia/Tokyo"))
    response = client.get(
        reverse("staff-patient", args=[p.pk]), {"as_of": just_before.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.context["current"]["pathway"] == "no_procedure"


def test_a_task_whose_assignee_has_left_can_still_be_acknowledged(
    client: Client, team: Team, clot_task: Task
) -> None:
    User.objects.filter(pk=team.alex.pk).update(is_active=False)
    client.force_login(team.admin)
    assert task_post(client, clot_task, "acknowledge").status_code == 302
    task = Task.objects.get(pk=clot_task.pk)
    assert (task.status, task.assignee) == (TaskStatus.ACKNOWLEDGED, team.alex)
    refused = task_post(client, clot_task, "resolve")
    assert refused.status_code == 400
    assert "Say how the task was resolved." in text(refused)
