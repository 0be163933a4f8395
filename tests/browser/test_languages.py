"""The patient's pages in Spanish, French and Italian, on a phone: axe-core finds no WCAG 2.2
A/AA violation in any language (the page says its language in <html lang>), and each page's
screenshot is kept in docs/screenshots/ (linked from the README)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.pages import PHONE, Demo, OpenPage, assert_no_violations, sign_in, visit
from tests.conftest import ROOT
from venowatch.clinic.models import Patient

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "docs" / "screenshots"
LANGUAGES = ("es", "fr", "it")
SAVE = {
    "es": "Guardar mi control",
    "fr": "Enregistrer mon point",
    "it": "Salva il mio aggiornamento",
}


def _errors(language: str) -> Callable[[Page], None]:
    def submit_empty(page: Page) -> None:
        page.get_by_role("button", name=SAVE[language]).click()
        expect(page.locator(".error").first).to_be_visible()

    return submit_empty


PAGES: dict[str, tuple[str | None, str, bool]] = {
    # name: (who, url name, send the form back empty)
    "sign-in": (None, "login", False),
    "status-emergency": ("maria", "patient-status", False),
    "status-routine": ("aiko", "patient-status", False),
    "check-in": ("aiko", "patient-checkin", False),
    "check-in-with-errors": ("aiko", "patient-checkin", True),
    "nothing-to-check-in": ("ben", "patient-checkin", False),  # no procedure recorded
    "history": ("aiko", "patient-history", False),
    "data": ("aiko", "patient-data", False),
    "account": ("aiko", "account", False),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_patient_page_in_each_language(
    open_page: OpenPage, demo: Demo, name: str, language: str
) -> None:
    who, url, send_back = PAGES[name]
    page = open_page(PHONE)
    if who is not None:
        sign_in(page, who)  # in English: the browser asks for it
        Patient.objects.filter(user__username=who).update(language=language)
    else:
        # The browser context's own locale sets Accept-Language (tested in test_translations);
        # here the language cookie Django's LocaleMiddleware also reads stands in for it.
        page.context.add_cookies([{"name": "django_language", "value": language, "url": demo.url}])
    visit(page, reverse(url))
    if send_back:
        _errors(language)(page)
    assert page.locator("html").get_attribute("lang") == language
    assert_no_violations(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{language}-{name}.png"
    page.screenshot(path=shot, full_page=True, animations="disabled")
