"""FHIR create: `POST /fhir/r4/QuestionnaireResponse` (a check-in from another app) and
`POST /fhir/r4/Observation` (a lab). The rules are the services' (fhir_create); this edge
reads the body, and answers 201 with Location and ETag, or an OperationOutcome
(fhirserver.errors)."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from venowatch.api.auth import may_write
from venowatch.fhir import capability
from venowatch.fhirserver.errors import FhirError, body_refused, fhir, outcome
from venowatch.services.clock import utc_now
from venowatch.services.integration.fhir_create import CREATABLE, CreateRefusedError, create
from venowatch.services.integration.fhir_records import fhir_base
from venowatch.services.wire import BodyError, body_limit, read_json, request_body


def route(api: NinjaAPI) -> None:
    """The create routes, on `api` beside the reads of the same types, and in the
    CapabilityStatement."""
    for kind in sorted(CREATABLE):
        api.api_operation(["POST"], f"/{kind}")(_view(kind))
        if "create" not in capability.INTERACTIONS[kind]:
            capability.INTERACTIONS[kind] = (*capability.INTERACTIONS[kind], "create")


def _view(kind: str) -> Any:
    def create_resource(request: HttpRequest) -> HttpResponse:
        return _create(request, kind)

    create_resource.__name__ = f"create_{kind}"
    return create_resource


def read_body(request: HttpRequest) -> Any:
    """The JSON body, up to VENOWATCH_FHIR_MAX_BODY (read from the stream, so Django's
    2.5 MB cap for forms does not hold here); BodyError, for errors.body_refused to answer."""
    return read_json(request_body(request, body_limit("fhir")))


def _create(request: HttpRequest, resource_type: str) -> HttpResponse:
    try:
        data = read_body(request)
    except BodyError as exc:
        return body_refused(exc)
    kind = data.get("resourceType") if isinstance(data, dict) else None
    if kind != resource_type:
        raise FhirError(
            400, f"the body is a {kind!r}, not a {resource_type} as the URL says",
            expression="resourceType", code="invalid",
        )  # fmt: skip
    try:
        done = create(request.user, data, may_write=may_write(request), now=utc_now())
    except CreateRefusedError as exc:
        return outcome(exc.status, str(exc), code=exc.code, expression=exc.expression)
    return created(done.resource)


def location(resource: dict[str, Any]) -> str:
    """Where the created resource's version is read (FHIR's Location for a create)."""
    version = resource["meta"]["versionId"]
    return f"{fhir_base()}/{resource['resourceType']}/{resource['id']}/_history/{version}"


def etag(resource: dict[str, Any]) -> str:
    """The ETag a read of the resource gives (fhirserver.rest)."""
    return f'W/"{resource["meta"]["versionId"]}"'


def created(resource: dict[str, Any]) -> HttpResponse:
    headers = {"Location": location(resource), "ETag": etag(resource)}
    updated = resource["meta"].get("lastUpdated")
    if updated is not None:
        headers["Last-Modified"] = format_datetime(datetime.fromisoformat(updated), usegmt=True)
    return fhir(resource, 201, headers)
