"""FHIR R4 resources read into the engine's records: procedures, check-ins and labs.

Pure apart from parsing: no database, no clock. Each resource venowatch reads is parsed with the
R4B models (the default R5 models misread R4); everything it does not understand is reported
as `Skipped` with the reason, never guessed at. Bundles among the resources are opened, and
their `fullUrl`s resolve references (`urn:uuid:` in a transaction).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.procedure import Procedure as FhirProcedure
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
)
from fhir.resources.R4B.reference import Reference
from pydantic import ValidationError

from venowatch.fhir import codes, reports
from venowatch.fhir.coded import NO_CODES, Codes, Site, codings_of
from venowatch.fhir.parts import FINAL as _FINAL
from venowatch.fhir.parts import UnreadableError as _UnreadableError
from venowatch.fhir.parts import codings as _codings
from venowatch.fhir.parts import fhirpath as _fhirpath
from venowatch.fhir.parts import instant as _instant
from venowatch.fhir.parts import lab_kind as _lab_kind
from venowatch.fhir.parts import notes as _notes
from venowatch.fhir.parts import result as _result
from venowatch.fhir.parts import shown as _shown
from venowatch.fhir.parts import text as _text
from venowatch.fhir.patients import PatientFacts, patient_facts
from venowatch.fhir.scales import Scales, checkin_of
from venowatch.protocol import (
    CheckIn,
    Lab,
    Pgic,
    Procedure,
    ProcedureKind,
    Timeline,
)

_MODELS: dict[str, Any] = {
    "Patient": Patient,
    "DiagnosticReport": DiagnosticReport,
    "Procedure": FhirProcedure,
    "QuestionnaireResponse": QuestionnaireResponse,
    "Observation": Observation,
}
_PGIC = {p.value: p for p in Pgic}
_PROCEDURE_KIND = {code: kind for kind, code in codes.PROCEDURE_CODE.items()}
_ANSWERED = frozenset({"completed", "amended"})
_LOCAL = re.compile(r"([A-Za-z]+/[A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$")

Record = Procedure | CheckIn | Lab


@dataclass(frozen=True, slots=True)
class Skipped:
    """A resource venowatch did not take, and why."""

    resource_type: str
    id: str | None
    reason: str
    path: str | None = None
    """Where in what was read (FHIRPath, "Bundle.entry[3].resource"), when known."""


@dataclass(frozen=True, slots=True)
class Found:
    """One record read from a resource, about the patient `patient` (a key). `source` is how
    references name the resource ("Procedure/12", or its fullUrl if it has no id), `path` its
    place in what was read, as FHIRPath ("Bundle.entry[3].resource")."""

    resource_type: str
    id: str | None
    source: str
    patient: str
    record: Record
    path: str
    codes: Codes = NO_CODES
    """The codings it came with, kept for the round trip."""

    def expression(self, field: str) -> str:
        """The FHIRPath of the element the record's `field` was read from."""
        return f"{self.path}.{_ELEMENTS.get((self.resource_type, field), field)}"


_ELEMENTS = {
    ("Procedure", "performed_at"): "performed",
    ("QuestionnaireResponse", "at"): "authored",
    ("QuestionnaireResponse", "symptoms"): "item",
    ("Observation", "at"): "effective",
    ("Observation", "symptoms"): "component",
}


@dataclass(frozen=True, slots=True)
class Reading:
    patients: tuple[PatientFacts, ...]
    records: tuple[Found, ...]
    skipped: tuple[Skipped, ...]

    def timeline_for(self, patient_id: str) -> tuple[Timeline, tuple[Skipped, ...]]:
        """See read_timeline."""
        key = f"Patient/{patient_id}"
        others = [
            Skipped(f.resource_type, f.id, f"about {f.patient}, not {key}")
            for f in self.records
            if f.patient != key
        ]
        others += [
            Skipped("Patient", p.key.removeprefix("Patient/"), f"not {key}")
            for p in self.patients
            if p.key != key
        ]
        return self.timeline(key, patient_id), (*self.skipped, *others)

    def timeline(self, key: str, patient_id: str) -> Timeline:
        """The records about `key`, each kind in time order (input order breaks ties)."""
        mine = [f.record for f in self.records if f.patient == key]
        return Timeline(
            patient_id,
            procedures=tuple(_by_time([r for r in mine if isinstance(r, Procedure)])),
            checkins=tuple(_by_time([r for r in mine if isinstance(r, CheckIn)])),
            labs=tuple(_by_time([r for r in mine if isinstance(r, Lab)])),
        )


