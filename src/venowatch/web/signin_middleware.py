"""Two gates every request passes after authentication: the session's time limits, then the
second factor. Both work on paths, not on views, so that no page (the admin's included) can
forget them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import ngettext

from venowatch.services.clock import utc_now
from venowatch.services.security import sessions
from venowatch.services.security.second_factor import needs_second_factor

_SIGNED_IN = "venowatch_signed_in"
_LAST_SEEN = "venowatch_last_seen"

# Paths answered by tokens or signatures, not pages: there an unverified or ended session
# only stops counting (the request goes on as anonymous, and a token still works).
_NOT_PAGES = ("/api/", "/fhir/", "/cds-services")
# What an account waiting for its second factor may still reach.
_BEFORE_SECOND_FACTOR = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/two-factor/",
    "/accounts/password-reset/",
    "/accounts/reset/",
    "/static/",
)

Handler = Callable[[HttpRequest], HttpResponse]


def start_session_clock(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    now = utc_now().timestamp()
    request.session[_SIGNED_IN] = now
    request.session[_LAST_SEEN] = now


def _times(request: HttpRequest, now: datetime) -> sessions.Times:
    session = request.session
    if _SIGNED_IN not in session:  # a session from before these limits: counted from now
        session[_SIGNED_IN] = session[_LAST_SEEN] = now.timestamp()
    return sessions.Times(
        signed_in=datetime.fromtimestamp(session[_SIGNED_IN], UTC),
        last_seen=datetime.fromtimestamp(session[_LAST_SEEN], UTC),
    )


def _to_sign_in(request: HttpRequest) -> HttpResponse:
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse('login')}?{query}")


def _ended_message(ending: sessions.Ending, idle_minutes: int, max_hours: int) -> str:
    if ending is sessions.Ending.IDLE and idle_minutes >= 60 and idle_minutes % 60 == 0:
        hours = idle_minutes // 60  # "8 hours", not "480 minutes"
        return ngettext(
            "You were signed out after %(n)d hour without activity. Please sign in again.",
            "You were signed out after %(n)d hours without activity. Please sign in again.",
            hours,
        ) % {"n": hours}
    if ending is sessions.Ending.IDLE:
        return ngettext(
            "You were signed out after %(n)d minute without activity. Please sign in again.",
            "You were signed out after %(n)d minutes without activity. Please sign in again.",
            idle_minutes,
        ) % {"n": idle_minutes}
    return ngettext(
        "You were signed out %(n)d hour after signing in. Please sign in again.",
        "You were signed out %(n)d hours after signing in. Please sign in again.",
        max_hours,
    ) % {"n": max_hours}


class SessionLimitMiddleware:
    """Ends a session idle too long or signed in too long ago, on the server (the stored
    session is flushed, not just the cookie forgotten), and keeps its expiry moving."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            refused = self._check(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        now = utc_now()
        times = _times(request, now)
        idle = sessions.idle_limit(request.user)
        ending = sessions.ending(times, now, idle)
        if ending is not None:
            logout(request)
            if request.path_info.startswith(_NOT_PAGES):
                return None
            max_hours = int(settings.VENOWATCH_SESSION_MAX.total_seconds() // 3600)
            idle_minutes = int(idle.total_seconds() // 60)
            messages.info(request, _ended_message(ending, idle_minutes, max_hours))
            return _to_sign_in(request)
        if now - times.last_seen >= sessions.TOUCH_EVERY:
            request.session[_LAST_SEEN] = now.timestamp()
            request.session.set_expiry(sessions.expiry_seconds(times, now, idle))
        return None


class SecondFactorMiddleware:
    """An account that needs a second factor (every staff and admin account, and a patient who
    turned it on) sees nothing until it has given one in this session: pages send it to the
    code (or to setting up an authenticator), and its session opens no API."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        verified = getattr(user, "is_verified", lambda: False)
        if user.is_authenticated and not verified() and needs_second_factor(user):
            path = request.path_info
            if path.startswith(_NOT_PAGES):
                request.user = AnonymousUser()
            elif not path.startswith(_BEFORE_SECOND_FACTOR):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('two-factor')}?{query}")
        return self.get_response(request)
