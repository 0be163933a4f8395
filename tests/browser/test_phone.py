"""Issue 15's patient pages on a 390 x 844 phone and a 1366 x 768 desktop: the chart's smallest
text, a long note, an error inside a folded section, the page without a procedure, a missed
check-in, tap targets of 44 x 44 CSS px, and the print views (Chromium's PDF, read with pypdf).
axe-core finds nothing on any of them."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.pages import (
    LAPTOP,
    PHONE,
    Demo,
    OpenPage,
    assert_no_violations,
    horizontal_overflow,
    sign_in,
    visit,
)
from venowatch.clinic.models import CheckIn
from venowatch.protocol import Pgic
from venowatch.services.care.records import record_checkin
from venowatch.services.care.zones import patient_zone

pytestmark = pytest.mark.browser

SCREENS = {"phone": PHONE, "laptop": LAPTOP}
MIN_TEXT_PX = 12
MIN_TARGET_PX = 44

# Each <text> of the chart: its font size times the scale the SVG is drawn at, in CSS px.
_CHART_TEXT = """() => Array.from(document.querySelectorAll('figure.chart svg text'), t => ({
  text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a }))"""


def _chart_texts(page: Page) -> list[dict[str, Any]]:
    texts: list[dict[str, Any]] = page.evaluate(_CHART_TEXT)
    assert texts, "the chart has no text to read"
    return texts


def test_the_chart_is_readable_on_a_phone_and_larger_on_a_laptop(
    open_page: OpenPage, demo: Demo
) -> None:
    """Hana's four procedures span 420 days, so her chart crosses a New Year: both years are
    written under the axis."""
    smallest = {}
    for name, screen in SCREENS.items():
        page = open_page(screen)
        sign_in(page, "hana")
        visit(page, reverse("patient-history"))
        texts = _chart_texts(page)
        small = [t for t in texts if t["px"] < MIN_TEXT_PX]
        assert small == [], f"text under {MIN_TEXT_PX} px on the {name}: {small}"
        smallest[name] = min(t["px"] for t in texts)
        written = " ".join(t["text"] for t in texts)
        years = sorted({int(w) for w in re.findall(r"\b(?:19|20)\d\d\b", written)})
        assert len(years) >= 2, f"a span across New Year, but the axis says {years}: {written}"
        assert years == list(range(years[0], years[-1] + 1)), f"a year left out: {written}"
        assert_no_violations(page)
    assert smallest["laptop"] > 1.4 * smallest["phone"], f"not larger on a laptop: {smallest}"


@pytest.mark.parametrize("screen", SCREENS)
def test_a_long_note_without_spaces_wraps_on_the_screen(
    open_page: OpenPage, demo: Demo, screen: str
) -> None:
    aiko = demo.patient("aiko")
    now = timezone.now()
    note = "pins-and-needles" * 44  # 704 characters, no space to break at
    record_checkin(aiko, at=now, pgic=Pgic.NO_CHANGE, note=note, now=now)
    page = open_page(SCREENS[screen])
    sign_in(page, "aiko")
    visit(page, reverse("patient-history"))
    cell = page.locator("td.note", has_text=note[:40]).first
    expect(cell).to_be_visible()
    box = cell.bounding_box()
    width = page.evaluate("() => document.documentElement.clientWidth")
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width, f"the note runs off the screen: {box}"
    row = page.locator("tr", has=cell).bounding_box()
    assert row is not None
    # About twenty lines of text on a phone: the note uses the row's whole width.
    assert row["height"] < 1000, f"one row is {row['height']} px tall"
    assert box["width"] >= 0.8 * row["width"] or box["width"] >= 300, f"a narrow note: {box}"
    layout = horizontal_overflow(page)
    assert layout["scrollWidth"] <= layout["width"], f"the page scrolls sideways: {layout}"
    assert_no_violations(page)


@pytest.mark.parametrize("screen", SCREENS)
def test_an_error_in_a_folded_section_is_shown_open_in_words(
    open_page: OpenPage, demo: Demo, screen: str
) -> None:
    page = open_page(SCREENS[screen])
    sign_in(page, "aiko")
    visit(page, reverse("patient-checkin"))
    page.get_by_label("No different").check()
    ratings = page.get_by_text("Rate your symptoms (optional)")
    ratings.click()
    page.get_by_label("Fatigue, 0 (none) to 10 (worst) — optional").fill("11")
    ratings.click()  # folded again, as a patient may leave it
    page.get_by_role("button", name="Save my check-in").click()
    by_field = page.locator("#id_symptom_0_error")
    expect(by_field).to_have_text("Choose a rating from 0 to 10 for Fatigue.")
    expect(by_field).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Choose a rating from 0 to 10 for Fatigue.")
    expect(page.get_by_text("Ensure this value")).to_have_count(0)
    assert (
        not CheckIn.objects.filter(patient=demo.patient("aiko"), note="")
        .filter(symptoms__fatigue=11)
        .exists()
    )
    assert_no_violations(page)


@pytest.mark.parametrize("screen", SCREENS)
def test_the_note_box_counts_down_to_its_limit(
    open_page: OpenPage, demo: Demo, screen: str
) -> None:
    page = open_page(SCREENS[screen])
    sign_in(page, "aiko")
    visit(page, reverse("patient-checkin"))
    box = page.get_by_label("Anything else? (optional)")
    box.fill("x" * 3990)
    expect(page.locator("#id_note_counter")).to_have_text("10 characters left")
    box.fill("x" * 4005)
    expect(page.locator("#id_note_counter")).to_have_text(
        "5 characters too many: shorten your note"
    )
    assert box.input_value() == "x" * 4005, "the box cut the note"
    assert_no_violations(page)


@pytest.mark.parametrize("screen", SCREENS)
def test_a_patient_without_a_procedure_is_told_there_is_nothing_to_check_in(
    open_page: OpenPage, demo: Demo, screen: str
) -> None:
    page = open_page(SCREENS[screen])
    sign_in(page, "ben")
    visit(page, reverse("patient-checkin"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nothing to check in yet")
    expect(page.get_by_text("has not recorded a procedure for you yet")).to_be_visible()
    expect(page.get_by_role("link", name="Email your patient advocate")).to_be_visible()
    expect(page.get_by_role("button", name="Save my check-in")).to_have_count(0)
    expect(page.get_by_text("is before your procedure")).to_have_count(0)
    assert horizontal_overflow(page)["overflowing"] == []
    assert_no_violations(page)


@pytest.mark.parametrize("screen", SCREENS)
def test_a_missed_check_in_for_yesterday(open_page: OpenPage, demo: Demo, screen: str) -> None:
    page = open_page(SCREENS[screen])
    sign_in(page, "aiko")
    visit(page, reverse("patient-checkin"))
    page.get_by_label("A little better").check()
    page.get_by_text("Missed a check-in? Say how you felt earlier").click()
    page.get_by_label("Yesterday").check()
    page.get_by_label("Time of the missed check-in").fill("08:15")
    assert_no_violations(page)
    page.get_by_role("button", name="Save my check-in").click()
    expect(page).to_have_url(demo.url + reverse("patient-status"))
    saved = CheckIn.objects.filter(patient=demo.patient("aiko")).latest("recorded_at")
    zone = patient_zone(demo.patient("aiko"))
    local = saved.at.astimezone(zone)
    assert (local.hour, local.minute) == (8, 15)
    assert local.date() == timezone.now().astimezone(zone).date() - timedelta(days=1)


# Every control a finger can reach, with its box: links, buttons, form controls, summaries.
_TARGETS = """() => Array.from(document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary'), el => {
  const r = el.getBoundingClientRect();
  const name = (el.textContent || el.getAttribute('aria-label') || el.name || '').trim();
  return {what: `${el.tagName.toLowerCase()} ${name.slice(0, 50)}`, width: r.width,
          height: r.height, shown: r.width > 0 && r.height > 0 && r.right > 0};
})"""


def _expand(page: Page) -> None:
    """Open every folded section, so that what is inside is measured too."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true })")


