"""What venowatch keeps of a Patient resource: how records refer to it, its name, the
identifiers it is found again by, its time zone and its demographics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.patient import Patient

from venowatch.fhir import codes
from venowatch.fhir.coded import NO_DEMOGRAPHICS, Demographics, Phone

_PHONE_USES = frozenset({"mobile", "home", "work"})


@dataclass(frozen=True, slots=True)
class PatientFacts:
    """What venowatch keeps of a Patient resource; `key` is how records refer to it."""

    key: str
    name: str
    identifiers: tuple[tuple[str, str], ...]
    time_zone: str | None
    path: str = ""
    """Where it was read (FHIRPath)."""
    demographics: Demographics = NO_DEMOGRAPHICS


def patient_facts(p: Patient, key: str, path: str) -> PatientFacts:
    identifiers = tuple((i.system, i.value) for i in p.identifier or () if i.system and i.value)
    name = next((_human_name(n) for n in p.name or () if _human_name(n)), "")
    zone = next((e.valueCode for e in p.extension or () if e.url == codes.TIME_ZONE), None)
    return PatientFacts(key, name or key, identifiers, zone, path, _demographics(p))


def _human_name(n: Any) -> str:
    return str(n.text or " ".join([*(n.given or ()), *([n.family] if n.family else [])]))


def _demographics(p: Patient) -> Demographics:
    names = [n for n in p.name or () if n.given or n.family]
    official = next((n for n in names if n.use == "official"), names[0] if names else None)
    phones = [
        t for t in p.telecom or ()
        if t.system == "phone" and t.value and (t.use is None or t.use in _PHONE_USES)
    ]  # fmt: skip
    ranked = sorted(phones, key=lambda t: t.rank if t.rank is not None else 1 << 31)
    first = ranked[0] if ranked else None
    return Demographics(
        gender=p.gender,
        birth_date=p.birthDate,
        given=tuple(str(g) for g in official.given or () if g) if official else (),
        family=str(official.family or "") if official else "",
        phones=tuple(Phone(t.use or "home", str(t.value), t is first) for t in phones),
    )
