"""The patient's pages, as a patient uses them (no JavaScript involved)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.web_fixtures import D, H, clinic, patient, user
from venowatch.clinic.models import Assessment, CheckIn, Patient, Role
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care.records import record_checkin, record_procedure

pytestmark = pytest.mark.django_db


def _signed_in(p: Patient) -> Client:
    client = Client()
    assert p.user is not None
    client.force_login(p.user)
    return client


def _operated(ago: timedelta, name: str = "Maria Keller", advocate: str = "alex") -> Patient:
    c = clinic()
    p = patient(name, c, advocate=user(advocate, c, Role.ADVOCATE))
    now = timezone.now()
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now - ago, now=now)
    return p


def test_emergency_status_has_the_banner_and_a_tap_to_call_link() -> None:
    p = _operated(20 * H)
    now = timezone.now()
    record_checkin(p, at=now - 14 * H, pgic=Pgic.MUCH_IMPROVED, now=now)
    record_checkin(p, at=now, pgic=Pgic.NO_CHANGE, symptoms_returned=True, now=now)
    page = _signed_in(p).get("/me/").content.decode()
    assert 'role="alert"' in page
    assert "Possible blood clot: act now" in page
    assert 'href="tel:+1-555-0100"' in page
    assert "go to the emergency room" in page
    assert page.index("banner-emergency") < page.index("<h1>"), "the emergency comes first"
    assert "Guide, part C2:" in page


def test_routine_status_says_what_to_do_why_and_when() -> None:
    p = _operated(3 * H)
    page = _signed_in(p).get("/me/").content.decode()
    assert "banner-emergency" not in page
    assert "Tell us how you feel" in page
    assert "Check in: tell us how you feel compared with just before your procedure." in page
    assert "Check in now" in page
    assert "This advice holds until" in page
    assert 'href="mailto:alex@example.org' in page


def test_checkin_in_the_first_hours_asks_whether_symptoms_came_back() -> None:
    early = _signed_in(_operated(3 * H)).get("/me/check-in/").content.decode()
    assert early.count('name="pgic"') == 7
    assert "Have the symptoms you had before the procedure come back?" in early
    later = (
        _signed_in(_operated(5 * D, "Sam Rivera", "jordan")).get("/me/check-in/").content.decode()
    )
    assert "Have the symptoms you had before the procedure come back?" not in later


def test_checkin_saves_reassesses_and_returns_to_the_status() -> None:
    p = _operated(10 * H)
    client = _signed_in(p)
    answer = {"pgic": "much_worse", "symptoms_returned": "on", "symptom_0": "8", "note": "dizzy"}
    response = client.post("/me/check-in/", answer)
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    saved = CheckIn.objects.get(patient=p)
    assert (saved.pgic, saved.symptoms_returned, saved.symptoms) == (
        "much_worse",
        True,
        {"fatigue": 8},
    )
    assert Assessment.objects.get(patient=p).pathway == "possible_thrombosis"
    assert "Your check-in is saved." in client.get("/me/").content.decode()


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({}, "Choose how you feel compared with before the procedure."),
        ({"pgic": "fabulous"}, "Choose one of the answers offered."),
        ({"pgic": "no_change", "symptom_0": "11"}, "Choose a rating from 0 to 10 for Fatigue."),
    ],
    ids=["no-answer", "unknown-answer", "rating-out-of-range"],
)
def test_bad_checkin_shows_inline_errors_and_saves_nothing(
    answer: dict[str, str], message: str
) -> None:
    p = _operated(5 * D)
    response = _signed_in(p).post("/me/check-in/", answer)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in page
    assert message in page
    assert CheckIn.objects.filter(patient=p).count() == 0


def test_checkin_without_any_procedure_is_refused_with_the_reason() -> None:
    # Issue 15: a page saying there is nothing to check in yet, no longer the refused form.
    p = patient("Ben Carter", clinic())
    response = _signed_in(p).post("/me/check-in/", {"pgic": "no_change"})
    assert response.status_code == 200
    assert "Nothing to check in yet" in response.content.decode()
    assert CheckIn.objects.count() == 0


def test_history_has_an_accessible_chart_and_the_same_data_as_a_table() -> None:
    p = _operated(20 * D)
    now = timezone.now()
    for days_ago, pgic in (
        (19, Pgic.MUCH_IMPROVED),
        (12, Pgic.MINIMALLY_IMPROVED),
        (5, Pgic.NO_CHANGE),
    ):
        record_checkin(p, at=now - days_ago * D, pgic=pgic, now=now)
    page = _signed_in(p).get("/me/history/").content.decode()
    assert '<svg role="img" aria-labelledby="chart-title chart-desc"' in page
    assert '<title id="chart-title">How you have felt since your procedures</title>' in page
    assert "3 check-ins from" in page
    assert "Latest: no different" in page
    assert page.count("<tr><td>") == 3
    assert "Much better" in page
    assert "A little better" in page
    assert "No different" in page
    assert "<script" not in page


def test_patient_pages_need_a_patient() -> None:
    c = clinic()
    staff = Client()
    staff.force_login(user("alex", c, Role.ADVOCATE))
    assert staff.get("/me/").status_code == 404
    assert Client().get("/me/").status_code == 302  # signed out: to the sign-in page


@pytest.mark.parametrize("history", [3, 60])
def test_checkin_post_holds_the_write_lock_only_to_insert_and_update(history: int) -> None:
    """SQLite has one write lock for the whole database: reading and assessing happen before
    it is taken, and the number of queries does not grow with the patient's history."""
    p = _operated(history * D + 1 * H)
    now = timezone.now()
    for day in range(history):
        record_checkin(p, at=now - (history - day) * D, pgic=Pgic.NO_CHANGE, now=now)
    client = _signed_in(p)
    with CaptureQueriesContext(connection) as queries:
        assert client.post("/me/check-in/", {"pgic": "no_change"}).status_code == 302
    # An executemany (the audit rows) is captured as "N times: INSERT ...".
    sql = [
        re.sub(r"^\d+ times: ", "", q["sql"]).split()[0].upper() for q in queries.captured_queries
    ]
    begin = next(i for i, s in enumerate(sql) if s in ("BEGIN", "SAVEPOINT"))
    end = next(i for i, s in enumerate(sql) if s in ("COMMIT", "RELEASE"))
    # The check-in, the audit rows of the page's read and of the write (lock the chain head,
    # insert both, move the head), the assessment.
    assert sql[begin + 1 : end] == ["INSERT", "SELECT", "INSERT", "UPDATE", "UPDATE"]
    # session, user with membership, whether the patient turned on a second factor, the
    # language they chose (web/language.py), patient with assessment, 3 timeline reads, the 4
    # above, the audit log's 3 in the write, and at the request's end whether they were
    # committed
    assert len(sql) == 16
