"""Scenario timelines written as the FHIR R4 resources an EHR would send for them."""

from __future__ import annotations

from typing import Any

from venowatch.fhir import codes
from venowatch.protocol import LabKind, ProcedureKind


def patient(patient_id: str) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": patient_id, "active": True}


def searchset(resources: list[dict[str, Any]], next_url: str | None = None) -> dict[str, Any]:
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
    }
    if next_url is not None:
        bundle["link"] = [{"relation": "next", "url": next_url}]
    return bundle


def prefetch(timeline: dict[str, Any], patient_id: str) -> dict[str, Any]:
    """The service's prefetch keys filled in for `timeline` (a scenario's)."""
    subject = {"reference": f"Patient/{patient_id}"}
    return {
        "patient": patient(patient_id),
        "procedures": searchset(
            [_procedure(p, n, subject) for n, p in enumerate(timeline.get("procedures", []))]
        ),
        "responses": searchset(
            [_checkin(c, n, subject) for n, c in enumerate(timeline.get("checkins", []))]
        ),
        "observations": searchset(
            [_lab(lab, n, subject) for n, lab in enumerate(timeline.get("labs", []))]
        ),
    }


def _procedure(p: dict[str, Any], n: int, subject: dict[str, str]) -> dict[str, Any]:
    code = codes.PROCEDURE_CODE[ProcedureKind(p["kind"])]
    return {
        "resourceType": "Procedure",
        "id": f"proc-{n}",
        "status": "completed",
        "code": {"coding": [{"system": codes.VENOWATCH_SYSTEM, "code": code}]},
        "subject": subject,
        "performedDateTime": p["performed_at"],
    }


def _checkin(c: dict[str, Any], n: int, subject: dict[str, str]) -> dict[str, Any]:
    pgic = {"system": codes.PGIC_SYSTEM, "code": c["pgic"]}
    items: list[dict[str, Any]] = [{"linkId": "pgic", "answer": [{"valueCoding": pgic}]}]
    if "symptoms_returned" in c:
        back = [{"valueBoolean": c["symptoms_returned"]}]
        items.append({"linkId": codes.SYMPTOMS_RETURNED, "answer": back})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": f"checkin-{n}",
        "questionnaire": codes.CHECKIN_QUESTIONNAIRE,
        "status": "completed",
        "subject": subject,
        "authored": c["at"],
        "item": items,
    }


def _lab(lab: dict[str, Any], n: int, subject: dict[str, str]) -> dict[str, Any]:
    code = codes.LAB_CODE[LabKind(lab["kind"])]
    flag = "N" if lab["result"] == "normal" else "A"
    return {
        "resourceType": "Observation",
        "id": f"lab-{n}",
        "status": "final",
        "code": {"coding": [{"system": codes.VENOWATCH_SYSTEM, "code": code}]},
        "subject": subject,
        "effectiveDateTime": lab["at"],
        "interpretation": [{"coding": [{"system": codes.INTERPRETATION, "code": flag}]}],
        **({"valueString": lab["finding"]} if lab.get("finding") else {}),
    }
