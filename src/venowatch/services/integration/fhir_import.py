"""Importing a FHIR R4 Bundle into a clinic: patients found again by identifier (or created),
their procedures, check-ins and labs recorded through services.records (so each is checked and
the patient re-assessed), all in one transaction. Any error stores nothing."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import Q

from venowatch.clinic import models
from venowatch.clinic.models import PatientIdentifier, Role
from venowatch.fhir.patients import PatientFacts
from venowatch.fhir.reading import Found, Reading, Skipped, read
from venowatch.protocol import CheckIn, Lab, Procedure, ProcedureKind, Timeline
from venowatch.services.care.history import HistoryError, record_history
from venowatch.services.care.timelines import timeline_of
from venowatch.services.errors import FieldError
from venowatch.services.integration.fhir_export import own_identifier_system
from venowatch.services.integration.fhir_patients import keep_demographics
from venowatch.services.integration.fhir_wording import for_integrators
from venowatch.services.integration.pgic_scales import scales_of
from venowatch.services.limits import check_length
from venowatch.services.security.access import patients_in_reach, role_of

BUNDLE_TYPES = frozenset({"transaction", "batch", "collection", "searchset"})
"""What a sender may call a bundle of records to store; searchset is what $everything gives."""

_NOTHING_FOR = "no procedure, check-in or lab venowatch reads came with this patient"

Progress = Callable[[Sequence[str]], Iterable[str]]
"""Wraps the keys of the patients being stored, one step each."""


class ImportRefusedError(Exception):
    """Why nothing was imported; the message names the resource and what is wrong, and
    `expression` (FHIRPath) the element at fault, when a record was refused for one."""

    def __init__(self, message: str, expression: str | None = None) -> None:
        super().__init__(message)
        self.expression = expression


@dataclass(frozen=True, slots=True)
class EntryResult:
    """A bundle entry's answer in a transaction-response: its HTTP status line, where the
    stored record is served, and a warning for the entry (why it was not stored)."""

    status: str
    location: str | None = None
    note: str | None = None


_KINDS = {Procedure: "procedure", CheckIn: "checkin", Lab: "lab"}
_ENTRY = re.compile(r"Bundle\.entry\[(\d+)\]")
_OUR_ID = re.compile(r"Patient/\d{1,18}")


def entry_index(path: str | None) -> int | None:
    """The top-level entry a FHIRPath is in ("Bundle.entry[3].resource" -> 3)."""
    found = _ENTRY.match(path or "")
    return int(found.group(1)) if found else None


@dataclass(slots=True)
class ImportReport:
    patients_created: list[str] = field(default_factory=list)
    patients_updated: list[str] = field(default_factory=list)
    stored: Counter[str] = field(default_factory=Counter)
    already_stored: int = 0
    venoplasties: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    entries: dict[int, EntryResult] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    """What was read but not kept of a stored resource (a phone that is not a number)."""
    """What became of each top-level entry of the bundle, by its index."""

    def note(self, path: str, status: str, location: str | None, note: str | None = None) -> None:
        index = entry_index(path)
        if index is not None:
            self.entries[index] = EntryResult(status, location, note)

    def summary(self) -> list[str]:
        """What happened, in lines a person reads; the skipped resources come after."""
        stored = ", ".join(f"{n} {kind}" for kind, n in sorted(self.stored.items())) or "nothing"
        lines = [
            f"patients: {len(self.patients_created)} created, "
            f"{len(self.patients_updated)} found by identifier",
            f"stored: {stored}; {self.already_stored} already stored (not duplicated)",
            f"skipped: {len(self.skipped)} resources",
        ]
        if not self.venoplasties:
            lines.append("the bundle held no venoplasty")
        return [*lines, *self.notes]


def import_bundle(
    clinic: models.Clinic,
    data: Any,
    *,
    by: Any,
    now: datetime,
    progress: Progress | None = None,
) -> ImportReport:
    """Import `data` (a parsed Bundle) into `clinic`, as the user `by` (None: the command
    line's operator). Raises ImportRefusedError, having stored nothing."""
    _check_bundle(data)
    posted, refused = _posted(data)
    reading = read([posted], scales_of(clinic))
    report = ImportReport(skipped=[*refused, *reading.skipped])
    # The first Patient of a key stands for it, as references resolve.
    by_key = {p.key: p for p in reversed(reading.patients)}
    # A transaction is addressed to this server, so `Patient/12` in it is this server's
    # patient 12 (FHIR resolves relative references against the receiver's base); in a
    # collection (another server's export) it is the sender's, and means nobody here.
    addressed = data.get("type") == "transaction"
    known = _known_patients(clinic, reading, by_key, by) if addressed else {}
    found = [f for f in reading.records if f.patient in known or _kept(f, by_key, report)]
    report.venoplasties = sum(
        isinstance(f.record, Procedure) and f.record.kind is ProcedureKind.VENOPLASTY for f in found
    )
    with_records = {f.patient for f in found}
    report.skipped += [
        Skipped("Patient", p.key.removeprefix("Patient/"), _NOTHING_FOR, p.path)
        for p in reading.patients
        if p.key not in with_records
    ]
    with transaction.atomic():
        patients = {
            p.key: _patient(clinic, p, by, report)
            for p in reading.patients
            if p.key in with_records and p.key not in known
        }
        patients.update(known)
        _store(patients, found, report, by=by, now=now, progress=progress)
    for s in report.skipped:
        index = entry_index(s.path)
        if index is not None and index not in report.entries:
            report.note(s.path or "", "200 OK", None, f"not stored: {s.reason}")
    return report


def _store(
    patients: Mapping[str, models.Patient],
    found: Sequence[Found],
    report: ImportReport,
    *,
    by: Any,
    now: datetime,
    progress: Progress | None,
) -> None:
    stored = {key: timeline_of(patient) for key, patient in patients.items()}
    # Records voided or corrected here count as stored: importing them again would undo
    # the correction.
    seen = {
        key: {_identity(r) for r in _records(timeline_of(patient, with_voided=True))}
        for key, patient in patients.items()
    }
    new: dict[str, list[Found]] = {key: [] for key in patients}
    for f in found:
        identity = _identity(f.record)
        if identity in seen[f.patient]:
            report.already_stored += 1
            report.note(f.path, "200 OK", None, "already stored; not stored twice")
            continue
        seen[f.patient].add(identity)
        new[f.patient].append(f)
    for key in progress(list(new)) if progress is not None else new:
        records = [f.record for f in new[key]]
        try:
            columns = [f.codes.columns(_KINDS[type(f.record)]) for f in new[key]]
            rows = record_history(
                patients[key], records, stored=stored[key], by=by, now=now, columns=columns
            )
        except HistoryError as exc:
            refused = new[key][exc.index]
            where = refused.expression(exc.error.field)
            message = for_integrators(exc.error, where)
            raise ImportRefusedError(f"{refused.source}: {message}", where) from None
        for f, row in zip(new[key], rows, strict=True):
            report.stored[f.resource_type] += 1
            report.note(f.path, "201 Created", stored_address(f.resource_type, row))


def stored_address(resource_type: str, row: Any) -> str:
    """Where venowatch serves a stored record (as $everything names it)."""
    if isinstance(row, models.Procedure):
        return f"Procedure/{row.pk}"
    if isinstance(row, models.CheckIn):
        kind = "Observation" if resource_type == "Observation" else "QuestionnaireResponse"
        return f"{kind}/checkin-{row.pk}"
    return f"Observation/lab-{row.pk}"


def _posted(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Skipped]]:
    """The bundle with only the entries that add something: an entry whose request updates,
    deletes or reads is named as skipped (its place kept, so paths still count from 0)."""
    entries, skipped = [], []
    for i, entry in enumerate(data.get("entry") or ()):
        request = entry.get("request") if isinstance(entry, Mapping) else None
        method = request.get("method") if isinstance(request, Mapping) else None
        if method in (None, "POST"):
            entries.append(entry)
            continue
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        kind = resource.get("resourceType") if isinstance(resource, Mapping) else None
        reason = (
            f"Bundle.entry[{i}].request.method is {method}: an import only adds records; "
            "venowatch never updates or deletes one from another system"
        )
        skipped.append(Skipped(str(kind or method), None, reason, f"Bundle.entry[{i}]"))
        entries.append({})
    return {**data, "entry": entries}, skipped


