"""What a resource said that the engine does not read but a round trip keeps: the codings a
record came with (a LOINC panel, SNOMED CT body sites) and a Patient's demographics. Plain
values, read by venowatch.fhir.reading and written back by venowatch.fhir.writing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from venowatch.fhir import codes


@dataclass(frozen=True, slots=True)
class Coding:
    system: str
    code: str
    display: str = ""

    def json(self) -> dict[str, str]:
        found = {"system": self.system, "code": self.code}
        return {**found, "display": self.display} if self.display else found


@dataclass(frozen=True, slots=True)
class Site:
    """A body site as sent: its words (the vein venowatch shows) and its codings."""

    text: str
    codings: tuple[Coding, ...] = ()


@dataclass(frozen=True, slots=True)
class Codes:
    """The codings a record came with, other than venowatch's own (written anyway)."""

    codings: tuple[Coding, ...] = ()
    sites: tuple[Site, ...] = ()

    def columns(self, kind: str) -> dict[str, Any]:
        """The record's JSON columns that keep these (Procedure.codings and .sites,
        Lab.codings; a check-in keeps none)."""
        if kind == "procedure":
            return {"codings": _stored(self.codings), "sites": [_site_json(s) for s in self.sites]}
        if kind == "lab":
            return {"codings": _stored(self.codings)}
        return {}


NO_CODES = Codes()


def codings_of(concept: Any) -> tuple[Coding, ...]:
    """A parsed CodeableConcept's codings, venowatch's own left out (the writer adds them)."""
    found = concept.coding or () if concept is not None else ()
    return tuple(
        Coding(c.system, c.code, c.display or "")
        for c in found
        if c.system and c.code and c.system != codes.VENOWATCH_SYSTEM
    )


def stored_codings(rows: Iterable[Mapping[str, Any]]) -> tuple[Coding, ...]:
    return tuple(Coding(r["system"], r["code"], r.get("display", "")) for r in rows)


def stored_sites(rows: Iterable[Mapping[str, Any]]) -> tuple[Site, ...]:
    return tuple(Site(r["text"], stored_codings(r.get("coding", ()))) for r in rows)


def _stored(found: Iterable[Coding]) -> list[dict[str, str]]:
    return [c.json() for c in found]


def _site_json(site: Site) -> dict[str, Any]:
    return {"text": site.text, "coding": _stored(site.codings)}


@dataclass(frozen=True, slots=True)
class Phone:
    """A telecom of system phone: FHIR's use (mobile, home, work) and the number as sent."""

    use: str
    number: str
    preferred: bool = False


@dataclass(frozen=True, slots=True)
class Demographics:
    gender: str | None = None
    birth_date: date | None = None
    given: tuple[str, ...] = ()
    family: str = ""
    phones: tuple[Phone, ...] = ()


NO_DEMOGRAPHICS = Demographics()
