"""The CDS Hooks endpoints: discovery (public, as the spec has it) and the patient-view service
(an EHR's signed JWT required). Thin: the services decide; every refusal is JSON."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from venowatch.services.clock import utc_now
from venowatch.services.integration.cds.auth import TokenError, authenticate
from venowatch.services.integration.cds.patient_view import SERVICE, BadRequestError, patient_view
from venowatch.services.integration.cds.prefetch import MissingDataError
from venowatch.services.security import audit
from venowatch.services.security.access import log_refusal

MAX_BODY = 64 << 20


def discovery(request: HttpRequest) -> JsonResponse:
    if request.method != "GET":
        return _error(405, "method_not_allowed", "use GET")
    return JsonResponse({"services": [SERVICE]})


@csrf_exempt  # authenticated by the EHR's signed JWT, never by a browser's cookies
def patient_view_service(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return _error(405, "method_not_allowed", "use POST")
    now = utc_now()
    try:
        caller = authenticate(request.headers.get("Authorization"), _absolute(request), now)
    except TokenError as exc:
        log_refusal(None, "decision_support")
        response = _error(401, "invalid_token", exc.reason)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    # Read directly, not through request.body and its 2.5 MB limit for forms: a prefetch of
    # years of a patient's observations is larger than that.
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _error(413, "too_large", f"the request body is larger than {MAX_BODY} bytes")

    def link(pk: int | None) -> str:
        # Staff sign in and see the patient if within their reach; else venowatch's home.
        path = reverse("home") if pk is None else reverse("staff-patient", args=[pk])
        return _absolute(request, path)

    try:
        issuer = caller.issuer
        audit.with_issuer(issuer.iss, issuer.clinic_id)
        servers = issuer.allowed_servers()
        return JsonResponse(patient_view(issuer.clinic, body, now, link, servers))
    except BadRequestError as exc:
        return _error(400, "bad_request", exc.message)
    except MissingDataError as exc:
        return _error(412, "missing_data", exc.message)


def _absolute(request: HttpRequest, path: str | None = None) -> str:
    """The absolute URL of `path` (default: the one requested) as the EHR reaches it, which is
    what it writes in a token's aud: under the configured address, else under the address this
    request came to (behind a proxy that changes scheme or host, configure the address)."""
    path = request.path if path is None else path
    if settings.VENOWATCH_BASE_URL_SET:
        return f"{settings.VENOWATCH_BASE_URL}{path}"
    return request.build_absolute_uri(path)


def _error(status: int, error: str, message: str) -> JsonResponse:
    body: dict[str, Any] = {"error": error, "message": message}
    return JsonResponse(body, status=status)
