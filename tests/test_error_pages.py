"""Error pages people read (issue 15): 403, 404, 405 and 500 in the house style, with the
navigation of whoever is signed in and a way back; a GET on a form's address opens its page;
the favicon every page asks for is there. The API and FHIR keep their own error answers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.staff_fixtures import signed_in, text
from tests.web_fixtures import clinic, patient, user
from venowatch.clinic.models import Note, Role
from venowatch.web import error_pages

pytestmark = pytest.mark.django_db

MAIN_PAGE = "Go to your main page"


def test_a_404_for_staff_has_their_navigation_and_a_way_back(client: Client) -> None:
    c = clinic()
    alex = user("alex", c, Role.ADVOCATE)
    page = signed_in(client, alex).get(
        "/staff/patients/999999/", HTTP_REFERER="http://testserver/staff/?q=ann"
    )
    assert page.status_code == 404
    body = text(page)
    assert "Page not found" in body
    assert 'href="/staff/"' in body  # the staff navigation's worklist
    assert MAIN_PAGE in body
    assert 'href="/staff/?q=ann"' in body  # back where they came from
    assert "site.css" in body


def test_a_404_for_a_patient_has_the_patients_navigation(client: Client) -> None:
    c = clinic()
    p = patient("Maria Keller", c)
    assert p.user is not None
    body = text(signed_in(client, p.user).get("/me/nowhere/"))
    assert reverse("patient-checkin") in body
    assert reverse("worklist") not in body


def test_a_404_for_nobody_signed_in_offers_to_sign_in(client: Client) -> None:
    page = client.get("/no-such-page/", HTTP_REFERER="https://elsewhere.example/x")
    assert page.status_code == 404
    body = text(page)
    assert "Page not found" in body
    assert reverse("login") in body
    assert "elsewhere.example" not in body  # only this site's pages are offered as the way back


def test_an_api_404_keeps_its_own_answer(client: Client) -> None:
    for path in ("/api/v1/no-such-thing", "/fhir/r4/NoSuchType/1"):
        assert MAIN_PAGE not in text(client.get(path))


def test_a_403_is_a_page_with_words() -> None:
    request = RequestFactory().get("/staff/")
    request.user = AnonymousUser()
    page = error_pages.forbidden(request, PermissionDenied())
    assert page.status_code == 403
    assert "You may not open this page" in page.content.decode()


def test_a_500_is_a_page_with_words(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    c = clinic()
    alex = user("alex", c, Role.ADVOCATE)

    def broken(who: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("venowatch.web.views.role_of", broken)
    quiet = Client(raise_request_exception=False)
    quiet.force_login(alex)
    page = quiet.get("/")
    assert page.status_code == 500
    body = text(page)
    assert "Something went wrong on our side" in body
    assert "the database went away" not in body  # no detail of the fault for the reader
    assert 'href="/staff/"' in body


def test_a_get_on_a_forms_address_opens_its_page(client: Client) -> None:
    c = clinic()
    alex = user("alex", c, Role.ADVOCATE)
    p = patient("Maria Keller", c, alex)
    signed_in(client, alex)
    for form in ("staff-add-note", "staff-add-lab", "staff-add-procedure", "staff-edit-contact"):
        opened = client.get(reverse(form, args=[p.pk]))
        assert opened.status_code == 302
        assert opened["Location"] == reverse("staff-patient", args=[p.pk])
    assert client.get(reverse("staff-add-note", args=[p.pk]), follow=True).status_code == 200
    assert Note.objects.count() == 0


def test_a_refused_form_then_reopened_shows_the_page(client: Client) -> None:
    c = clinic()
    alex = user("alex", c, Role.ADVOCATE)
    p = patient("Maria Keller", c, alex)
    url = reverse("staff-add-note", args=[p.pk])
    assert signed_in(client, alex).post(url, {"note-text": ""}).status_code == 400
    again = client.get(url, follow=True)  # the address bar still holds the form's address
    assert again.status_code == 200
    assert "Maria Keller" in text(again)


def test_another_method_on_a_page_is_a_styled_405_naming_what_it_takes(client: Client) -> None:
    c = clinic()
    alex = user("alex", c, Role.ADVOCATE)
    p = patient("Maria Keller", c, alex)
    page = signed_in(client, alex).put(reverse("staff-add-note", args=[p.pk]))
    assert page.status_code == 405
    assert page["Allow"] == "POST"
    body = text(page)
    assert "This address does not open as a page" in body
    assert 'href="/staff/"' in body


def test_the_favicon_is_served_from_the_package(client: Client) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.getvalue()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = text(client.get(reverse("login")))
    assert 'rel="icon"' in page
    assert "favicon.svg" in page
    svg = client.get("/static/venowatch/favicon.svg")
    assert svg.status_code == 200


def test_a_form_refused_by_the_csrf_check_says_what_to_do() -> None:
    c = clinic()
    alex = user("alex", c, Role.ADVOCATE)
    p = patient("Maria Keller", c, alex)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alex)
    page = client.post(reverse("staff-add-note", args=[p.pk]), {"note-text": "Called."})
    assert page.status_code == 403
    body = text(page)
    assert "This form can no longer be sent" in body
    assert 'href="/staff/"' in body
    assert Note.objects.count() == 0
    api = client.post("/api/v1/patients", {}, content_type="application/json")
    assert "This form can no longer be sent" not in text(api)  # the API answers its own way
