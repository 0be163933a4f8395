"""Error pages people read: 403, 404, 405 and 500 in the house style, with the navigation of
whoever is signed in and a way back. The API, FHIR and CDS Hooks answer their own errors as
JSON or an OperationOutcome (their edges); a path of theirs that reaches these handlers keeps
Django's plain answer, so nothing here decides an integrator's error format.

A GET on an address that only takes a POST (a form's address, left in the address bar after a
refused form came back, or reopened from the history) is not an error a person should see: it
goes to the page the form lives on, the nearest address above it that is a page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import csrf, defaults

from venowatch.clinic.models import Role
from venowatch.services.security.access import role_of

NOT_PAGES = ("/api/", "/fhir/", "/cds-services")
"""Answered by edges with their own error formats (web.signin_middleware's list too)."""

_TITLES: dict[int | str, tuple[str, str]] = {
    403: (
        gettext_noop("You may not open this page"),
        gettext_noop(
            "Your account does not allow this. If you think it should, ask your clinic's "
            "administrator."
        ),
    ),
    404: (
        gettext_noop("Page not found"),
        gettext_noop(
            "There is nothing at this address, or it is not yours to see. Check the address, "
            "or start again from your main page."
        ),
    ),
    405: (
        gettext_noop("This address does not open as a page"),
        gettext_noop(
            "It takes a form sent from another page: go back to that page and send it again."
        ),
    ),
    "csrf": (
        gettext_noop("This form can no longer be sent"),
        gettext_noop(
            "The page was open a long time, or you signed in again since. Go back, reload the "
            "page and send the form again; what you typed may need typing again."
        ),
    ),
    500: (
        gettext_noop("Something went wrong on our side"),
        gettext_noop(
            "The page could not be shown. Nothing you did caused this, and it has been logged "
            "for the team. Try again in a minute. In an emergency call your interventional "
            "radiologist or go to the emergency room."
        ),
    ),
}


def _is_page(request: HttpRequest) -> bool:
    return not request.path_info.startswith(NOT_PAGES)


def _back(request: HttpRequest) -> str:
    """The page the person came from, when it is on this site; else nothing."""
    referer = request.headers.get("Referer", "")
    parts = urlsplit(referer)
    if not referer or parts.netloc != request.get_host() or parts.path == request.path:
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _nav(request: HttpRequest) -> str:
    """Which navigation the page carries: the staff's, the patient's, or none."""
    try:
        role = role_of(request.user)
    except Exception:  # a 500 may come from the database itself: the page must still show
        return ""
    if role is Role.PATIENT:
        return "venowatch/patient_nav.html"
    if role in (Role.ADVOCATE, Role.CLINICIAN, Role.ADMIN):
        return "venowatch/staff_nav.html"
    return ""


def error_page(request: HttpRequest, status: int, reason: int | str | None = None) -> HttpResponse:
    title, explanation = _TITLES[status if reason is None else reason]
    context: dict[str, Any] = {
        "status": status,
        "heading": _(title),
        "explanation": _(explanation),
        "nav": _nav(request),
        "back": _back(request),
    }
    try:
        body = render_to_string("venowatch/error.html", context, request=request)
    except Exception:  # rendering needs the session and the user: without them, plain words
        body = render_to_string("venowatch/error_plain.html", context)
    return HttpResponse(body, status=status)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not _is_page(request):
        return defaults.permission_denied(request, exception or Exception())
    return error_page(request, 403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not _is_page(request):
        return defaults.page_not_found(request, exception or Resolver404())
    return error_page(request, 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check (Django's CSRF_FAILURE_VIEW), in words a person acts
    on: most often a page left open past its session."""
    if not _is_page(request):
        return csrf.csrf_failure(request, reason)
    return error_page(request, 403, "csrf")


def server_error(request: HttpRequest) -> HttpResponse:
    if not _is_page(request):
        return defaults.server_error(request)
    return error_page(request, 500)


def _page_above(path: str) -> str | None:
    """The nearest address above `path` that resolves to a view (the form's page)."""
    parts = path.rstrip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        candidate = "/".join(parts) + "/"
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return candidate
    return None


class MethodNotAllowedMiddleware:
    """Turns the empty 405 of a POST-only page into the page the form lives on (a GET) or a
    styled 405 (any other method), keeping the Allow header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code != 405 or not _is_page(request):
            return response
        if request.method in ("GET", "HEAD"):
            above = _page_above(request.path_info)
            if above is not None:
                return HttpResponseRedirect(request.META.get("SCRIPT_NAME", "") + above)
        page = error_page(request, 405)
        if "Allow" in response:
            page["Allow"] = response["Allow"]
        return page