def _known_patients(
    clinic: models.Clinic, reading: Reading, in_bundle: Mapping[str, PatientFacts], by: Any
) -> dict[str, models.Patient]:
    """Records about a patient venowatch already has (`Patient/12`, as a create names them),
    with no Patient resource in the bundle: that patient, if in the clinic and the importer's
    reach."""
    wanted = {
        int(f.patient.removeprefix("Patient/"))
        for f in reading.records
        if f.patient not in in_bundle and _OUR_ID.fullmatch(f.patient)
    }
    if not wanted:
        return {}
    found = models.Patient.objects.filter(clinic=clinic, pk__in=wanted)
    if by is not None:
        found = found.filter(pk__in=patients_in_reach(by).values("pk"))
    return {f"Patient/{p.pk}": p for p in found}


def _check_bundle(data: Any) -> None:
    if not isinstance(data, Mapping) or data.get("resourceType") != "Bundle":
        raise ImportRefusedError(_not_a_bundle(data), "resourceType")
    if not isinstance(data.get("type"), str) or data["type"] not in BUNDLE_TYPES:
        allowed = ", ".join(sorted(BUNDLE_TYPES))
        given = "missing" if data.get("type") is None else f"{_json_kind(data['type'])}"
        raise ImportRefusedError(
            f"Bundle.type is {given}; expected one of {allowed}", "Bundle.type"
        )
    if not isinstance(data.get("entry", []), list):
        raise ImportRefusedError("Bundle.entry must be a list", "Bundle.entry")


