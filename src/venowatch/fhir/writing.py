"""Engine records and assessments written as FHIR R4 resources (plain JSON), the reverse of
venowatch.fhir.reading: what these write, that reads back as the same records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from venowatch.fhir import codes
from venowatch.fhir.coded import NO_CODES, NO_DEMOGRAPHICS, Codes, Demographics, Phone, Site
from venowatch.protocol import (
    Assessment,
    CheckIn,
    Lab,
    LabResult,
    Procedure,
    ProcedureKind,
    Protocol,
)

_CLINICAL_NOTICE = (
    "Decision support from the clinic's follow-up protocol after venoplasty; not a diagnosis, "
    "and it never replaces a clinician."
)


def patient(
    id_: str,
    name: str,
    identifiers: list[tuple[str, str]],
    time_zone: str,
    demographics: Demographics = NO_DEMOGRAPHICS,
) -> dict[str, Any]:
    d = demographics
    written: dict[str, Any] = {"text": name}
    if d.family:
        written["family"] = d.family
    if d.given:
        written["given"] = list(d.given)
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": id_,
        "extension": [{"url": codes.TIME_ZONE, "valueCode": time_zone}],
        "identifier": [{"system": s, "value": v} for s, v in identifiers],
        "name": [written],
    }
    if d.phones:
        resource["telecom"] = [
            {
                "system": "phone",
                "value": p.number,
                "use": p.use,
                **({"rank": 1} if p.preferred else {}),
            }
            for p in d.phones
        ]
    if d.gender:
        resource["gender"] = d.gender
    if d.birth_date is not None:
        resource["birthDate"] = d.birth_date.isoformat()
    return resource


def procedure(id_: str, subject: str, p: Procedure, given: Codes = NO_CODES) -> dict[str, Any]:
    """`given`: the codings it came with (kept in front of venowatch's own), and its body
    sites as coded then (else each vein as text)."""
    coding = [*(c.json() for c in given.codings), codes.ours(codes.PROCEDURE_CODE[p.kind])]
    snomed = {"system": codes.SNOMED, "code": codes.SNOMED_VENOPLASTY}
    if p.kind is ProcedureKind.VENOPLASTY and not any(
        (c.system, c.code) == (snomed["system"], snomed["code"]) for c in given.codings
    ):
        coding.insert(0, {**snomed, "display": "Angioplasty of vein"})
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": id_,
        "status": "completed",
        "code": {"coding": coding, "text": codes.VENOWATCH_DISPLAY[coding[-1]["code"]]},
        "subject": {"reference": subject},
        "performedDateTime": _instant(p.performed_at),
    }
    if given.sites:
        resource["bodySite"] = [_site(site) for site in given.sites]
    elif p.veins:
        resource["bodySite"] = [{"text": vein} for vein in p.veins]
    return _with_note(resource, p.note)


def questionnaire_response(id_: str, subject: str, c: CheckIn) -> dict[str, Any]:
    items: list[dict[str, Any]] = [
        {"linkId": "pgic", "answer": [{"valueCoding": codes.pgic_coding(c.pgic)}]},
        {"linkId": codes.SYMPTOMS_RETURNED, "answer": [{"valueBoolean": c.symptoms_returned}]},
    ]
    items += [
        {
            "linkId": "symptoms",
            "item": [
                {"linkId": "symptoms.name", "answer": [{"valueString": name}]},
                {"linkId": "symptoms.rating", "answer": [{"valueInteger": rating}]},
            ],
        }
        for name, rating in c.symptoms
    ]
    if c.note:
        items.append({"linkId": "note", "answer": [{"valueString": c.note}]})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": id_,
        "questionnaire": codes.CHECKIN_QUESTIONNAIRE,
        "status": "completed",
        "subject": {"reference": subject},
        "authored": _instant(c.at),
        "item": items,
    }


def checkin_observation(id_: str, subject: str, c: CheckIn, response: str) -> dict[str, Any]:
    """The check-in as an Observation too, for systems that read observations rather than
    questionnaires; `derivedFrom` its response, so a reader takes the check-in once."""
    components: list[dict[str, Any]] = [
        {
            "code": {"coding": [codes.ours(codes.SYMPTOMS_RETURNED)]},
            "valueBoolean": c.symptoms_returned,
        }
    ]
    components += [
        {
            "code": {"coding": [codes.ours(codes.SYMPTOM_RATING)], "text": name},
            "valueInteger": rating,
        }
        for name, rating in c.symptoms
    ]
    resource = {
        "resourceType": "Observation",
        "id": id_,
        "status": "final",
        "category": [_category("survey")],
        "code": {"coding": [codes.ours(codes.CHECKIN)]},
        "subject": {"reference": subject},
        "effectiveDateTime": _instant(c.at),
        "valueCodeableConcept": {"coding": [codes.pgic_coding(c.pgic)]},
        "derivedFrom": [{"reference": response}],
        "component": components,
    }
    return _with_note(resource, c.note)


def lab_observation(id_: str, subject: str, lab: Lab, given: Codes = NO_CODES) -> dict[str, Any]:
    """`given`: the codings it came with (a LOINC panel), kept in front of venowatch's own."""
    flag = "N" if lab.result is LabResult.NORMAL else "A"
    code = codes.LAB_CODE[lab.kind]
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": id_,
        "status": "final",
        "category": [_category("laboratory")],
        "code": {
            "coding": [*(c.json() for c in given.codings), codes.ours(code)],
            "text": codes.VENOWATCH_DISPLAY[code],
        },
        "subject": {"reference": subject},
        "effectiveDateTime": _instant(lab.at),
        "interpretation": [{"coding": [{"system": codes.INTERPRETATION, "code": flag}]}],
    }
    if lab.finding:
        resource["valueString"] = lab.finding
    return resource


