"""The patient's data page on a phone: downloads, the consent text, withdrawing and giving it
again; and the consent line on the staff page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.pages import (
    PHONE,
    Demo,
    OpenPage,
    assert_no_violations,
    horizontal_overflow,
    sign_in,
)
from venowatch.services.care.consent import Standing, state_of

pytestmark = pytest.mark.browser


def test_a_patient_downloads_and_withdraws_consent_on_a_phone(
    open_page: OpenPage, demo: Demo
) -> None:
    page = open_page(PHONE)
    sign_in(page, "aiko")
    page.get_by_role("navigation").get_by_role("link", name="My data").click()
    expect(page).to_have_url(demo.url + reverse("patient-data"))
    assert horizontal_overflow(page)["overflowing"] == []
    assert_no_violations(page)
    with page.expect_download() as fhir:
        page.get_by_role("link", name="Download for another health system (FHIR)").click()
    assert fhir.value.suggested_filename.endswith(".fhir.json")
    with page.expect_download() as zipped:
        page.get_by_role("link", name="Download as spreadsheet files (CSV, zipped)").click()
    assert zipped.value.suggested_filename.endswith(".zip")
    page.get_by_text("What I agree to").click()
    expect(page.get_by_text("withdraw this consent at any time")).to_be_visible()
    page.get_by_role("button", name="Withdraw my consent").click()
    expect(page.get_by_text("Tick the box to withdraw your consent.")).to_be_visible()
    page.get_by_label("I understand that reminders and messages to me stop").check()
    page.get_by_role("button", name="Withdraw my consent").click()
    expect(page.get_by_text("Your consent is withdrawn.")).to_be_visible()
    assert horizontal_overflow(page)["overflowing"] == []
    page.screenshot(path="docs/screenshots/patient-data-phone.png", full_page=True)
    assert state_of(demo.patient("aiko")).standing is Standing.WITHDRAWN
    page.get_by_role("button", name="I agree: follow me up").click()
    expect(page.get_by_text("your consent is recorded")).to_be_visible()