def read_timeline(
    resources: Iterable[Mapping[str, Any]], patient_id: str
) -> tuple[Timeline, tuple[Skipped, ...]]:
    """The engine timeline of `Patient/<patient_id>`, and every resource not taken into it
    (including those about other patients)."""
    return read(resources).timeline_for(patient_id)


def read(resources: Iterable[Mapping[str, Any]], scales: Scales | None = None) -> Reading:
    """Every patient and record in `resources` (Bundles opened), and what was skipped;
    `scales` maps the other PGIC questionnaires a clinic reads (by canonical URL)."""
    entries = list(_flatten(resources, None, None))
    aliases = {url: _key(r) or url for url, _, r in entries if url}
    patient_urls = {url for url, _, r in entries if url and r.get("resourceType") == "Patient"}
    reader = _Reader(aliases, patient_urls, scales or {})
    reader.results = {
        _key(r) or url or "": r for url, _, r in entries if r.get("resourceType") == "Observation"
    }
    for url, path, resource in entries:
        reader.take(url, path, resource)
    return reader.finish()


def _flatten(
    resources: Iterable[Mapping[str, Any]], url: str | None, path: str | None
) -> Iterator[tuple[str | None, str, Mapping[str, Any]]]:
    for resource in resources:
        where = path or str(resource.get("resourceType"))
        if resource.get("resourceType") != "Bundle":
            yield url, where, resource
            continue
        for i, entry in enumerate(resource.get("entry") or ()):
            if isinstance(entry, Mapping) and isinstance(entry.get("resource"), Mapping):
                inner = f"{where}.entry[{i}].resource"
                full_url = entry.get("fullUrl")  # a key below: only a string is one
                full_url = full_url if isinstance(full_url, str) else None
                yield from _flatten([entry["resource"]], full_url, inner)


def _key(resource: Mapping[str, Any]) -> str | None:
    kind, id_ = resource.get("resourceType"), resource.get("id")
    return f"{kind}/{id_}" if isinstance(kind, str) and isinstance(id_, str) else None


