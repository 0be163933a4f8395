"""Pieces of reading a FHIR R4 resource shared by the readers of each kind (venowatch.fhir
reading, reports): instants, codings, notes, a lab's interpretation, and why a resource is
not taken."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timezone
from typing import Any

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.observation import Observation

from venowatch.fhir import codes
from venowatch.protocol import LabKind, LabResult

LAB_KIND = {code: kind for kind, code in codes.LAB_CODE.items()}
FINAL = frozenset({"final", "amended", "corrected"})


class UnreadableError(Exception):
    """Why one resource cannot be taken."""


def lab_kind(c: Any) -> LabKind | None:
    if c.system == codes.LOINC:
        return codes.LOINC_PANELS.get(c.code)
    return LAB_KIND.get(c.code) if c.system == codes.VENOWATCH_SYSTEM else None


def result(o: Observation) -> LabResult:
    found = {c.code for i in o.interpretation or () for c in codings(i)
             if c.system == codes.INTERPRETATION}  # fmt: skip
    if found & codes.ABNORMAL:
        return LabResult.ABNORMAL
    if found & codes.NORMAL:
        return LabResult.NORMAL
    raise UnreadableError(
        "Observation.interpretation says neither normal (N) nor abnormal (A, H, L...)"
    )


def instant(value: datetime | date | str | None, what: str) -> datetime:
    """Only a full date-time with an offset can be placed against the protocol's windows."""
    if value is None:
        raise UnreadableError(f"{what} is missing")
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise UnreadableError(
            f"{what} is {value}, not a date-time with a time zone offset; venowatch places "
            "each record against the protocol's windows to the minute"
        )
    offset = value.utcoffset()
    assert offset is not None
    return value.astimezone(timezone(offset))


def codings(concept: CodeableConcept | None) -> list[Any]:
    return list(concept.coding or ()) if concept is not None else []


def text(concept: CodeableConcept) -> str:
    return str(concept.text or next((c.display for c in codings(concept) if c.display), ""))


def shown(concept: CodeableConcept | None) -> str:
    found = [f"{c.system or '?'}|{c.code}" for c in codings(concept)]
    return ", ".join(found) or (concept.text if concept is not None and concept.text else "no code")


def notes(annotations: Any) -> str:
    return "\n".join(n.text for n in annotations or () if n.text)


def fhirpath(kind: str, loc: Iterable[Any]) -> str:
    """A validation error's location as FHIRPath: ("item", 0, "answer") -> item[0].answer."""
    path = kind
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path
