"""The CapabilityStatement at /fhir/r4/metadata: what this server serves, written from the same
tables the server runs on (query.PARAMETERS, and the interactions below), so it cannot claim
what is not there. Pure: the caller gives the base URL and the software's version."""

from __future__ import annotations

from typing import Any

from venowatch.fhir.query import PARAMETERS, RESULT

STATEMENT_DATE = "2026-12-01"
"""When this statement last changed: the CapabilityStatement's `date` (required)."""

READ_ONLY = ("read", "vread")
INTERACTIONS: dict[str, tuple[str, ...]] = {
    "Patient": (*READ_ONLY, "search-type"),
    "Procedure": (*READ_ONLY, "search-type"),
    "Observation": (*READ_ONLY, "search-type"),
    "QuestionnaireResponse": (*READ_ONLY, "search-type"),
    "RiskAssessment": (*READ_ONLY, "search-type"),
    "Questionnaire": (*READ_ONLY, "search-type"),
    "CodeSystem": READ_ONLY,
}
"""What each resource type answers. Other modules add to it (create, for instance) when they
route it: the statement is built from this table at each request."""

SYSTEM_INTERACTIONS: list[str] = []
"""Interactions at the base URL (transaction, batch), added by the modules that serve them."""

OPERATIONS = {"Patient": [("everything", "Patient-everything")]}

_SECURITY = (
    "Every request that reads or writes a patient's record needs an API token from venowatch, "
    "sent as 'Authorization: Bearer <token>' (made by an administrator under Settings, read "
    "or write scope). The token acts as the staff member or patient it was made for: a "
    "record outside their reach does not exist (404). The Questionnaire, the CodeSystems and "
    "this statement are public."
)


def capability_statement(base: str, software_version: str) -> dict[str, Any]:
    resources = [_resource(name, interactions) for name, interactions in INTERACTIONS.items()]
    rest: dict[str, Any] = {
        "mode": "server",
        "documentation": "FHIR R4 (4.0.1), JSON only. Searches page with _count and _offset "
        "(next and previous links); unknown search parameters are ignored and left out of the "
        "self link, or refused with 'Prefer: handling=strict'.",
        "security": {
            "cors": False,
            "service": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/"
                            "restful-security-service",
                            "code": "OAuth",
                            "display": "OAuth",
                        }
                    ],
                    "text": "Bearer tokens issued by venowatch (no OAuth authorization server)",
                }
            ],
            "description": _SECURITY,
        },
        "resource": resources,
    }
    if SYSTEM_INTERACTIONS:
        rest["interaction"] = [{"code": code} for code in SYSTEM_INTERACTIONS]
    return {
        "resourceType": "CapabilityStatement",
        "id": "venowatch",
        "url": f"{base}/metadata",
        "name": "VenowatchFhirServer",
        "title": "venowatch FHIR R4 server",
        "status": "active",
        "date": STATEMENT_DATE,
        "publisher": "venowatch",
        "kind": "instance",
        "software": {"name": "venowatch", "version": software_version},
        "implementation": {"description": "venowatch follow-up after venoplasty", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["json", "application/fhir+json"],
        "rest": [rest],
    }


def _resource(name: str, interactions: tuple[str, ...]) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "type": name,
        "interaction": [{"code": code} for code in interactions],
        "versioning": "versioned",
        "readHistory": False,
        "conditionalRead": "not-match",
    }
    params = PARAMETERS.get(name, ())
    if params:
        resource["searchParam"] = [
            {
                "name": p.name,
                "definition": f"http://hl7.org/fhir/SearchParameter/{_definition(name, p.name)}",
                "type": p.kind.value,
                "documentation": p.documentation,
            }
            for p in params
        ] + [
            {"name": r, "type": "number", "documentation": "Paging: " + _RESULT_DOCS[r]}
            for r in sorted(RESULT)
        ]
    operations = OPERATIONS.get(name)
    if operations:
        resource["operation"] = [
            {"name": op, "definition": f"http://hl7.org/fhir/OperationDefinition/{definition}"}
            for op, definition in operations
        ]
    return resource


_RESULT_DOCS = {
    "_count": "entries per page (default 50, at most 500)",
    "_offset": "entries skipped before this page (the next and previous links carry it)",
}

_SHARED_DEFINITIONS = {"patient": "clinical-patient", "date": "clinical-date",
                       "code": "clinical-code", "identifier": "Patient-identifier"}  # fmt: skip


def _definition(resource: str, param: str) -> str:
    """The id of the SearchParameter the spec defines for `param` on `resource`."""
    if resource == "Patient" and param == "identifier":
        return "Patient-identifier"
    if resource in ("Procedure", "Observation") and param in _SHARED_DEFINITIONS:
        return _SHARED_DEFINITIONS[param]
    if param == "patient":
        return f"{resource}-patient"
    return f"{resource}-{param}"
