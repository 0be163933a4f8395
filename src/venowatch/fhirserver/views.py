"""FHIR R4 over HTTP at /fhir/r4/: the check-in's definitions, a patient's $everything, and
importing a Bundle. Authentication and access are the REST API's (venowatch.api.auth); every
answer is FHIR JSON, errors are OperationOutcomes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from venowatch.api.access import patient_for
from venowatch.api.auth import AUTH, TokenAuth, may_write
from venowatch.api.errors import ApiError
from venowatch.clinic.models import MAX_ID
from venowatch.fhir import definitions
from venowatch.protocol import Protocol
from venowatch.services.care.protocols import clinic_protocol, default_protocol
from venowatch.services.care.reads import export
from venowatch.services.clock import utc_now
from venowatch.services.integration.fhir_import import ImportRefusedError, import_bundle
from venowatch.services.security.access import Act, log_refusal, may, member_of
from venowatch.services.wire import read_json

FHIR_JSON = "application/fhir+json"
TOKEN_AUTH = TokenAuth()

api = NinjaAPI(
    title="venowatch FHIR R4",
    version="1",
    auth=AUTH,
    urls_namespace="fhir-r4",
    docs_url=None,
    openapi_url=None,
)


def fhir(data: dict[str, Any], status: int = 200) -> HttpResponse:
    return JsonResponse(data, status=status, content_type=FHIR_JSON)


def outcome(status: int, severity: str, code: str, *messages: str) -> HttpResponse:
    issues = [{"severity": severity, "code": code, "diagnostics": m} for m in messages]
    return fhir({"resourceType": "OperationOutcome", "issue": issues}, status)


def refused(exc: ImportRefusedError) -> HttpResponse:
    """An import a service refused; when a field was at fault, the issue's `expression`
    names its element, as FHIR clients look for it."""
    issue: dict[str, Any] = {
        "severity": "error",
        "code": "processing",
        "diagnostics": f"nothing imported: {exc}",
    }
    if exc.expression is not None:
        issue["expression"] = [exc.expression]
    return fhir({"resourceType": "OperationOutcome", "issue": [issue]}, 422)


def _protocol(request: HttpRequest) -> Protocol:
    """The definitions need no sign-in: a caller signed in (or with a token) gets them as
    their clinic's protocol words them, anyone else as the shipped protocol does."""
    TOKEN_AUTH(request)  # sets request.user for a live token; nothing otherwise
    member = member_of(request.user)
    return clinic_protocol(member.clinic) if member is not None else default_protocol()


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {401: "login", 403: "forbidden", 404: "not-found"}.get(exc.status_code, "processing")
    return outcome(exc.status_code, "error", code, str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return outcome(404, "error", "not-found", "no such resource")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return outcome(400, "error", "invalid", *(str(e.get("msg", e)) for e in exc.errors))


# The definitions are the same for everyone and say nothing about a patient: no sign-in.
@api.get("/Questionnaire/venowatch-checkin", auth=None)
def checkin_questionnaire(request: HttpRequest) -> HttpResponse:
    return fhir(definitions.questionnaire(_protocol(request)))


@api.get("/CodeSystem/{name}", auth=None)
def code_system(request: HttpRequest, name: str) -> HttpResponse:
    found = definitions.code_system(name, _protocol(request))
    if found is None:
        raise Http404
    return fhir(found)


@api.get("/Patient/{patient_id}/$everything")
def everything(request: HttpRequest, patient_id: str) -> HttpResponse:
    if not (patient_id.isdigit() and int(patient_id) <= MAX_ID):
        raise Http404
    try:
        patient = patient_for(request, int(patient_id), Act.VIEW)
    except ApiError:
        raise Http404 from None
    return fhir(export(request.user, patient))


@api.post("/")
def import_(request: HttpRequest) -> HttpResponse:
    member = member_of(request.user)
    if member is None or not may_write(request) or not may(request.user, Act.RECORD_PROCEDURE):
        log_refusal(request.user, "import")
        return outcome(403, "error", "forbidden", "importing needs write access as staff")
    try:
        data = read_json(request.body)
    except RequestDataTooBig:
        return outcome(413, "error", "too-costly", "the bundle is larger than the server takes")
    except (ValueError, UnicodeDecodeError) as exc:
        return outcome(400, "error", "structure", f"the body is not JSON: {exc}")
    try:
        report = import_bundle(member.clinic, data, by=request.user, now=utc_now())
    except ImportRefusedError as exc:
        return refused(exc)
    skipped = [
        {
            "severity": "warning",
            "code": "not-supported",
            "diagnostics": f"{s.resource_type}/{s.id or '(no id)'}: {s.reason}",
        }
        for s in report.skipped
    ]
    summary = [
        {"severity": "information", "code": "informational", "diagnostics": line}
        for line in report.summary()
    ]
    return fhir({"resourceType": "OperationOutcome", "issue": [*summary, *skipped]})