def _not_a_bundle(data: Any) -> str:
    """What was given instead of a Bundle, in words: a person reading it learns what the file
    holds, not a Python value."""
    wanted = 'expected a FHIR Bundle (a JSON object with "resourceType": "Bundle")'
    if not isinstance(data, Mapping):
        return f"{wanted}, got {_json_kind(data)}"
    if "resourceType" not in data:
        return f"resourceType is missing: {wanted}, got an object without one"
    kind = data["resourceType"]
    if isinstance(kind, str) and kind:
        return f"resourceType is {kind!r}: {wanted}, got a {kind}; wrap it in a Bundle"
    return f"resourceType is {_json_kind(kind)}: {wanted}"


def _json_kind(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if value else "an empty string"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if value is None:
        return "null"
    return "a JSON array" if isinstance(value, list) else "a JSON object"


def _kept(f: Found, in_bundle: Mapping[str, PatientFacts], report: ImportReport) -> bool:
    """Records are imported only with their Patient, found by an identifier."""
    patient = in_bundle.get(f.patient)
    if patient is not None and patient.identifiers:
        return True
    reason = (
        f"its patient {f.patient} is not in the bundle"
        if patient is None
        else f"its patient {f.patient} has no identifier to find them by again"
    )
    report.skipped.append(Skipped(f.resource_type, f.id, reason, f.path))
    return False


def _patient(
    clinic: models.Clinic, facts: PatientFacts, by: Any, report: ImportReport
) -> models.Patient:
    own = [v for s, v in facts.identifiers if s == own_identifier_system() and v.isdigit()]
    matches = known_as(clinic, facts.identifiers) | set(
        models.Patient.objects.filter(clinic=clinic, pk__in=own).values_list("pk", flat=True)
    )
    if len(matches) > 1:
        raise ImportRefusedError(
            f"{facts.key}: its identifiers match {len(matches)} different patients of this "
            "clinic; venowatch cannot tell which one the records are about",
            f"{facts.path}.identifier",
        )
    _fits(facts)
    zone = _zone(facts.time_zone) or clinic.time_zone
    if matches:
        patient = models.Patient.objects.get(pk=matches.pop())
        if by is not None and not patients_in_reach(by).filter(pk=patient.pk).exists():
            raise ImportRefusedError(
                f"{facts.key}: its identifier matches a patient outside your reach (not "
                "assigned to you); ask their advocate or an administrator to import it",
                f"{facts.path}.identifier",
            )
        patient.name, patient.time_zone = facts.name, zone
        patient.save(update_fields=["name", "time_zone"])
        report.patients_updated.append(facts.key)
        report.note(facts.path, "200 OK", f"Patient/{patient.pk}", "found by identifier")
    else:
        advocate = by if by is not None and role_of(by) is Role.ADVOCATE else None
        patient = models.Patient.objects.create(
            clinic=clinic, name=facts.name, time_zone=zone, advocate=advocate
        )
        report.patients_created.append(facts.key)
        report.note(facts.path, "201 Created", f"Patient/{patient.pk}")
    for system, value in facts.identifiers:
        # Our own id of this very patient is its key already; any other is kept.
        if (system, value) != (own_identifier_system(), str(patient.pk)):
            PatientIdentifier.objects.get_or_create(
                clinic=clinic, system=system, value=value, defaults={"patient": patient}
            )
    try:
        not_kept = keep_demographics(patient, facts.demographics)
    except FieldError as exc:
        where = f"{facts.path}.{exc.field}"
        raise ImportRefusedError(f"{facts.key}: {for_integrators(exc, where)}", where) from None
    report.notes += [f"{facts.key}: {line}" for line in not_kept]
    return patient


def _fits(facts: PatientFacts) -> None:
    """The Patient's name and identifiers fit their columns (PostgreSQL refused a longer one
    with a server error, SQLite stored it)."""
    try:
        check_length(models.Patient, "name", facts.name, "Patient.name")
        for system, value in facts.identifiers:
            check_length(PatientIdentifier, "system", system, "Patient.identifier.system")
            check_length(PatientIdentifier, "value", value, "Patient.identifier.value")
    except FieldError as exc:
        raise ImportRefusedError(f"{facts.key}: {exc.field} {exc.message}", exc.field) from None


def _zone(name: str | None) -> str | None:
    try:
        return name if name and ZoneInfo(name) else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _identity(r: Procedure | CheckIn | Lab) -> tuple[Any, ...]:
    """A record equal in every field to a stored one is that record (the re-import rule)."""
    if isinstance(r, Procedure):
        return ("procedure", r.kind.value, r.performed_at, tuple(r.veins), r.note)
    if isinstance(r, CheckIn):
        return ("checkin", r.at, r.pgic.value, r.symptoms_returned, tuple(r.symptoms), r.note)
    return ("lab", r.at, r.kind.value, r.result.value, r.finding)


def _records(t: Timeline) -> tuple[Procedure | CheckIn | Lab, ...]:
    return (*t.procedures, *t.checkins, *t.labs)


def known_as(clinic: models.Clinic, identifiers: Iterable[tuple[str, str]]) -> set[int]:
    """The clinic's patients an import kept one of these (system, value) identifiers for."""
    match = Q()
    for system, value in identifiers:
        match |= Q(system=system, value=value)
    if not match:
        return set()
    found = PatientIdentifier.objects.filter(match, clinic=clinic)
    return set(found.values_list("patient_id", flat=True))
