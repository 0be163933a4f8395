"""Issue 15's patient pages, server side: a missed check-in within the clinic's days, the note's
limit in words, errors in words by their field, and the page for a patient with no procedure.
The browser half (sizes, wrapping, targets, print) is tests/browser/test_phone.py."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from tests.web_fixtures import D, clinic, patient, user
from venowatch.clinic.models import CheckIn, Patient, Role
from venowatch.protocol import CheckIn as CheckIn_
from venowatch.protocol import Pgic, Procedure, ProcedureKind, Timeline
from venowatch.services.care.charts import FONT_SIZE, DayFormatter, _x, history_svg
from venowatch.services.care.missed_checkins import days_back, earliest, record_own_checkin
from venowatch.services.care.protocols import default_protocol
from venowatch.services.care.records import record_procedure
from venowatch.services.errors import FieldError

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("America/New_York")  # web_fixtures' clinic, and so its patients


def _operated(ago: timedelta = 20 * D) -> Patient:
    c = clinic()
    p = patient("Maria Keller", c, advocate=user("alex", c, Role.ADVOCATE))
    now = timezone.now()
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now - ago, now=now)
    return p


def _client(p: Patient) -> Client:
    client = Client()
    assert p.user is not None
    client.force_login(p.user)
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _day(days_ago: int, hour: int) -> datetime:
    today = timezone.now().astimezone(ZONE).date()
    return datetime.combine(today - timedelta(days=days_ago), time(hour), tzinfo=ZONE)


def test_a_missed_check_in_for_yesterday_is_saved_at_the_time_given() -> None:
    p = _operated()
    answer = {"pgic": "much_improved", "when": "1", "at": "09:30"}
    assert _client(p).post("/me/check-in/", answer).status_code == 302
    saved = CheckIn.objects.get(patient=p)
    assert saved.at == _day(1, 9) + timedelta(minutes=30)
    assert saved.pgic == "much_improved"


def test_the_check_in_page_offers_only_the_clinics_days() -> None:
    p = _operated()
    p.clinic.missed_checkin_days = 0
    p.clinic.save()
    page = _text(_client(p).get("/me/check-in/").content.decode())
    assert "Earlier today" in page
    assert "Yesterday" not in page
    refused = _client(p).post("/me/check-in/", {"pgic": "no_change", "when": "1", "at": "09:00"})
    assert "Choose now, or one of the days offered." in _text(refused.content.decode())
    assert not CheckIn.objects.filter(patient=p).exists()


def test_the_service_refuses_a_missed_check_in_before_the_clinics_first_day() -> None:
    p = _operated()
    now = timezone.now()
    assert days_back(p, now)[-1] == now.astimezone(ZONE).date() - timedelta(days=1)
    assert earliest(p, now) == _day(1, 0)
    with pytest.raises(FieldError) as refused:
        record_own_checkin(p, at=_day(2, 23), now=now, pgic=Pgic.NO_CHANGE)
    assert refused.value.field == "at"
    assert "this clinic takes missed check-ins from that day on only" in refused.value.message
    record_own_checkin(p, at=_day(1, 0), now=now, pgic=Pgic.NO_CHANGE)  # the first minute counts


def test_a_missed_check_in_needs_its_time_and_not_one_to_come() -> None:
    p = _operated()
    no_time = _client(p).post("/me/check-in/", {"pgic": "no_change", "when": "0"})
    assert "Give the time of the missed check-in, for example 14:30." in no_time.content.decode()
    later = (timezone.now().astimezone(ZONE) + timedelta(hours=2)).strftime("%H:%M")
    if later < timezone.now().astimezone(ZONE).strftime("%H:%M"):
        pytest.skip("two hours from now is tomorrow: no later time today to give")
    future = _client(p).post("/me/check-in/", {"pgic": "no_change", "when": "0", "at": later})
    assert "Time of the missed check-in is in the future" in _text(future.content.decode())
    assert not CheckIn.objects.filter(patient=p).exists()


def test_a_rating_out_of_range_says_so_in_words_and_its_section_is_open() -> None:
    p = _operated()
    page = _client(p).post("/me/check-in/", {"pgic": "no_change", "symptom_0": "11"})
    html = page.content.decode()
    assert "Choose a rating from 0 to 10 for Fatigue." in html
    assert "Ensure this value" not in html
    assert re.search(r"<details open>\s*<summary>Rate your symptoms", html)
    # The summary at the top links to the answer it names.
    assert 'href="#id_symptom_0">Choose a rating from 0 to 10 for Fatigue.</a>' in html
    fine = _client(p).get("/me/check-in/").content.decode()
    assert not re.search(r"<details open>\s*<summary>Rate your symptoms", fine)


def test_the_note_box_does_not_cut_and_a_longer_note_is_refused_in_words() -> None:
    p = _operated()
    page = _client(p).get("/me/check-in/").content.decode()
    box = re.search(r"<textarea[^>]*>", page)
    assert box is not None
    assert "maxlength" not in box.group(0), "the browser would cut the note without a word"
    assert 'data-limit="4000"' in box.group(0)
    assert "Up to 4,000 characters." in page
    long = _client(p).post("/me/check-in/", {"pgic": "no_change", "note": "x" * 4210})
    assert (
        "Your note has 4,210 characters; a note can have up to 4,000. Shorten it by 210"
        in _text(long.content.decode())
    )
    assert not CheckIn.objects.filter(patient=p).exists()


def test_a_note_of_4000_characters_with_new_lines_fits() -> None:
    """The browser counts a new line as one character and sends two; the limit counts one."""
    p = _operated()
    note = ("a" * 99 + "\r\n") * 40  # 4,000 characters as typed, 4,040 as sent
    assert _client(p).post("/me/check-in/", {"pgic": "no_change", "note": note}).status_code == 302
    assert CheckIn.objects.get(patient=p).note == note.replace("\r\n", "\n").strip()


def test_a_patient_without_a_procedure_sees_whom_to_contact_and_no_form() -> None:
    c = clinic()
    c.contact_name, c.contact_phone = "the patient coordinator", "+1-555-0199"
    c.save()
    p = patient("Ben Carter", c, advocate=user("alex", c, Role.ADVOCATE))
    html = _client(p).get("/me/check-in/").content.decode()
    page = _text(html)
    assert "Nothing to check in yet" in page
    assert "Your clinic has not recorded a procedure for you yet" in page
    assert "Contact the patient coordinator" in page
    assert 'href="tel:+1-555-0199"' in html
    assert "Email your patient advocate" in page
    assert "<textarea" not in html
    assert 'name="pgic"' not in html
    assert "is before your procedure" not in page


def test_the_charts_dates_carry_the_year_where_it_starts_and_changes() -> None:
    f = DayFormatter(ZONE)
    ticks = [datetime(2025, 12, d, 12, tzinfo=ZONE) for d in (15, 22, 29)]
    ticks.append(datetime(2026, 1, 5, 12, tzinfo=ZONE))
    assert f.format_ticks([_x(t) for t in ticks]) == [
        "15 Dec\n2025",
        "22 Dec",
        "29 Dec",
        "5 Jan\n2026",
    ]
    months = [datetime(2026, m, 1, tzinfo=ZONE) for m in (3, 6, 9)]
    assert f.format_ticks([_x(t) for t in months]) == ["Mar\n2026", "Jun", "Sep"]
    hours = [datetime(2026, 1, 1, h, tzinfo=ZONE) for h in (18, 21)]
    hours.append(datetime(2026, 1, 2, 0, tzinfo=ZONE))
    assert f.format_ticks([_x(t) for t in hours]) == [
        "18:00 EST\n1 Jan 2026",
        "21:00 EST",
        "00:00 EST\n2 Jan 2026",
    ]


def test_the_chart_writes_its_words_as_text_of_the_readable_size() -> None:
    now = timezone.now()
    timeline = Timeline(
        "p",
        procedures=(Procedure(ProcedureKind.VENOPLASTY, now - 30 * D),),
        checkins=(CheckIn_(now - 20 * D, Pgic.MUCH_IMPROVED), CheckIn_(now, Pgic.NO_CHANGE)),
    )
    svg = history_svg(timeline, default_protocol().parameters, ZONE, title="t", description="d")
    sizes = {float(s) for s in re.findall(r'font-size="([\d.]+)px"', svg)}
    assert sizes == {FONT_SIZE}
    assert "Much better" in svg  # words, not outlines of glyphs
    assert 'style="' not in svg  # the page's CSP allows no inline style
