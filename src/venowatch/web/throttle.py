"""Rate limits at the edge: who a request is counted as, and the 429 it gets once over.

- sign-in and password-reset POSTs: by the client's address;
- the API: by token (or signed-in user); a request with no live token, by address;
- CDS Hooks: by address, and by issuer once its token was accepted (a forged token naming
  an issuer must not use up the issuer's limit; an issuer over its limit is refused first).

The counting is services.security.ratelimit's, in a store every process shares. A refusal is
a 429 with Retry-After and a body of the caller's kind: JSON for the API and CDS Hooks, a page
for people."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from venowatch.services.clock import utc_now
from venowatch.services.security import ratelimit
from venowatch.services.security.ratelimit import Verdict
from venowatch.web.client_address import client_address

WEB_POSTS = {"/accounts/login/": "login", "/accounts/password-reset/": "password_reset"}
API = "/api/"
API_PUBLIC = ("/openapi.json", "/docs")
"""The API's own description, public and holding no data: not counted."""
CDS = "/cds-services/"


def _client(request: HttpRequest) -> str:
    """The address counted (web/client_address: the one the outermost trusted proxy saw)."""
    return client_address(request) or ""


def _bearer(request: HttpRequest) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _wait(verdict: Verdict) -> str:
    n = verdict.retry_after
    return ngettext("try again in %(n)d second", "try again in %(n)d seconds", n) % {"n": n}


def _api_refusal(verdict: Verdict) -> HttpResponse:
    message = _("Too many requests: %(wait)s.") % {"wait": _wait(verdict)}
    response = JsonResponse({"detail": [{"loc": ["header", "Authorization"], "msg": message}]})
    response.status_code = 429
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _cds_refusal(verdict: Verdict) -> HttpResponse:
    message = _("Too many requests: %(wait)s.") % {"wait": _wait(verdict)}
    response = JsonResponse({"error": "too_many_requests", "message": message}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _web_refusal(request: HttpRequest, verdict: Verdict) -> HttpResponse:
    minutes = max(1, -(-verdict.retry_after // 60))
    response = render(request, "venowatch/too_many_requests.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith(API) and not path.rstrip("/").endswith(API_PUBLIC):
            return self._api(request)
        if path.startswith(CDS) and request.method == "POST":
            return self._cds(request)
        name = WEB_POSTS.get(path)
        if name is not None and request.method == "POST":
            verdict = ratelimit.hit(ratelimit.configured(name), _client(request), utc_now())
            if not verdict.allowed:
                return _web_refusal(request, verdict)
        return self.get_response(request)

    def _api(self, request: HttpRequest) -> HttpResponse:
        secret = _bearer(request)
        token = ratelimit.live_token(secret) if secret else None
        if token is not None:
            who, name = f"token:{token}", "api_token"
        elif request.user.is_authenticated:
            who, name = f"user:{request.user.pk}", "api_token"
        else:
            who, name = _client(request), "api_ip"
        verdict = ratelimit.hit(ratelimit.configured(name), who, utc_now())
        return self.get_response(request) if verdict.allowed else _api_refusal(verdict)

    def _cds(self, request: HttpRequest) -> HttpResponse:
        now = utc_now()
        verdict = ratelimit.hit(ratelimit.configured("cds_ip"), _client(request), now)
        if not verdict.allowed:
            return _cds_refusal(verdict)
        issuer = ratelimit.claimed_issuer(_bearer(request))
        per_issuer = ratelimit.configured("cds_issuer")
        if issuer is not None:
            verdict = ratelimit.peek(per_issuer, issuer, now)
            if not verdict.allowed:
                return _cds_refusal(verdict)
        response = self.get_response(request)
        if issuer is not None and response.status_code != 401:  # the issuer's token held
            ratelimit.hit(per_issuer, issuer, now)
        return response
