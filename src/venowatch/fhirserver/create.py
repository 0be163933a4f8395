"""FHIR create: `POST /fhir/r4/QuestionnaireResponse` (a check-in from another app) and
`POST /fhir/r4/Observation` (a lab). The rules are the services' (fhir_create); this edge
reads the body, and answers 201 with Location and ETag, or an OperationOutcome."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from venowatch.api.auth import may_write
from venowatch.fhirserver.write_answers import BodyTooLargeError, body_of, created, refusal
from venowatch.services.clock import utc_now
from venowatch.services.integration.fhir_create import CreateRefusedError, create
from venowatch.services.wire import read_json

router = Router()


@router.post("/QuestionnaireResponse")
def create_questionnaire_response(request: HttpRequest) -> HttpResponse:
    return _create(request, "QuestionnaireResponse")


@router.post("/Observation")
def create_observation(request: HttpRequest) -> HttpResponse:
    return _create(request, "Observation")


def _create(request: HttpRequest, resource_type: str) -> HttpResponse:
    try:
        data = read_json(body_of(request))
    except BodyTooLargeError as exc:
        return refusal(413, "too-costly", str(exc))
    except (ValueError, UnicodeDecodeError) as exc:
        return refusal(400, "structure", f"the body is not JSON: {exc}")
    kind = data.get("resourceType") if isinstance(data, dict) else None
    if kind != resource_type:
        return refusal(
            400, "invalid", f"the body is a {kind!r}, not a {resource_type} as the URL says",
            "resourceType",
        )  # fmt: skip
    try:
        done = create(request.user, data, may_write=may_write(request), now=utc_now())
    except CreateRefusedError as exc:
        return refusal(exc.status, exc.code, str(exc), exc.expression)
    return created(done.resource)
