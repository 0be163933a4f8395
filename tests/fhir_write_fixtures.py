"""Resources another app sends venowatch, for the FHIR write tests: a check-in of
venowatch's own questionnaire and a CBC lab, each a few minutes old."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from venowatch.fhir import codes
from venowatch.services.clock import utc_now


def checkin_response(patient_id: int, minutes_ago: int = 5, **changes: Any) -> dict[str, Any]:
    at = (utc_now() - timedelta(minutes=minutes_ago)).isoformat()
    resource = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": codes.CHECKIN_QUESTIONNAIRE,
        "status": "completed",
        "subject": {"reference": f"Patient/{patient_id}"},
        "authored": at,
        "item": [
            {"linkId": "pgic", "answer": [{"valueCoding": {
                "system": codes.PGIC_SYSTEM, "code": "much_worse"}}]},
            {"linkId": "symptoms", "item": [
                {"linkId": "symptoms.name", "answer": [{"valueString": "fatigue"}]},
                {"linkId": "symptoms.rating", "answer": [{"valueInteger": 6}]},
            ]},
        ],
    }  # fmt: skip
    resource.update(changes)
    return resource


def lab(patient_id: int, **changes: Any) -> dict[str, Any]:
    resource = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": codes.LOINC, "code": "58410-2"}]},
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": (utc_now() - timedelta(hours=1)).isoformat(),
        "interpretation": [{"coding": [{"system": codes.INTERPRETATION, "code": "N"}]}],
    }
    resource.update(changes)
    return resource
