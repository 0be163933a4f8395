"""FHIR R4 over HTTP at /fhir/r4/: the read side (fhirserver.rest) and a patient's
$everything; creates are fhirserver.create's, and what is POSTed at the base URL (a
transaction, a batch, a Bundle to import) fhirserver.transaction's. Authentication is a
bearer token (venowatch.api.auth), or a browser session for staff; access is the API's.
Every answer is FHIR JSON, errors are OperationOutcomes (fhirserver.errors)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI

from venowatch.api.access import patient_for
from venowatch.api.auth import SessionAuth, TokenAuth
from venowatch.api.errors import ApiError
from venowatch.api.parser import WireParser
from venowatch.clinic.models import MAX_ID
from venowatch.fhir.query import QueryError, date_span
from venowatch.fhirserver import errors, rest
from venowatch.fhirserver.errors import FhirError, fhir
from venowatch.services.care.reads import export
from venowatch.services.integration.fhir_export import Window
from venowatch.services.integration.fhir_search import zone_of
from venowatch.services.security.access import Act

TOKEN_AUTH = TokenAuth()
# The browser's session too, for staff reading in a browser; as the REST API's, a request
# without credentials is a 401 that asks for a token, and a session's write needs its CSRF token.
FHIR_AUTH: list[Any] = [TOKEN_AUTH, SessionAuth()]

api = NinjaAPI(
    title="venowatch FHIR R4",
    version="1",
    auth=FHIR_AUTH,
    urls_namespace="fhir-r4",
    docs_url=None,
    openapi_url=None,
    parser=WireParser("fhir"),
)
errors.install(api)
rest.route(api, FHIR_AUTH)


def _window(request: HttpRequest) -> Window:
    """`$everything`'s parameters: start and end (dates or instants, the clinical time of
    the records), _since (stored since), _count and _offset (a page)."""
    zone = zone_of(request.user)
    spans = {}
    for name in ("start", "end", "_since"):
        raw = request.GET.get(name)
        if raw is not None:
            try:
                spans[name] = date_span(name, raw, zone)
            except QueryError as exc:
                raise FhirError(400, f"$everything?{exc.parameter}: {exc.message}") from None
    count = request.GET.get("_count")
    offset = request.GET.get("_offset", "0")
    for name, raw in (("_count", count), ("_offset", offset)):
        if raw is not None and not raw.isdigit():
            raise FhirError(400, f"$everything?{name}: expected a whole number, got {raw!r}")
    return Window(
        start=spans["start"].start if "start" in spans else None,
        end=spans["end"].end if "end" in spans else None,
        since=spans["_since"].start if "_since" in spans else None,
        count=int(count) if count is not None else None,
        offset=int(offset),
    )


@api.get("/Patient/{patient_id}/$everything")
def everything(request: HttpRequest, patient_id: str) -> HttpResponse:
    if not (patient_id.isdigit() and int(patient_id) <= MAX_ID):
        raise Http404
    try:
        patient = patient_for(request, int(patient_id), Act.VIEW)
    except ApiError:
        raise Http404 from None
    return fhir(export(request.user, patient, _window(request)))
