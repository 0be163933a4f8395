"""Importing a FHIR R4 Bundle into a clinic: patients found again by identifier (or created),
their procedures, check-ins and labs recorded through services.records (so each is checked and
the patient re-assessed), all in one transaction. Any error stores nothing."""

from __future__ import annotations

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
from venowatch.fhir.reading import Found, PatientFacts, Skipped, read
from venowatch.protocol import CheckIn, Lab, Procedure, ProcedureKind, Timeline
from venowatch.services.care.history import HistoryError, record_history
from venowatch.services.care.timelines import timeline_of
from venowatch.services.errors import FieldError
from venowatch.services.integration.fhir_export import own_identifier_system
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


@dataclass(slots=True)
class ImportReport:
    patients_created: list[str] = field(default_factory=list)
    patients_updated: list[str] = field(default_factory=list)
    stored: Counter[str] = field(default_factory=Counter)
    already_stored: int = 0
    venoplasties: int = 0
    skipped: list[Skipped] = field(default_factory=list)

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
        return lines


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
    reading = read([data])
    report = ImportReport(skipped=list(reading.skipped))
    # The first Patient of a key stands for it, as references resolve.
    by_key = {p.key: p for p in reversed(reading.patients)}
    found = [f for f in reading.records if _kept(f, by_key.get(f.patient), report)]
    report.venoplasties = sum(
        isinstance(f.record, Procedure) and f.record.kind is ProcedureKind.VENOPLASTY for f in found
    )
    with_records = {f.patient for f in found}
    report.skipped += [
        Skipped("Patient", p.key.removeprefix("Patient/"), _NOTHING_FOR)
        for p in reading.patients
        if p.key not in with_records
    ]
    with transaction.atomic():
        patients = {
            p.key: _patient(clinic, p, by, report)
            for p in reading.patients
            if p.key in with_records
        }
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
                continue
            seen[f.patient].add(identity)
            new[f.patient].append(f)
        for key in progress(list(new)) if progress is not None else new:
            records = [f.record for f in new[key]]
            try:
                record_history(patients[key], records, stored=stored[key], by=by, now=now)
            except HistoryError as exc:
                refused = new[key][exc.index]
                where = refused.expression(exc.error.field)
                raise ImportRefusedError(f"{refused.source}: {exc}", where) from None
            for f in new[key]:
                report.stored[f.resource_type] += 1
    return report


def _check_bundle(data: Any) -> None:
    if not isinstance(data, Mapping) or data.get("resourceType") != "Bundle":
        kind = data.get("resourceType") if isinstance(data, Mapping) else type(data).__name__
        raise ImportRefusedError(f"expected a FHIR Bundle, got {kind!r}")
    if not isinstance(data.get("type"), str) or data["type"] not in BUNDLE_TYPES:
        allowed = ", ".join(sorted(BUNDLE_TYPES))
        raise ImportRefusedError(f"Bundle.type is {data.get('type')!r}; expected one of {allowed}")
    if not isinstance(data.get("entry", []), list):
        raise ImportRefusedError("Bundle.entry must be a list")


def _kept(f: Found, patient: PatientFacts | None, report: ImportReport) -> bool:
    """Records are imported only with their Patient, found by an identifier."""
    if patient is not None and patient.identifiers:
        return True
    reason = (
        f"its patient {f.patient} is not in the bundle"
        if patient is None
        else f"its patient {f.patient} has no identifier to find them by again"
    )
    report.skipped.append(Skipped(f.resource_type, f.id, reason))
    return False


def _patient(
    clinic: models.Clinic, facts: PatientFacts, by: Any, report: ImportReport
) -> models.Patient:
    own = [v for s, v in facts.identifiers if s == own_identifier_system() and v.isdigit()]
    matches = known_as(clinic, facts.identifiers) | set(
        models.Patient.objects.filter(clinic=clinic, pk__in=own).values_list("pk", flat=True)
    )
    if len(matches) > 1:
        raise ImportRefusedError(f"{facts.key}: its identifiers match {len(matches)} patients")
    _fits(facts)
    zone = _zone(facts.time_zone) or clinic.time_zone
    if matches:
        patient = models.Patient.objects.get(pk=matches.pop())
        if by is not None and not patients_in_reach(by).filter(pk=patient.pk).exists():
            raise ImportRefusedError(f"{facts.key}: matches a patient outside your reach")
        patient.name, patient.time_zone = facts.name, zone
        patient.save(update_fields=["name", "time_zone"])
        report.patients_updated.append(facts.key)
    else:
        advocate = by if by is not None and role_of(by) is Role.ADVOCATE else None
        patient = models.Patient.objects.create(
            clinic=clinic, name=facts.name, time_zone=zone, advocate=advocate
        )
        report.patients_created.append(facts.key)
    for system, value in facts.identifiers:
        # Our own id of this very patient is its key already; any other is kept.
        if (system, value) != (own_identifier_system(), str(patient.pk)):
            PatientIdentifier.objects.get_or_create(
                clinic=clinic, system=system, value=value, defaults={"patient": patient}
            )
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
