"""Every FHIR answer a test gets, checked: FHIR JSON, valid on the official R4 JSON Schema and
on fhir.resources' R4B models, and no empty array or object anywhere (FHIR JSON forbids them,
and neither the schema nor the models catch them).

tests/conftest.py loads this module as a plugin: every test's Django test client checks each
response under /fhir/r4/ as it arrives, errors included (an autouse fixture); `fhir_client`
also counts them. Or call `check_fhir_response` on any response: tests/fhir_client.py hooks it
into requests for the live-server client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B import get_fhir_model_class

from tests.fhir_fixtures import schema_errors

FHIR_JSON = "application/fhir+json"
PREFIX = "/fhir/r4"


def empty_parts(value: Any, where: str = "") -> list[str]:
    """The paths of every empty array, empty object or empty string in `value`."""
    found, stack = [], [(value, where or "$")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict):
            if not item:
                found.append(f"{path}: empty object")
            stack += [(v, f"{path}.{k}") for k, v in item.items()]
        elif isinstance(item, list):
            if not item:
                found.append(f"{path}: empty array")
            stack += [(v, f"{path}[{i}]") for i, v in enumerate(item)]
        elif item == "":
            found.append(f"{path}: empty string")
    return sorted(found)


def model_errors(resource: dict[str, Any]) -> list[str]:
    """What fhir.resources' R4B model of the resource's type finds wrong with it."""
    try:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    except Exception as exc:  # pydantic's ValidationError, or an unknown resource type
        return [str(exc)]
    return []


ERRATUM = "fhirVersion: '4.0.1' is not one of"
"""The official R4 4.0.1 schema's FHIRVersion enum stops at 4.0.0 (an erratum of the
published schema): a CapabilityStatement telling the truth, 4.0.1, is refused for that alone.
That one message is set aside; the R4B models still check the element."""


def resource_problems(resource: Any) -> list[str]:
    if not isinstance(resource, dict) or "resourceType" not in resource:
        return [f"not a FHIR resource: {str(resource)[:200]}"]
    schema = [e for e in schema_errors(resource) if not e.startswith(ERRATUM)]
    return [*schema, *model_errors(resource), *empty_parts(resource)]


def check_fhir_response(status: int, content_type: str, body: bytes, what: str) -> None:
    """Fail the test unless this answer is a valid FHIR resource (a 304 has no body)."""
    if status == 304:
        assert body == b"", f"{what}: a 304 with a body"
        return
    assert content_type.startswith(FHIR_JSON), f"{what}: {status} answered as {content_type}"
    resource = json.loads(body)
    problems = resource_problems(resource)
    assert problems == [], f"{what} ({status}): {problems}"
    if status >= 400:
        assert resource["resourceType"] == "OperationOutcome", f"{what}: {status} not an outcome"


def _checked(request: dict[str, Any], response: Any) -> bool:
    """Check `response` if `request` went to the FHIR server; whether it did."""
    path = request.get("PATH_INFO", "")
    if path != PREFIX and not path.startswith(f"{PREFIX}/"):
        return False
    what = f"{request.get('REQUEST_METHOD')} {path}?{request.get('QUERY_STRING', '')}"
    check_fhir_response(
        response.status_code, response.get("Content-Type", ""), response.content, what
    )
    return True


@pytest.fixture(autouse=True)
def _every_fhir_answer_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test's Django test client checks what the FHIR server answers it: a test of the
    server written anywhere in the suite cannot pass on an invalid answer."""
    original = Client.request

    def request(self: Client, **request: Any) -> Any:
        response = original(self, **request)
        if _checked(request, response) and isinstance(self, CheckedClient):
            self.seen += 1
        return response

    monkeypatch.setattr(Client, "request", request)


class CheckedClient(Client):
    """Django's test client (checked as every test's is); `seen` counts its FHIR answers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen = 0


@pytest.fixture
def fhir_client() -> CheckedClient:
    return CheckedClient()
