"""Rules the services enforce whichever edge calls them: the symptoms a check-in may rate, who
may be named as performer or assignee, and when a check-in asks whether symptoms came back. A
refusal is a FieldError naming the field, and nothing is stored; each edge shows it its own
way (the FHIR import's and the command line's are in test_fhir_import and test_fhir_cli)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from importlib import resources

import pytest
from django import forms
from django.test import Client
from django.utils import timezone

from tests.api_fixtures import Api
from tests.web_fixtures import PASSWORD, D, H, clinic, patient, user
from venowatch.clinic.models import (
    Assessment,
    CheckIn,
    Clinic,
    Patient,
    Procedure,
    Role,
    Task,
    TaskEvent,
)
from venowatch.fhir import definitions
from venowatch.protocol import CheckIn as CheckInRecord
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care import tasks
from venowatch.services.care.history import HistoryError, record_history
from venowatch.services.care.protocols import clinic_protocol, default_protocol
from venowatch.services.care.records import (
    asks_if_symptoms_returned,
    record_checkin,
    record_procedure,
)
from venowatch.services.errors import FieldError
from venowatch.web.refusals import refuse

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
SHIPPED = resources.files("venowatch.protocol").joinpath("default.toml").read_text("utf-8")
WIDER = SHIPPED.replace('thrombosis_window = "48h"', 'thrombosis_window = "72h"')


def _operated(c: Clinic, ago: float = 2 * 24, now: datetime = NOW) -> Patient:
    p = patient("Maria Keller", c, advocate=user("alex", c, Role.ADVOCATE))
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now - ago * H, now=now)
    return p


# --- the symptoms a check-in rates ----------------------------------------------------------


@pytest.mark.parametrize(
    ("symptoms", "says"),
    [
        ({"hiccups": 3}, "not a tracked symptom: hiccups"),
        ({"fatigue": 11}, "fatigue: a rating is 0 to 10, not 11"),
        ({"vision": -1}, "vision: a rating is 0 to 10, not -1"),
    ],
)
def test_a_checkin_rates_only_tracked_symptoms_0_to_10(symptoms: dict[str, int], says: str) -> None:
    p = _operated(clinic())
    with pytest.raises(FieldError) as refused:
        record_checkin(p, at=NOW, pgic=Pgic.NO_CHANGE, symptoms=symptoms, now=NOW)
    assert (refused.value.field, refused.value.message) == ("symptoms", says)
    assert CheckIn.objects.filter(patient=p).count() == 0
    assert Assessment.objects.get(patient=p).pathway == "awaiting_checkin"


def test_a_patient_s_own_symptoms_are_accepted() -> None:
    p = _operated(clinic())
    p.tracked_symptoms = ["hiccups"]
    p.save()
    record_checkin(p, at=NOW, pgic=Pgic.NO_CHANGE, symptoms={"hiccups": 10}, now=NOW)
    assert CheckIn.objects.get(patient=p).symptoms == {"hiccups": 10}


def test_imported_checkins_keep_their_symptoms_but_not_a_rating_out_of_range() -> None:
    p = _operated(clinic())
    other_system = CheckInRecord(NOW - H, Pgic.NO_CHANGE, False, (("headache", 4),), "")
    record_history(p, [other_system], by=None, now=NOW)
    assert CheckIn.objects.get(patient=p).symptoms == {"headache": 4}
    with pytest.raises(HistoryError) as refused:
        record_history(p, [other_system, CheckInRecord(NOW, Pgic.NO_CHANGE, False,
                                                       (("fatigue", 12),), "")],
                       by=None, now=NOW)  # fmt: skip
    assert (refused.value.index, refused.value.error.field) == (1, "symptoms")
    assert CheckIn.objects.filter(patient=p).count() == 1


def test_the_api_names_the_symptoms_field() -> None:
    p = _operated(clinic(), now=timezone.now())
    assert p.user is not None
    answer = Api(p.user).post(
        f"/patients/{p.pk}/checkins", {"pgic": "no_change", "symptoms": {"hiccups": 3}}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {"loc": ["body", "symptoms"], "msg": "not a tracked symptom: hiccups"}
    ]
    assert CheckIn.objects.filter(patient=p).count() == 0


# --- the performer of a procedure -----------------------------------------------------------


def test_the_performer_must_be_a_clinician_of_the_patient_s_clinic() -> None:
    c, elsewhere = clinic(), clinic("Other Clinic")
    p = patient("Sam Rivera", c)
    for who in (
        user("alex", c, Role.ADVOCATE),
        user("ruiz", elsewhere, Role.CLINICIAN),
        p.user,
    ):
        with pytest.raises(FieldError) as refused:
            record_procedure(
                p, kind=ProcedureKind.VENOPLASTY, performed_at=NOW - D, performed_by=who, now=NOW
            )
        assert (refused.value.field, refused.value.message) == (
            "performed_by",
            "is not a clinician of this clinic",
        )
    assert Procedure.objects.filter(patient=p).count() == 0
    assert not Assessment.objects.filter(patient=p).exists()
    ir = user("ir", c, Role.CLINICIAN)
    record_procedure(
        p, kind=ProcedureKind.VENOPLASTY, performed_at=NOW - D, performed_by=ir, now=NOW
    )
    assert Procedure.objects.get(patient=p).performed_by == ir


def test_the_api_names_the_performer_field() -> None:
    c = clinic()
    p = patient("Sam Rivera", c)
    alex = user("alex", c, Role.ADVOCATE)
    p.advocate = alex
    p.save()
    body = {
        "kind": "venoplasty",
        "performed_at": (timezone.now() - D).isoformat(),
        "performed_by_id": alex.pk,
    }
    answer = Api(alex).post(f"/patients/{p.pk}/procedures", body)
    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {"loc": ["body", "performed_by_id"], "msg": "is not a clinician of this clinic"}
    ]
    assert Procedure.objects.filter(patient=p).count() == 0


# --- the assignee of a task -----------------------------------------------------------------


def _clot_task(c: Clinic) -> Task:
    """Symptoms back 20 hours after the procedure: a call-the-patient task for the advocate."""
    now = timezone.now()
    p = _operated(c, ago=20, now=now)
    record_checkin(p, at=now, pgic=Pgic.NO_CHANGE, symptoms_returned=True, now=now)
    return Task.objects.get(patient=p, kind="call_patient")


def test_a_task_is_assigned_only_to_staff_of_the_patient_s_clinic() -> None:
    c = clinic()
    task = _clot_task(c)
    alex = task.assignee
    stranger = user("ruiz", clinic("Other Clinic"), Role.CLINICIAN)
    events = TaskEvent.objects.filter(task=task).count()
    for who, says in (
        (task.patient.user, "is not staff of this clinic"),
        (stranger, "is not staff of this clinic"),
        (None, "say whom to assign the task to"),
    ):
        with pytest.raises(FieldError) as refused:
            tasks.assign(task, who, alex, timezone.now())
        assert (refused.value.field, refused.value.message) == ("assignee", says)
    assert Task.objects.get(pk=task.pk).assignee == alex
    assert TaskEvent.objects.filter(task=task).count() == events
    jordan = user("jordan", c, Role.CLINICIAN)
    assert tasks.assign(task, jordan, alex, timezone.now()).assignee == jordan


def test_the_api_names_the_assignee_field() -> None:
    task = _clot_task(clinic())
    assert task.assignee is not None
    assert task.patient.user is not None
    answer = Api(task.assignee).post(
        f"/tasks/{task.pk}", {"action": "assign", "assignee_id": task.patient.user.pk}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {"loc": ["body", "assignee_id"], "msg": "is not staff of this clinic"}
    ]


# --- the web puts a refusal next to its field -----------------------------------------------


class _Form(forms.Form):
    performed_by = forms.CharField(label="Interventional radiologist")


def test_the_web_puts_a_refusal_next_to_the_field_it_names() -> None:
    form = _Form({"performed_by": "7"})
    assert form.is_valid()
    refuse(form, FieldError("performed_by", "is not a clinician of this clinic"))
    assert form.errors["performed_by"] == [
        "Interventional radiologist is not a clinician of this clinic."
    ]
    refuse(form, FieldError("at", "is in the future; give the date and time it happened"))
    assert form.non_field_errors() == ["is in the future; give the date and time it happened"]


# --- "have your symptoms come back?" --------------------------------------------------------


def test_the_symptoms_back_question_is_asked_within_the_clinic_s_window() -> None:
    shipped, wider = clinic(), clinic("Wide Clinic")
    wider.protocol_text = WIDER
    wider.save()
    assert not asks_if_symptoms_returned(patient("Nobody Yet", shipped), NOW)
    early = _operated(shipped, ago=47)
    assert asks_if_symptoms_returned(early, NOW)
    assert not asks_if_symptoms_returned(early, NOW + 2 * H)
    late = patient("Sam Rivera", wider)
    record_procedure(late, kind=ProcedureKind.VENOPLASTY, performed_at=NOW - 60 * H, now=NOW)
    assert asks_if_symptoms_returned(late, NOW)
    assert not asks_if_symptoms_returned(late, NOW + 13 * H)


def test_the_check_in_page_asks_within_the_clinic_s_window() -> None:
    c = clinic()
    c.protocol_text = WIDER
    c.save()
    p = _operated(c, ago=60, now=timezone.now())
    browser = Client()
    assert p.user is not None
    browser.force_login(p.user)
    page = browser.get("/me/check-in/").content.decode()
    assert "Have the symptoms you had before the procedure come back?" in page


def test_the_questionnaire_says_the_window_of_the_protocol_it_is_given() -> None:
    c = clinic()
    c.protocol_text = WIDER
    c.save()
    shipped = definitions.questionnaire(default_protocol())["description"]
    assert "(asked in the first 48 hours)" in shipped
    wider = definitions.questionnaire(clinic_protocol(c))["description"]
    assert "(asked in the first 72 hours)" in wider


def test_the_served_questionnaire_is_the_caller_s_clinic_s() -> None:
    c = clinic()
    c.protocol_text = WIDER
    c.save()
    url = "/fhir/r4/Questionnaire/venowatch-checkin"
    assert "first 48 hours" in Client().get(url).json()["description"]
    staff = user("alex", c, Role.ADVOCATE)
    browser = Client()
    browser.login(username=staff.username, password=PASSWORD)
    assert "first 72 hours" in browser.get(url).json()["description"]
    api = Api(staff)
    answer = api.client.get(url, headers={"Authorization": f"Bearer {api.secret}"})
    assert "first 72 hours" in answer.json()["description"]


def test_the_fhir_codec_is_given_the_protocol_and_loads_no_django_and_no_services() -> None:
    code = (
        "import sys, venowatch.fhir.definitions, venowatch.fhir.reading, venowatch.fhir.writing\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m == 'venowatch.services'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