TARGET_PAGES = {
    "status-emergency": ("maria", "patient-status"),
    "status-routine": ("aiko", "patient-status"),
    "check-in": ("aiko", "patient-checkin"),
    "check-in-first-hours": ("tom", "patient-checkin"),  # the "symptoms back?" box
    "nothing-to-check-in": ("ben", "patient-checkin"),
    "history": ("lucas", "patient-history"),  # a check-in still to withdraw: its button
    "data": ("aiko", "patient-data"),
}


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("name", TARGET_PAGES)
def test_every_target_on_a_patient_page_is_at_least_44_px(
    open_page: OpenPage, demo: Demo, name: str, screen: str
) -> None:
    who, url_name = TARGET_PAGES[name]
    if name == "history":  # one saved just now, so the page offers to withdraw it
        lucas, now = demo.patient("lucas"), timezone.now()
        record_checkin(lucas, at=now, pgic=Pgic.NO_CHANGE, by=lucas.user, now=now)
    page = open_page(SCREENS[screen])
    sign_in(page, who)
    visit(page, reverse(url_name))
    _expand(page)
    targets = [t for t in page.evaluate(_TARGETS) if t["shown"]]
    assert targets
    small = [t for t in targets if min(t["width"], t["height"]) < MIN_TARGET_PX]
    assert small == [], f"targets under {MIN_TARGET_PX} x {MIN_TARGET_PX} px: {small}"
    assert_no_violations(page)


def _pdf_text(page: Page) -> str:
    """The page as Chromium prints it (its print style sheet), as text."""
    pdf = page.pdf(format="A4", print_background=False)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    return unicodedata.normalize("NFKC", text)  # the PDF's "ﬀ" ligature as "ff"


NAVIGATION = ["Sign out", "Skip to content", "Your account"]


def test_the_staff_patient_page_prints_the_record_without_navigation_or_forms(
    open_page: OpenPage, demo: Demo
) -> None:
    page = open_page(LAPTOP)
    sign_in(page, "alex")
    visit(page, demo.staff_page("maria"))
    text = _pdf_text(page)
    for content in ("Maria Keller", "Why, clause by clause", "C2", "How the patient has felt",
                    "Procedures", "Assessment history"):  # fmt: skip
        assert content in text, f"{content!r} is not printed"
    # The check-ins table, folded on the screen, prints open.
    assert "No different" in text
    for left_out in (*NAVIGATION, "Worklist", "Acknowledge", "Save the note", "Save the procedure",
                     "Record a procedure", "Add a note", "Show that assessment", "Correct or void",
                     "Change the contact details", "Record a change of consent"):  # fmt: skip
        assert left_out not in text, f"{left_out!r} is printed"


@pytest.mark.parametrize("screen", SCREENS)
def test_the_patients_own_page_prints_what_to_do_and_why(
    open_page: OpenPage, demo: Demo, screen: str
) -> None:
    page = open_page(SCREENS[screen])
    sign_in(page, "aiko")
    visit(page, reverse("patient-status"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    title = page.get_by_role("heading", level=1).inner_text()
    text = _pdf_text(page)
    assert " ".join(title.split()) in " ".join(text.split())
    assert "Why" in text
    assert "Guide, part" in text
    for left_out in (*NAVIGATION, "What to do now", "My history", "My data", "Check in now"):
        assert left_out not in text, f"{left_out!r} is printed"
