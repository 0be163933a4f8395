"""The answers of the write side (create, transaction, batch, import): a created resource with
its Location and ETag, and an OperationOutcome with the FHIRPath of the element at fault.
A small local helper while fhirserver/errors.py (the read side's) is being written; fold it
in there when both are merged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.http import http_date

from venowatch.services.integration.fhir_export import fhir_base

MAX_BODY_MESSAGE = "the body is larger than this server takes ({} bytes, VENOWATCH_FHIR_MAX_BODY)"


FHIR_JSON = "application/fhir+json"


class BodyTooLargeError(Exception):
    pass


def fhir(data: dict[str, Any], status: int = 200) -> HttpResponse:
    return JsonResponse(data, status=status, content_type=FHIR_JSON)


def issue(severity: str, code: str, message: str, expression: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": message}
    if expression is not None:
        found["expression"] = [expression]
    return found


def outcome_of(*issues: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": list(issues)}


def refusal(status: int, code: str, message: str, expression: str | None = None) -> HttpResponse:
    return fhir(outcome_of(issue("error", code, message, expression)), status)


def location(resource: dict[str, Any]) -> str:
    """Where the created resource's version is read (FHIR's Location for a create)."""
    version = resource.get("meta", {}).get("versionId", "1")
    return f"{fhir_base()}/{resource['resourceType']}/{resource['id']}/_history/{version}"


def etag(resource: dict[str, Any]) -> str:
    return f'W/"{resource.get("meta", {}).get("versionId", "1")}"'


def created(resource: dict[str, Any]) -> HttpResponse:
    answer = fhir(resource, 201)
    answer["Location"] = location(resource)
    answer["ETag"] = etag(resource)
    if "lastUpdated" in resource.get("meta", {}):
        answer["Last-Modified"] = _http_date(resource["meta"]["lastUpdated"])
    return answer


def _http_date(iso: str) -> str:
    return http_date(datetime.fromisoformat(iso).timestamp())


def body_of(request: HttpRequest) -> bytes:
    """The request's body, up to VENOWATCH_FHIR_MAX_BODY. Read from the stream rather than
    `request.body`, which is held to Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): a
    Synthea bundle is larger, and only these routes take bodies this large."""
    limit: int = settings.VENOWATCH_FHIR_MAX_BODY
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise BodyTooLargeError(MAX_BODY_MESSAGE.format(limit))
    if hasattr(request, "_body"):
        raw: bytes = request.body
    else:
        raw = request.read(limit + 1)
    if len(raw) > limit:
        raise BodyTooLargeError(MAX_BODY_MESSAGE.format(limit))
    return raw
