"""The definitional resources venowatch publishes: the check-in Questionnaire and the
CodeSystems its own codes come from. They say nothing about a patient; what they say of the
protocol (the first hours, the pathways' titles) comes from the protocol they are given."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from venowatch.fhir import codes
from venowatch.protocol import Pathway, Pgic, Protocol, Urgency

VERSION = "1"
CHECKIN_ID = "venowatch-checkin"


def questionnaire(protocol: Protocol) -> dict[str, Any]:
    """The check-in as patients answer it on the web under `protocol`, item by item."""
    window = _hours(protocol.parameters.thrombosis_window)
    return {
        "resourceType": "Questionnaire",
        "id": CHECKIN_ID,
        "url": codes.CHECKIN_QUESTIONNAIRE,
        "version": VERSION,
        "name": "VenowatchCheckIn",
        "title": "How are you since your procedure?",
        "status": "active",
        "subjectType": ["Patient"],
        "description": "The venowatch check-in after a venoplasty: the patient's global "
        "impression of change since just before the procedure, whether symptoms came back "
        f"(asked in the first {window}), 0-10 ratings of the symptoms that matter to them, and "
        "a note. Decision support, not diagnosis.",
        "item": [
            {
                "linkId": "pgic",
                "code": [codes.ours(codes.CHECKIN)],
                "text": "Compared with just before your procedure, how are you now?",
                "type": "choice",
                "required": True,
                "answerOption": [
                    {"valueCoding": codes.pgic_coding(p), "extension": [_ordinal(p)]} for p in Pgic
                ],
            },
            {
                "linkId": codes.SYMPTOMS_RETURNED,
                "code": [codes.ours(codes.SYMPTOMS_RETURNED)],
                "text": "Have your symptoms come back?",
                "type": "boolean",
            },
            {
                "linkId": "symptoms",
                "text": "How bad is each of your symptoms now?",
                "type": "group",
                "repeats": True,
                "item": [
                    {
                        "linkId": "symptoms.name",
                        "text": "Symptom",
                        "type": "string",
                        "required": True,
                    },
                    {
                        "linkId": "symptoms.rating",
                        "code": [codes.ours(codes.SYMPTOM_RATING)],
                        "text": "0 (none) to 10 (worst)",
                        "type": "integer",
                        "required": True,
                        "extension": [
                            {"url": codes.MIN_VALUE, "valueInteger": 0},
                            {"url": codes.MAX_VALUE, "valueInteger": 10},
                        ],
                    },
                ],
            },
            {"linkId": "note", "text": "Anything else?", "type": "text"},
        ],
    }


def _hours(span: timedelta) -> str:
    count = span / timedelta(hours=1)
    return f"{count:g} hour" if count == 1 else f"{count:g} hours"


def code_system(name: str, protocol: Protocol) -> dict[str, Any] | None:
    """The CodeSystem published as `name` (the last part of its URL), or None; the pathways'
    titles are `protocol`'s."""
    if name == "pathway":
        return _pathway_system(protocol)
    build = _CODE_SYSTEMS.get(name)
    return build() if build is not None else None


def _pgic_system() -> dict[str, Any]:
    concepts = [
        {"code": p.value, "display": codes.PGIC_DISPLAY[p], "extension": [_ordinal(p)]}
        for p in Pgic
    ]
    return _system(
        "pgic",
        "Patient Global Impression of Change",
        "The seven answers of the Patient Global Impression of Change, as venowatch asks it "
        "after a venoplasty: compared with just before the procedure. There is no LOINC code "
        "for them. The ordinal value follows the scale: 1 very much improved to 7 very much "
        "worse.",
        concepts,
    )


def _venowatch_system() -> dict[str, Any]:
    concepts = [{"code": c, "display": d} for c, d in codes.VENOWATCH_DISPLAY.items()]
    return _system(
        "venowatch",
        "venowatch codes",
        "What venowatch records and concludes that no standard code names: the check-in "
        "observations, a vein stent, the guide's blood and urine tests, and the follow-up "
        "assessment.",
        concepts,
    )


def _pathway_system(protocol: Protocol) -> dict[str, Any]:
    titles = protocol.pathways
    concepts = [{"code": p.value, "display": titles[p].title.staff} for p in Pathway]
    return _system(
        "pathway", "venowatch pathways", "Where the follow-up protocol puts a patient.", concepts
    )


def _urgency_system() -> dict[str, Any]:
    concepts = [{"code": u.value, "display": u.value.capitalize()} for u in Urgency]
    return _system(
        "urgency",
        "venowatch urgencies",
        "How soon staff should act, most pressing first.",
        concepts,
    )


_CODE_SYSTEMS = {
    "pgic": _pgic_system,
    "venowatch": _venowatch_system,
    "urgency": _urgency_system,
}


def _system(
    id_: str, title: str, description: str, concepts: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "resourceType": "CodeSystem",
        "id": id_,
        "url": f"{codes.BASE}/CodeSystem/{id_}",
        "version": VERSION,
        "name": title.title().replace(" ", ""),
        "title": title,
        "status": "active",
        "description": description,
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": concepts,
    }


def _ordinal(p: Pgic) -> dict[str, Any]:
    return {"url": codes.ORDINAL_VALUE, "valueDecimal": p.rank + 1}
