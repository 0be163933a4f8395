"""Cover on a phone (issue 11): a colleague sees another advocate's emergency patient on top
of the worklist, opens her page from there, searches the worklist, and takes a patient over
with a reason, which the patient page then shows. Each page fits a 390 x 844 screen and
passes axe."""

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
    visit,
)
from venowatch.clinic.models import Takeover

pytestmark = pytest.mark.browser


def _fits(page: object) -> None:
    layout = horizontal_overflow(page)  # type: ignore[arg-type]
    assert layout["overflowing"] == [], f"content past the right edge: {layout}"
    assert layout["scrollWidth"] <= layout["width"], f"the page scrolls sideways: {layout}"


def test_a_colleague_covers_an_emergency_on_a_phone(open_page: OpenPage, demo: Demo) -> None:
    maria = demo.patient("maria")
    assert maria.advocate is not None
    colleague = "jordan" if maria.advocate.username == "alex" else "alex"
    page = open_page(PHONE)
    sign_in(page, colleague)
    visit(page, reverse("worklist"))
    emergencies = page.get_by_role("region", name="open emergency at the clinic")
    expect(emergencies).to_be_visible()
    expect(emergencies).to_contain_text("Not acknowledged yet")
    _fits(page)
    assert_no_violations(page)

    search = page.get_by_role("searchbox", name="Find a patient")
    search.fill("MARIA")
    page.get_by_role("button", name="Show patients").click()
    table = page.get_by_role("region", name="Patients")
    expect(table).to_contain_text("No patients match.")  # not in the colleague's care

    emergencies.get_by_role("link", name="Maria Keller", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Maria Keller")
    page.get_by_role("link", name="Take over this patient").click()
    _fits(page)
    assert_no_violations(page)
    page.get_by_role("button", name="Take over").click()
    expect(page.get_by_text("Say why you are taking this patient over.").first).to_be_visible()
    page.get_by_label("Reason").fill("Covering while my colleague is off sick.")
    page.get_by_role("button", name="Take over").click()
    expect(page.get_by_text("You are now Maria Keller's advocate.")).to_be_visible()
    expect(page.get_by_text("Taken over by")).to_be_visible()
    _fits(page)
    assert Takeover.objects.get(patient=maria).by.username == colleague  # type: ignore[union-attr]
