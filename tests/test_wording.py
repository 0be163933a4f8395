"""Reasons on the pages, written from their messages in the reader's language.

In English a page says exactly what the engine wrote. Under a pseudo-translation that turns the
text of every template into a marker, nothing English is left of a reason: only markers, values
that are not words (numbers, stamps, codes shown to staff, findings staff typed) and the month
and weekday names of Django's own calendar in the active language.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS, WEEKDAYS
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import SCENARIOS
from tests.engine_fixtures import PROPERTY, PROTOCOL, ZONES, Case, cases, scenario
from tests.web_fixtures import clinic, patient
from venowatch.clinic import models
from venowatch.protocol import Assessment, Pgic, ProcedureKind, assess
from venowatch.protocol.message import Audience
from venowatch.services.care import wording
from venowatch.services.care.assessing import assessment_json
from venowatch.services.care.message_json import reason_from_json
from venowatch.services.care.records import record_procedure
from venowatch.services.care.standing import assess_patient
from venowatch.services.care.wording import reason_text
from venowatch.services.care.zones import patient_zone
from venowatch.services.demo import DEMO_CLINIC, create_demo

MARK = "⟦·⟧"
PLACEHOLDER = re.compile(r"(%\(\w+\)s)")
ESCAPED_LETTERS = re.compile(r"(?:\\.)+")
WORD = re.compile(r"[^\W\d]+")
RATIONALE = re.compile(r'<ul class="rationale">(.*?)</ul>', re.DOTALL)
ITEM = re.compile(r'<li>(?:<span class="clause">.*?</span>)?(.*?)</li>', re.DOTALL)


def assert_english_as_the_engine_wrote(a: Assessment, zone: tzinfo) -> None:
    """Each reason read back as the database gives it, written out in English."""
    stored = json.loads(json.dumps(assessment_json(a, messages=True)["rationale"]))
    for item, r in zip(stored, a.rationale, strict=True):
        assert reason_text(reason_from_json(item), Audience.PATIENT, zone) == r.patient
        assert reason_text(reason_from_json(item), Audience.STAFF, zone) == r.staff


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_in_english_a_scenario_reads_as_the_engine_wrote_it(path: Path) -> None:
    a = scenario(path)
    assert a.as_of.tzinfo is not None
    assert_english_as_the_engine_wrote(a, a.as_of.tzinfo)


@PROPERTY
@given(case=cases(), zone=st.sampled_from(ZONES))
def test_in_english_any_timeline_reads_as_the_engine_wrote_it(case: Case, zone: ZoneInfo) -> None:
    assert_english_as_the_engine_wrote(assess(case.timeline, case.as_of, PROTOCOL, zone), zone)


def test_a_reason_stored_without_messages_keeps_its_english() -> None:
    old = {"clause": "C2", "code": "thrombosis_active", "text": "Old words.", "staff": "Old."}
    zone = ZoneInfo("UTC")
    assert reason_text(reason_from_json(old), Audience.PATIENT, zone) == "Old words."
    assert reason_text(reason_from_json(old), Audience.STAFF, zone) == "Old."


# --- the pages ---------------------------------------------------------------------------------


def page_reasons(page: str) -> list[str]:
    (block,) = RATIONALE.findall(page)
    return [html.unescape(text).strip() for text in ITEM.findall(block)]


@pytest.fixture
def demo(db: None) -> datetime:
    """The demo clinic, every stored rationale carrying its messages as the store keeps them."""
    now = timezone.now()
    create_demo(now)
    for p in demo_patients():
        items = assessment_json(assess_patient(p, now), messages=True)["rationale"]
        models.Assessment.objects.filter(patient=p).update(rationale=items)
    return now


def demo_patients() -> list[models.Patient]:
    return list(models.Patient.objects.filter(clinic__name=DEMO_CLINIC).select_related("user"))


def signed_in(username: str, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.get(username=username))
    return client


def pages(now: datetime, language: str = "en") -> Iterator[tuple[models.Patient, str, list[str]]]:
    """Each demo patient's reasons on their own page, on the staff page, and on the staff page
    as of a week ago (assessed on the spot)."""
    staff = signed_in("admin", language)
    for p in demo_patients():
        assert p.user is not None
        own = signed_in(p.user.username, language).get(reverse("patient-status"))
        yield p, "patient", page_reasons(own.content.decode())
        url = reverse("staff-patient", args=[p.pk])
        yield p, "staff", page_reasons(staff.get(url).content.decode())
        week_ago = (now - timedelta(days=7)).astimezone(patient_zone(p))
        past = staff.get(url, {"as_of": week_ago.strftime("%Y-%m-%dT%H:%M")})
        yield p, "staff as of", page_reasons(past.content.decode())


def test_in_english_the_pages_show_what_the_engine_wrote(demo: datetime) -> None:
    for p, page, shown in pages(demo):
        if page == "staff as of":
            week_ago = (demo - timedelta(days=7)).replace(second=0, microsecond=0)
            expected = [r.staff for r in assess_patient(p, week_ago).rationale]
        else:
            a = assess_patient(p, demo)
            expected = [r.patient if page == "patient" else r.staff for r in a.rationale]
        assert shown == expected, f"{p.name}, {page}"


def pseudo(template: str) -> str:
    """The template's placeholders, each run of its own text a marker."""
    parts = PLACEHOLDER.split(template)
    return "".join(part if i % 2 else MARK * bool(part) for i, part in enumerate(parts))


@pytest.fixture
def german_calendar(monkeypatch: pytest.MonkeyPatch, settings: object) -> frozenset[str]:
    """Pages asked for in German, with every catalog lookup in services/care/wording.py
    pseudo-translated; the weekday and month names of Django's German calendar."""
    settings.LANGUAGES = [("en", "English"), ("de", "German")]  # type: ignore[attr-defined]
    monkeypatch.setattr(wording, "gettext", pseudo)
    monkeypatch.setattr(wording, "ngettext", lambda one, other, n: pseudo(one if n == 1 else other))
    monkeypatch.setattr(wording, "pgettext", lambda _, layout: ESCAPED_LETTERS.sub(MARK, layout))
    with translation.override("de"):
        return frozenset(str(name) for name in [*WEEKDAYS.values(), *MONTHS.values()])


def test_under_a_pseudo_translation_no_english_is_left_of_a_reason(
    demo: datetime, german_calendar: frozenset[str]
) -> None:
    codes = {p.value for p in Pgic}
    seen: set[str] = set()
    for p, page, texts in pages(demo, "de"):
        typed = {w for lab in p.labs.all() for w in WORD.findall(lab.finding)}
        allowed = german_calendar | typed | (codes if page != "patient" else set())
        assert texts, f"{p.name}, {page}"
        for text in texts:
            assert MARK in text, text
            words = set(WORD.findall(text.replace(MARK, " ")))
            assert words <= allowed, f"{p.name}, {page}: {words - allowed} in {text!r}"
            seen |= words
    assert seen & german_calendar, "patients read dates with Django's German names"


@pytest.mark.django_db
def test_a_stored_assessment_keeps_its_messages() -> None:
    p = patient("Maria Keller", clinic())
    now = timezone.now()
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now, now=now)
    for item in models.Assessment.objects.get(patient=p).rationale:
        assert {"message", "staff_message"} <= set(item)
