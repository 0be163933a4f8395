"""The enrolment page and the error pages in a browser (issue 15), at 1366x768 and on a
390x844 phone: axe-core finds no WCAG 2.2 A/AA violation, nothing runs off the screen, and an
enrolment goes through from the page as a person fills it in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, Route, expect

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
from venowatch.clinic.models import Patient

pytestmark = pytest.mark.browser
SCREENS = {"laptop": LAPTOP, "phone": PHONE}


def _fits(page: Page) -> None:
    overflow = horizontal_overflow(page)
    assert not overflow["overflowing"], overflow


@pytest.mark.parametrize("screen", SCREENS)
def test_the_enrolment_page_is_accessible_empty_and_with_errors(
    open_page: OpenPage, demo: Demo, screen: str
) -> None:
    page = open_page(SCREENS[screen])
    sign_in(page, "alex")
    page.get_by_role("link", name="Enrol a patient").click()
    expect(page.get_by_role("heading", name="Enrol a patient")).to_be_visible()
    assert_no_violations(page)
    _fits(page)
    page.get_by_role("button", name="Enrol and send the invitation").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The patient is not enrolled yet")
    expect(summary).to_contain_text("Enter the patient's name.")
    expect(page.locator("#id_name_error")).to_be_visible()  # beside the field too
    assert_no_violations(page)
    _fits(page)


@pytest.mark.parametrize("screen", SCREENS)
def test_a_patient_is_enrolled_from_the_page(open_page: OpenPage, demo: Demo, screen: str) -> None:
    page = open_page(SCREENS[screen])
    sign_in(page, "admin")
    visit(page, reverse("staff-enrol"))
    page.get_by_label("Full name").fill("Nora Quinn")
    page.get_by_label("Email address").fill(f"nora.{screen}@example.org")
    page.get_by_label("Time zone").select_option("Europe/Paris")
    page.get_by_label("Patient advocate").select_option(label="Jordan Lee")
    page.get_by_label("Walking").uncheck()
    page.get_by_label("Balance").check()
    page.get_by_label("Mobile phone").fill("+33 6 12 34 56 78")
    page.get_by_role("button", name="Enrol and send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Nora Quinn is enrolled")
    nora = Patient.objects.get(name="Nora Quinn")
    assert nora.time_zone == "Europe/Paris"
    assert nora.tracked_symptoms == ["fatigue", "vision", "thinking", "balance"]
    assert nora.advocate is not None
    assert nora.advocate.username == "jordan"


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("who", ["alex", "maria", None])
def test_a_404_is_a_page_with_the_navigation(
    open_page: OpenPage, demo: Demo, screen: str, who: str | None
) -> None:
    page = open_page(SCREENS[screen])
    if who:
        sign_in(page, who)
    path = {"alex": "/staff/patients/999999/", "maria": "/me/nowhere/"}.get(who or "", "/nowhere/")
    response = page.goto(path)
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    main_page = "Go to your main page" if who else "Sign in"
    expect(page.get_by_role("main").get_by_role("link", name=main_page)).to_be_visible()
    if who == "alex":
        expect(page.get_by_role("navigation").get_by_role("link", name="Worklist")).to_be_visible()
    assert_no_violations(page)
    _fits(page)


def test_a_forms_address_reopened_shows_its_page(open_page: OpenPage, demo: Demo) -> None:
    page = open_page(LAPTOP)
    sign_in(page, "alex")
    maria = demo.patient("maria")
    response = page.goto(reverse("staff-add-note", args=[maria.pk]))
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", name="Maria Keller", exact=False).first).to_be_visible()


def _sending(method: str) -> Callable[[Route], None]:
    return lambda route: route.continue_(method=method)


@pytest.mark.parametrize("screen", SCREENS)
def test_the_405_and_500_pages_are_accessible(
    open_page: OpenPage, demo: Demo, screen: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(SCREENS[screen])
    sign_in(page, "alex")
    maria = demo.patient("maria")
    note = reverse("staff-add-note", args=[maria.pk])
    # Methods no form sends: the browser is made to send them to a form's address. A PUT
    # meets the CSRF check first; an OPTIONS the view, which takes a POST only.
    for method, status, heading in (
        ("PUT", 403, "This form can no longer be sent"),
        ("OPTIONS", 405, "This address does not open as a page"),
    ):
        page.route(f"**{note}", _sending(method))
        response = page.goto(note)
        assert response is not None
        assert response.status == status
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert_no_violations(page)
        _fits(page)
        page.unroute(f"**{note}")

    def broken(who: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("venowatch.web.views.role_of", broken)  # the live server's thread too
    response = page.goto("/")
    assert response is not None
    assert response.status == 500
    expect(page.get_by_role("heading", name="Something went wrong on our side")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name="Worklist")).to_be_visible()
    assert_no_violations(page)
    _fits(page)