class _Reader:
    def __init__(self, aliases: Mapping[str, str], patient_urls: set[str], scales: Scales) -> None:
        self.aliases = aliases
        self.patient_urls = patient_urls
        self.scales = scales
        self.results: Mapping[str, Any] = {}
        self.patients: list[PatientFacts] = []
        self.found: list[tuple[Found, tuple[str, ...]]] = []
        self.skipped: list[tuple[str, Skipped]] = []

    def take(self, url: str | None, path: str, resource: Mapping[str, Any]) -> None:
        kind = str(resource.get("resourceType") or "(no resourceType)")
        id_ = resource.get("id") if isinstance(resource.get("id"), str) else None
        model = _MODELS.get(kind)
        if model is None:
            reason = f"venowatch does not read {kind} resources"
            self.skipped.append((_key(resource) or url or kind, Skipped(kind, id_, reason, path)))
            return
        try:
            parsed = model.model_validate(resource)
        except ValidationError as exc:
            first = exc.errors()[0]
            reason = f"not valid FHIR R4: {_fhirpath(kind, first['loc'])}: {first['msg']}"
            self.skipped.append((_key(resource) or url or kind, Skipped(kind, id_, reason, path)))
            return
        source = _key(resource) or url or kind
        try:
            if isinstance(parsed, Patient):
                self.patients.append(patient_facts(parsed, source, path))
                return
            record, derived, coded = self._record(parsed)
            subject = self._subject(parsed.subject)
            found = Found(kind, id_, source, subject, record, path, coded)
        except _UnreadableError as exc:
            self.skipped.append((source, Skipped(kind, id_, str(exc), path)))
            return
        self.found.append((found, derived))

    def _record(self, parsed: Any) -> tuple[Record, tuple[str, ...], Codes]:
        """The record, the references it was derived from, and the codes it came with."""
        if isinstance(parsed, FhirProcedure):
            return _procedure(parsed), (), _procedure_codes(parsed)
        if isinstance(parsed, QuestionnaireResponse):
            url = (parsed.questionnaire or "").split("|")[0]
            if url in self.scales:
                return checkin_of(parsed, url, self.scales[url]), (), Codes()
            return _questionnaire_response(parsed), (), Codes()
        if isinstance(parsed, DiagnosticReport):
            lab = reports.lab_of(parsed, self._ref, self.results)
            return lab, reports.results_of(parsed, self._ref), Codes(codings_of(parsed.code))
        derived = tuple(self._ref(r) or "" for r in parsed.derivedFrom or ())
        record = _observation(parsed)
        return record, derived, Codes(codings_of(parsed.code) if isinstance(record, Lab) else ())

    def _subject(self, subject: Reference | None) -> str:
        patient = self._ref(subject)
        if patient is None or not (patient.startswith("Patient/") or patient in self.patient_urls):
            shown = subject.reference if subject is not None else None
            raise _UnreadableError(
                f"subject {shown!r} is not a Patient: not Patient/<id> nor a Patient's fullUrl "
                "in the bundle"
            )
        return patient

    def _ref(self, ref: Reference | None) -> str | None:
        text = ref.reference if ref is not None else None
        if not text:
            return None
        if text in self.aliases:
            return self.aliases[text]
        local = _LOCAL.search(text)
        return local.group(1) if local else None

    def finish(self) -> Reading:
        """A check-in's Observation that repeats a QuestionnaireResponse read here (as
        venowatch's own export writes both) is the same check-in, taken once; the results
        of a DiagnosticReport read as a lab are part of that lab."""
        responses = {f.source for f, _ in self.found if f.resource_type == "QuestionnaireResponse"}
        reported = {
            result: f.source
            for f, derived in self.found
            if f.resource_type == "DiagnosticReport"
            for result in derived
        }
        records, skipped = [], []
        for source, s in self.skipped:
            if source in reported:
                s = replace(s, reason=f"a result of {reported[source]}, read with it as one test")
            skipped.append(s)
        for found, derived in self.found:
            twin = next((d for d in derived if d in responses), None)
            if found.source in reported:
                reason = f"a result of {reported[found.source]}, read with it as one test"
                skipped.append(Skipped(found.resource_type, found.id, reason, found.path))
            elif twin is not None and isinstance(found.record, CheckIn):
                reason = f"the same check-in as {twin}"
                skipped.append(Skipped(found.resource_type, found.id, reason, found.path))
            else:
                records.append(found)
        return Reading(tuple(self.patients), tuple(records), tuple(skipped))


def _procedure_codes(p: FhirProcedure) -> Codes:
    sites = tuple(Site(_text(s), codings_of(s)) for s in p.bodySite or () if _text(s))
    return Codes(codings_of(p.code), sites if any(s.codings for s in sites) else ())


def _procedure(p: FhirProcedure) -> Procedure:
    if p.status != "completed":
        raise _UnreadableError(
            f"Procedure.status is {p.status!r}; only a completed procedure counts"
        )
    kind = next(filter(None, map(_procedure_kind, _codings(p.code))), None)
    if kind is None:
        raise _UnreadableError(
            f"Procedure.code is not a venoplasty or vein stent ({_shown(p.code)})"
        )
    at = _instant(
        p.performedDateTime or (p.performedPeriod.start if p.performedPeriod else None),
        "Procedure.performed",
    )
    veins = tuple(v for v in (_text(s) for s in p.bodySite or ()) if v)
    return Procedure(kind, at, veins, _notes(p.note))


def _procedure_kind(c: Any) -> ProcedureKind | None:
    if (c.system, c.code) == (codes.SNOMED, codes.SNOMED_VENOPLASTY):
        return ProcedureKind.VENOPLASTY
    return _PROCEDURE_KIND.get(c.code) if c.system == codes.VENOWATCH_SYSTEM else None