def risk_assessment(
    id_: str, subject: str, a: Assessment, protocol: Protocol, basis: list[str]
) -> dict[str, Any]:
    """The current assessment: the pathway as the predicted outcome, the urgency as its
    qualitative risk, the actions as mitigation, and the rationale by clause as notes."""
    ref = a.protocol
    title = protocol.pathways[a.pathway].title.staff
    notes = [f"{r.clause.value if r.clause else 'Routine'}: {r.staff}" for r in a.rationale]
    if a.flags:
        notes.append("Flags: " + ", ".join(f.value for f in a.flags))
    if a.earliest_next_procedure_at is not None:
        notes.append(f"Earliest next procedure: {_instant(a.earliest_next_procedure_at)}")
    if a.valid_until is not None:
        notes.append(f"Holds until: {_instant(a.valid_until)}")
    notes.append(f"{_CLINICAL_NOTICE} Protocol {ref.id} {ref.version}, sha256 {ref.sha256}.")
    resource: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "id": id_,
        "status": "final",
        "method": {
            "coding": [{"system": codes.PROTOCOL_SYSTEM, "code": ref.id, "version": ref.version}],
            "text": f"{protocol.title} ({ref.id} {ref.version}, sha256 {ref.sha256})",
        },
        "code": {"coding": [codes.ours(codes.ASSESSMENT)]},
        "subject": {"reference": subject},
        "occurrenceDateTime": _instant(a.as_of),
        "prediction": [
            {
                "outcome": {
                    "coding": [
                        {"system": codes.PATHWAY_SYSTEM, "code": a.pathway.value, "display": title}
                    ],
                    "text": title,
                },
                "qualitativeRisk": {
                    "coding": [{"system": codes.URGENCY_SYSTEM, "code": a.urgency.value}]
                },
            }
        ],
        "note": [{"text": n} for n in notes],
    }
    if basis:  # FHIR JSON forbids an empty array: a patient with no records has no basis
        resource["basis"] = [{"reference": b} for b in basis]
    if a.actions:
        resource["mitigation"] = " ".join(protocol.actions[x].staff for x in a.actions)
    return resource


def _phone(p: Phone) -> dict[str, Any]:
    written: dict[str, Any] = {"system": "phone", "value": p.number, "use": p.use}
    if p.preferred:
        written["rank"] = 1
    return written


def _site(site: Site) -> dict[str, Any]:
    written: dict[str, Any] = {"text": site.text}
    if site.codings:
        written["coding"] = [c.json() for c in site.codings]
    return written


def _with_note(resource: dict[str, Any], note: str) -> dict[str, Any]:
    if note:
        resource["note"] = [{"text": note}]
    return resource


def _category(code: str) -> dict[str, Any]:
    return {"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": code}]}


def _instant(t: datetime) -> str:
    return t.isoformat()
