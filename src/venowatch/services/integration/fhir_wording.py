"""A refusal worded for the integrator who sent a FHIR resource, not for the patient.

The record rules (services.care.records) speak to whoever typed the record: "is before your
procedure; a check-in compares how you feel with just before it". Under FHIR the reader is the
developer of another system, who needs the element (by FHIRPath, in front) and the rule."""

from __future__ import annotations

import re

from venowatch.services.errors import FieldError

_REWORDED: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"is in the future; .*"),
        "is in the future (venowatch allows five minutes of clock skew)",
    ),
    (
        re.compile(r"is before your procedure; .*"),
        "is before the patient's first venoplasty or stent in venowatch; a check-in "
        "(PGIC) compares with just before a procedure, so one must be recorded first",
    ),
    (
        re.compile(r"is before (.*), the earliest date this clinic accepts; check the year"),
        r"is before \1, the earliest date of a record this clinic accepts",
    ),
    (re.compile(r"is before (\d+); check the year"), r"is before \1"),
    (
        re.compile(r"not a tracked symptom: (.*)"),
        r"rates '\1', which is not among the symptoms venowatch tracks for this patient",
    ),
    (
        re.compile(r"is needed for an abnormal result: .*"),
        "is needed for an abnormal result: send the finding as valueString or a note",
    ),
)


def for_integrators(error: FieldError, expression: str) -> str:
    """`expression` (the FHIRPath of the field at fault), then what is wrong with it."""
    message = error.message
    for pattern, wording in _REWORDED:
        if pattern.fullmatch(message):
            message = pattern.sub(wording, message)
            break
    return f"{expression} {message}"