def _questionnaire_response(r: QuestionnaireResponse) -> CheckIn:
    if (r.questionnaire or "").split("|")[0] != codes.CHECKIN_QUESTIONNAIRE:
        raise _UnreadableError(
            f"QuestionnaireResponse.questionnaire is {r.questionnaire!r}: venowatch reads its "
            f"own check-in ({codes.CHECKIN_QUESTIONNAIRE}) and the PGIC questionnaires a "
            "clinic maps in its settings"
        )
    if r.status not in _ANSWERED:
        raise _UnreadableError(
            f"QuestionnaireResponse.status is {r.status!r}; only a completed check-in counts"
        )
    items = {i.linkId: i for i in r.item or ()}
    pgic = _pgic(_answer(items.get("pgic"), "valueCoding"))
    back = bool(_answer(items.get(codes.SYMPTOMS_RETURNED), "valueBoolean"))
    ratings = {}
    for group in (i for i in r.item or () if i.linkId == "symptoms"):
        parts = {i.linkId: i for i in group.item or ()}
        name = _answer(parts.get("symptoms.name"), "valueString")
        rating = _answer(parts.get("symptoms.rating"), "valueInteger")
        if not name or rating is None:
            raise _UnreadableError(
                "QuestionnaireResponse.item symptoms needs both symptoms.name and "
                "symptoms.rating answered"
            )
        ratings[str(name)] = _rating(rating)
    note = str(_answer(items.get("note"), "valueString") or "")
    at = _instant(r.authored, "QuestionnaireResponse.authored")
    return CheckIn(at, pgic, back, tuple(sorted(ratings.items())), note)


def _answer(item: QuestionnaireResponseItem | None, value: str) -> Any:
    answers = item.answer or () if item is not None else ()
    return getattr(answers[0], value) if answers else None


def _observation(o: Observation) -> CheckIn | Lab:
    if o.status not in _FINAL:
        raise _UnreadableError(f"Observation.status is {o.status!r}; only a final result counts")
    at = _instant(
        o.effectiveDateTime
        or o.effectiveInstant
        or (o.effectivePeriod.start if o.effectivePeriod else None),
        "Observation.effective",
    )
    coded = {(c.system, c.code) for c in _codings(o.code)}
    if (codes.VENOWATCH_SYSTEM, codes.CHECKIN) in coded:
        return _checkin_observation(o, at)
    kind = next(filter(None, map(_lab_kind, _codings(o.code))), None)
    if kind is None:
        raise _UnreadableError(
            f"Observation.code is neither a check-in nor a blood or urine test panel "
            f"({_shown(o.code)})"
        )
    return Lab(at, kind, _result(o), str(o.valueString or _notes(o.note)))


def _checkin_observation(o: Observation, at: datetime) -> CheckIn:
    pgic = _pgic(next(iter(_codings(o.valueCodeableConcept)), None))
    back, ratings = False, {}
    for c in o.component or ():
        coded = {(x.system, x.code) for x in _codings(c.code)}
        if (codes.VENOWATCH_SYSTEM, codes.SYMPTOMS_RETURNED) in coded:
            back = bool(c.valueBoolean)
        elif (codes.VENOWATCH_SYSTEM, codes.SYMPTOM_RATING) in coded:
            if not c.code.text or c.valueInteger is None:
                raise _UnreadableError(
                    "Observation.component: a symptom rating needs the symptom as code.text and "
                    "a valueInteger"
                )
            ratings[c.code.text] = _rating(c.valueInteger)
    return CheckIn(at, pgic, back, tuple(sorted(ratings.items())), _notes(o.note))


def _pgic(coding: Any) -> Pgic:
    if coding is None or coding.system != codes.PGIC_SYSTEM or coding.code not in _PGIC:
        raise _UnreadableError(
            f"the impression of change (item pgic, or Observation.value) is not coded in "
            f"{codes.PGIC_SYSTEM}"
        )
    return _PGIC[coding.code]


def _rating(value: int) -> int:
    if not 0 <= value <= 10:
        raise _UnreadableError(f"a symptom rating of {value} is not between 0 and 10")
    return value


def _by_time(records: list[Any]) -> list[Any]:
    return sorted(records, key=lambda r: r.performed_at if isinstance(r, Procedure) else r.at)
