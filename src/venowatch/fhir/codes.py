"""The codes and canonical URLs venowatch speaks FHIR R4 with, in one place for the reader and
the writer. Canonical URLs are identities, not addresses: they stay the same wherever a clinic
runs venowatch (docs/decisions.md, "FHIR R4")."""

from __future__ import annotations

from venowatch.protocol import LabKind, Pgic, ProcedureKind

BASE = "https://venowatch.example/fhir"
PGIC_SYSTEM = f"{BASE}/CodeSystem/pgic"
VENOWATCH_SYSTEM = f"{BASE}/CodeSystem/venowatch"
PATHWAY_SYSTEM = f"{BASE}/CodeSystem/pathway"
URGENCY_SYSTEM = f"{BASE}/CodeSystem/urgency"
PROTOCOL_SYSTEM = f"{BASE}/protocol"
CHECKIN_QUESTIONNAIRE = f"{BASE}/Questionnaire/venowatch-checkin"

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
TIME_ZONE = "http://hl7.org/fhir/StructureDefinition/tz-code"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"

SNOMED_VENOPLASTY = "359551000"
"""SNOMED CT "Angioplasty of vein (procedure)", the closest concept to a venoplasty."""

PGIC_DISPLAY = {
    Pgic.VERY_MUCH_IMPROVED: "Very much improved",
    Pgic.MUCH_IMPROVED: "Much improved",
    Pgic.MINIMALLY_IMPROVED: "Minimally improved",
    Pgic.NO_CHANGE: "No change",
    Pgic.MINIMALLY_WORSE: "Minimally worse",
    Pgic.MUCH_WORSE: "Much worse",
    Pgic.VERY_MUCH_WORSE: "Very much worse",
}
"""The scale's own order: ordinal 1 is "very much improved", 7 "very much worse"."""

# Codes of the venowatch CodeSystem (served at /fhir/r4/CodeSystem/venowatch).
CHECKIN = "pgic"
SYMPTOMS_RETURNED = "symptoms-returned"
SYMPTOM_RATING = "symptom-rating"
ASSESSMENT = "restenosis-follow-up"
PROCEDURE_CODE = {ProcedureKind.VENOPLASTY: "venoplasty", ProcedureKind.STENT: "vein-stent"}
LAB_CODE = {LabKind.BLOOD: "blood-tests", LabKind.URINE: "urine-tests"}

VENOWATCH_DISPLAY = {
    CHECKIN: "Global impression of change since just before the procedure",
    SYMPTOMS_RETURNED: "Symptoms came back",
    SYMPTOM_RATING: "Rating of one symptom, 0 (none) to 10 (worst)",
    ASSESSMENT: "Restenosis follow-up assessment (decision support)",
    PROCEDURE_CODE[ProcedureKind.VENOPLASTY]: "Venoplasty",
    PROCEDURE_CODE[ProcedureKind.STENT]: "Stent placed in a vein",
    LAB_CODE[LabKind.BLOOD]: "Blood tests for infection or metabolic imbalance",
    LAB_CODE[LabKind.URINE]: "Urine tests for infection or metabolic imbalance",
}

LOINC_PANELS = {
    "58410-2": LabKind.BLOOD,  # CBC panel - Blood by Automated count
    "51990-0": LabKind.BLOOD,  # Basic metabolic panel - Blood
    "24323-8": LabKind.BLOOD,  # Comprehensive metabolic 2000 panel - Serum or Plasma
    "24356-8": LabKind.URINE,  # Urinalysis complete panel - Urine
    "24357-6": LabKind.URINE,  # Urinalysis macro (dipstick) panel - Urine
}
"""Panels an EHR sends that are the guide's blood and urine tests. Single analytes (a glucose,
a haemoglobin A1c) are not: counting them would turn any out-of-range value anywhere in a
record into "treat the underlying cause"."""

NORMAL = frozenset({"N"})
ABNORMAL = frozenset({"A", "AA", "H", "HH", "HU", "L", "LL", "LU"})


def ours(code: str) -> dict[str, str]:
    """A coding from the venowatch CodeSystem."""
    return {"system": VENOWATCH_SYSTEM, "code": code, "display": VENOWATCH_DISPLAY[code]}


def pgic_coding(answer: Pgic) -> dict[str, str]:
    return {"system": PGIC_SYSTEM, "code": answer.value, "display": PGIC_DISPLAY[answer]}
