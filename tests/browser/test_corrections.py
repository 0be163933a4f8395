"""The page to correct or void a record, in a browser: no WCAG 2.2 A/AA violation that axe-core
finds, on a phone and a desktop; and voiding the demo's clot check-in from there, by keyboard
and mouse as staff would, shows in the patient's page as voided, in words."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

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
from venowatch.clinic.models import CheckIn

pytestmark = pytest.mark.browser


def _clot_checkin_page(demo: Demo) -> str:
    maria = demo.patient("maria")
    latest = CheckIn.objects.filter(patient=maria).latest("at")
    return reverse("staff-record", args=[maria.pk, "checkins", latest.pk])


@pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_correction_page_has_no_violations(
    open_page: OpenPage, demo: Demo, screen: Screen
) -> None:
    page = open_page(screen)
    sign_in(page, "alex")
    visit(page, _clot_checkin_page(demo))
    expect(page.get_by_role("heading", name="Correct or void a record")).to_be_visible()
    assert_no_violations(page)
    page.get_by_role("button", name="Void the record").click()
    expect(page.get_by_text("Say why the record is wrong.")).to_be_visible()
    assert_no_violations(page)


def test_staff_void_the_clot_checkin_and_see_it_voided(open_page: OpenPage, demo: Demo) -> None:
    page = open_page(DESKTOP)
    sign_in(page, "alex")
    visit(page, _clot_checkin_page(demo))
    page.get_by_label("Why should this record no longer count?").fill("entered for the wrong day")
    page.get_by_role("button", name="Void the record").click()
    expect(page.get_by_text("The record is voided; it no longer counts.")).to_be_visible()
    expect(page.get_by_text("entered for the wrong day. No longer counts.")).to_be_attached()
