"""The patient's pages as patients use them: by keyboard, with large text, without JavaScript,
and in an emergency on a phone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.pages import (
    DESKTOP,
    DESKTOP_AT_200_PERCENT,
    PHONE,
    Demo,
    OpenPage,
    Screen,
    double_text_size,
    horizontal_overflow,
    sign_in,
    tab_to,
    visit,
)
from venowatch.clinic.models import CheckIn
from venowatch.services.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

SAVED = "Thank you. Your check-in is saved."


def test_check_in_by_keyboard_alone(open_page: OpenPage, demo: Demo) -> None:
    """Sign in and check in with Tab, Space and Enter (and typing the credentials): no mouse.
    Within a group of radio buttons Tab reaches the first answer; choosing another takes the
    arrow keys, as in every browser."""
    page = open_page(PHONE)
    visit(page, reverse("login"))
    tab_to(page, page.get_by_label("Username"))  # Django's login form focuses it on load
    page.keyboard.type("aiko")
    assert tab_to(page, page.get_by_label("Password"), limit=1) == 1
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(demo.url + reverse("patient-status"))

    skip = page.get_by_role("link", name="Skip to content")
    assert tab_to(page, skip) == 1, "the skip link is not the first stop"
    box = skip.bounding_box()
    assert box is not None
    assert box["x"] >= 0, "the focused skip link stays off screen"

    tab_to(page, page.get_by_role("navigation").get_by_role("link", name="Check in", exact=True))
    page.keyboard.press("Enter")
    expect(page).to_have_url(demo.url + reverse("patient-checkin"))

    first_answer = page.get_by_role("radio").first
    tab_to(page, first_answer)
    page.keyboard.press("Space")
    expect(first_answer).to_be_checked()
    summary = page.get_by_text("Rate your symptoms (optional)")
    tab_to(page, summary)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Fatigue, 0 (none) to 10 (worst) — optional")).to_be_visible()
    save = page.get_by_role("button", name="Save my check-in")
    tab_to(page, save)
    page.keyboard.press("Enter")

    expect(page).to_have_url(demo.url + reverse("patient-status"))
    expect(page.get_by_role("status")).to_contain_text(SAVED)
    latest = CheckIn.objects.filter(patient=demo.patient("aiko")).latest("at")
    assert latest.pgic == "very_much_improved"


ZOOMED_PAGES = {
    "sign-in": (None, "login"),
    "status-emergency": ("maria", "patient-status"),
    "status-routine": ("aiko", "patient-status"),
    "check-in": ("aiko", "patient-checkin"),
    "check-in-first-hours": ("tom", "patient-checkin"),
    "history": ("aiko", "patient-history"),
    "check-in-nothing-yet": ("ben", "patient-checkin"),  # no procedure recorded
}
ZOOMS = {
    # WCAG 1.4.4, text only: a desktop browser's text size at 200%.
    "text-200": (DESKTOP, True),
    # WCAG 1.4.4 and 1.4.10, whole page: a 1280 px window at 200% zoom is a 640 px one.
    "zoom-200": (DESKTOP_AT_200_PERCENT, False),
    # WCAG 1.4.10: reflow at 320 CSS px wide (a 1280 px window at 400%, or a small phone).
    "reflow-320": (Screen(320, 640, mobile=True), False),
    # Beyond AA: a phone with its text size at 200%, as many of these patients use them.
    "phone-text-200": (PHONE, True),
}


# Known gaps beyond WCAG AA, kept visible: strict, so a fix makes the test say to drop the mark.


@pytest.mark.parametrize(
    ("name", "zoom"),
    [
        pytest.param(
            name,
            zoom,
            id=f"{name}-{zoom}",
        )
        for name in ZOOMED_PAGES
        for zoom in ZOOMS
    ],
)
def test_patient_pages_at_200_percent_lose_nothing(
    open_page: OpenPage, demo: Demo, name: str, zoom: str
) -> None:
    who, url_name = ZOOMED_PAGES[name]
    screen, text_only = ZOOMS[zoom]
    page = open_page(screen)
    if who:
        sign_in(page, who)
    visit(page, reverse(url_name))
    if text_only:
        double_text_size(page)
    layout = horizontal_overflow(page)
    assert layout["overflowing"] == [], f"content past the right edge: {layout}"
    assert layout["scrollWidth"] <= layout["width"], f"the page scrolls sideways: {layout}"
    _key_content_is_visible(page)


def _key_content_is_visible(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for control in page.locator("nav a, nav button, main button, main a.button").all():
        expect(control).to_be_visible()
    emergency = page.get_by_role("alert")
    if emergency.count():
        expect(emergency.get_by_role("link").first).to_be_visible()


def test_patient_pages_work_without_javascript(open_page: OpenPage, demo: Demo) -> None:
    page = open_page(PHONE, javascript=False)
    sign_in(page, "ruth")
    visit(page, reverse("patient-checkin"))
    page.get_by_label("No different").check()
    page.get_by_text("Rate your symptoms (optional)").click()  # <details> needs no script
    page.get_by_label("Fatigue, 0 (none) to 10 (worst) — optional").fill("5")
    page.get_by_label("Anything else? (optional)").fill("Tired after the drive.")
    page.get_by_role("button", name="Save my check-in").click()

    expect(page).to_have_url(demo.url + reverse("patient-status"))
    expect(page.get_by_role("status")).to_contain_text(SAVED)
    latest = CheckIn.objects.filter(patient=demo.patient("ruth")).latest("at")
    assert (latest.pgic, latest.symptoms, latest.note) == (
        "no_change",
        {"fatigue": 5},
        "Tired after the drive.",
    )
    visit(page, reverse("patient-history"))
    expect(page.get_by_role("table").get_by_role("row").nth(1)).to_contain_text("No different")
    expect(page.locator("figure svg")).to_be_visible()


def test_the_emergency_banner_offers_a_tap_to_call_link_to_the_ir(
    open_page: OpenPage, demo: Demo
) -> None:
    page = open_page(PHONE)
    sign_in(page, "maria")
    expect(page).to_have_url(demo.url + reverse("patient-status"))
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("Possible blood clot: act now")
    clinic = demo.clinic
    call = banner.get_by_role("link", name=f"Call {clinic.ir_name}: {clinic.ir_phone}")
    expect(call).to_have_attribute("href", f"tel:{clinic.ir_phone}")
    box = call.bounding_box()
    assert box is not None
    assert min(box["width"], box["height"]) >= 44, f"tap target too small: {box}"
    assert box["y"] + box["height"] <= PHONE.height, "the call link is not on the first screen"
