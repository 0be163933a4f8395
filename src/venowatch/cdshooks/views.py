"""The CDS Hooks endpoints: discovery (public, as the spec has it), the patient-view service
and its feedback endpoint (an EHR's signed JWT required). Thin: the services decide. Every
answer under /cds-services is JSON, refusals and unknown paths included, and carries the CORS
headers the spec asks for, since browser-based CDS clients call from another origin."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from venowatch.services.clock import utc_now
from venowatch.services.integration.cds.auth import Caller, TokenError, authenticate
from venowatch.services.integration.cds.feedback import record_feedback
from venowatch.services.integration.cds.patient_view import (
    SERVICE_IDS,
    BadRequestError,
    patient_view,
    services,
)
from venowatch.services.integration.cds.prefetch import MissingDataError
from venowatch.services.security import audit
from venowatch.services.security.access import log_refusal
from venowatch.services.wire import BodyError, TooLargeError, body_limit, request_body

View = Callable[..., HttpResponse]

CORS = {
    # Any origin: what a caller may do rests on the EHR's signed JWT, which a browser never
    # adds by itself, not on cookies (none are read here), so no origin gains anything.
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Expose-Headers": "WWW-Authenticate",
    "Access-Control-Max-Age": "600",
}


def cds(*methods: str) -> Callable[[View], View]:
    """A CDS Hooks endpoint answering `methods`: a CORS preflight (OPTIONS) is answered 200,
    another method 405 in JSON (with no `methods`, the view answers them all), and every
    answer gets the CORS headers. No CSRF check: calls
    are authenticated by the EHR's signed JWT, never by a browser's cookies."""
    allowed = ", ".join([*methods, "OPTIONS"])

    def wrap(view: View) -> View:
        @csrf_exempt
        def endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            service_id = kwargs.get("service_id")
            response: HttpResponse
            if service_id is not None and service_id not in SERVICE_IDS:
                # No such service, whatever the method: a 404 before a 405 or a preflight.
                response = _error(
                    404, "not_found", f"there is no CDS service {service_id!r}; see /cds-services"
                )
            elif not methods:  # nothing here: the view answers every method itself
                response = view(request, *args, **kwargs)
            elif request.method == "OPTIONS":
                response = HttpResponse(status=200)
            elif request.method not in methods:
                response = _error(405, "method_not_allowed", f"use {' or '.join(methods)}")
            else:
                response = view(request, *args, **kwargs)
            response["Access-Control-Allow-Methods"] = allowed
            if response.status_code == 405 or (
                request.method == "OPTIONS" and response.status_code == 200
            ):
                response["Allow"] = allowed
            for name, value in CORS.items():
                response[name] = value
            return response

        return endpoint

    return wrap


@cds("GET", "HEAD")
def discovery(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"services": services(utc_now())})


@cds("POST")
def service(request: HttpRequest, service_id: str) -> HttpResponse:
    now = utc_now()
    call = _signed_call(request, now)
    if isinstance(call, HttpResponse):
        return call
    caller, body = call

    def link(pk: int | None) -> str:
        # Staff sign in and see the patient if within their reach; else venowatch's home.
        path = reverse("home") if pk is None else reverse("staff-patient", args=[pk])
        return _absolute(request, path)

    try:
        issuer = caller.issuer
        audit.with_issuer(issuer.iss, issuer.clinic_id)
        servers = issuer.allowed_servers()
        return JsonResponse(patient_view(issuer.clinic, body, now, link, servers))
    except BodyError as exc:
        return _body_refused(exc)
    except BadRequestError as exc:
        return _error(400, "bad_request", exc.message)
    except MissingDataError as exc:
        return _error(412, "missing_data", exc.message)


@cds("POST")
def feedback(request: HttpRequest, service_id: str) -> HttpResponse:
    now = utc_now()
    call = _signed_call(request, now)
    if isinstance(call, HttpResponse):
        return call
    caller, body = call
    try:
        stored = record_feedback(caller.issuer, service_id, body, now)
    except BodyError as exc:
        return _body_refused(exc)
    except BadRequestError as exc:
        return _error(400, "bad_request", exc.message)
    return JsonResponse({"stored": stored})


@cds()
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    return _error(404, "not_found", f"there is nothing at {request.path}; see /cds-services")


def _signed_call(request: HttpRequest, now: datetime) -> tuple[Caller, bytes] | HttpResponse:
    """The EHR calling and its body, or the 401 or 413 refusing the call (a service and its
    feedback endpoint let in the same callers, the same bodies)."""
    caller = _caller(request, now)
    if isinstance(caller, HttpResponse):
        return caller
    body = _body(request)
    if isinstance(body, HttpResponse):
        return body
    return caller, body


def _caller(request: HttpRequest, now: datetime) -> Caller | HttpResponse:
    """The EHR calling, or the 401 that says why it is not let in."""
    try:
        return authenticate(request.headers.get("Authorization"), _absolute(request), now)
    except TokenError as exc:
        log_refusal(None, "decision_support")
        response = _error(401, "invalid_token", exc.reason)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response


def _body(request: HttpRequest) -> bytes | HttpResponse:
    """The request's body, or the 413 if it is larger than CDS Hooks takes."""
    # Not request.body and its 2.5 MB limit for forms: a prefetch of years of a patient's
    # observations is larger than that.
    try:
        return request_body(request, body_limit("cds"))
    except TooLargeError as exc:
        return _body_refused(exc)


def _absolute(request: HttpRequest, path: str | None = None) -> str:
    """The absolute URL of `path` (default: the one requested) as the EHR reaches it, which is
    what it writes in a token's aud: under the configured address, else under the address this
    request came to (behind a proxy that changes scheme or host, configure the address)."""
    path = request.path if path is None else path
    if settings.VENOWATCH_BASE_URL_SET:
        return f"{settings.VENOWATCH_BASE_URL}{path}"
    return request.build_absolute_uri(path)


def _body_refused(exc: BodyError) -> JsonResponse:
    error = {400: "bad_request", 413: "too_large", 422: "unprocessable"}[exc.status]
    return _error(exc.status, error, f"the request body is refused: {exc.message}")


def _error(status: int, error: str, message: str) -> JsonResponse:
    body: dict[str, Any] = {"error": error, "message": message}
    return JsonResponse(body, status=status)
