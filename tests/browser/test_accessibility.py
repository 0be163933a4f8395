"""Every page, in each state that matters, has no WCAG 2.2 A/AA violation that axe-core finds.

axe-core finds perhaps half of what a person with a screen reader would; the other tests here
cover some of the rest (keyboard, zoom, no JavaScript), and a manual review the remainder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.pages import (
    DESKTOP,
    PHONE,
    Demo,
    OpenPage,
    Screen,
    assert_no_violations,
    sign_in,
    visit,
)

pytestmark = pytest.mark.browser


def failed_sign_in(page: Page) -> None:
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()


def empty_check_in(page: Page) -> None:
    """Submit without answering the one required question: the page comes back with errors."""
    page.get_by_role("button", name="Save my check-in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please check the answers marked below.")
    # Said by the question, and linked to it from the summary at the top.
    expect(page.locator("#pgic-error")).to_have_text(
        "Choose how you feel compared with before the procedure."
    )
    expect(page.get_by_role("alert").get_by_role("link")).to_have_attribute("href", "#pgic-group")


@dataclass(frozen=True)
class Scan:
    who: str | None  # demo login, or None for nobody signed in
    url: Callable[[Demo], str]
    then: Callable[[Page], None] | None = None
    screen: Screen = PHONE


PATIENT_PAGES = {
    "sign-in": Scan(None, lambda d: reverse("login")),
    "sign-in-failed": Scan(None, lambda d: reverse("login"), then=failed_sign_in),
    "status-emergency": Scan("maria", lambda d: reverse("patient-status")),
    "status-routine": Scan("aiko", lambda d: reverse("patient-status")),
    "check-in": Scan("aiko", lambda d: reverse("patient-checkin")),
    "check-in-with-errors": Scan("aiko", lambda d: reverse("patient-checkin"), then=empty_check_in),
    # Within 48 hours of a procedure the check-in also asks whether symptoms came back.
    "check-in-first-hours": Scan("tom", lambda d: reverse("patient-checkin")),
    "history": Scan("aiko", lambda d: reverse("patient-history")),
}
STAFF_PAGES = {
    "worklist": Scan("alex", lambda d: reverse("worklist"), screen=DESKTOP),
    "patient-emergency": Scan("alex", lambda d: d.staff_page("maria"), screen=DESKTOP),
    "patient-routine": Scan("alex", lambda d: d.staff_page("aiko"), screen=DESKTOP),
}


def scan(open_page: OpenPage, demo: Demo, page_scan: Scan) -> None:
    page = open_page(page_scan.screen)
    if page_scan.who:
        sign_in(page, page_scan.who)
    visit(page, page_scan.url(demo))
    if page_scan.then:
        page_scan.then(page)
    assert_no_violations(page)


@pytest.mark.parametrize("name", PATIENT_PAGES)
def test_patient_page_has_no_wcag_violations(open_page: OpenPage, demo: Demo, name: str) -> None:
    scan(open_page, demo, PATIENT_PAGES[name])


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_page_has_no_wcag_violations(open_page: OpenPage, demo: Demo, name: str) -> None:
    scan(open_page, demo, STAFF_PAGES[name])
