"""Recording what happens to a patient, and re-assessing them in the same transaction.

Every write that affects a patient goes through here: the record is checked, stored, and the
patient re-assessed before the transaction commits, so the stored assessment never lags the
records and a failure leaves nothing half-saved.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection, transaction

from venowatch.clinic import models
from venowatch.protocol import (
    Assessment,
    CheckIn,
    Lab,
    LabKind,
    LabResult,
    Pgic,
    Procedure,
    ProcedureKind,
    Protocol,
    Timeline,
    assess,
    parse_protocol,
)
from venowatch.services.care.assessing import assessment_json
from venowatch.services.care.protocols import default_protocol
from venowatch.services.care.tasks import open_tasks_for_change
from venowatch.services.notification.alerts import notify_change
from venowatch.services.notification.reminders import restart_reminders

CLOCK_SKEW = timedelta(minutes=5)
"""A device clock a few minutes fast must not make an honest check-in look like the future."""


@dataclass(frozen=True, slots=True)
class RecordError(Exception):
    """A record that cannot be stored; `field` names the form or API field at fault."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def clinic_protocol(clinic: models.Clinic) -> Protocol:
    """The protocol the clinic's administrator chose (see services.clinics), else the shipped
    one. Parsed once per process for each text."""
    return _parsed(clinic.protocol_text) if clinic.protocol_text else default_protocol()


@functools.lru_cache(maxsize=8)
def _parsed(text: str) -> Protocol:
    return parse_protocol(text)


def patient_zone(patient: models.Patient) -> ZoneInfo:
    return zone_named(patient.time_zone)


def zone_named(name: str) -> ZoneInfo:
    """A stored time zone name as a zone; UTC for a name this machine does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(t: datetime, zone: ZoneInfo) -> datetime:
    """The instant in the offset the patient's zone had then, as a fixed offset: shown the way
    the patient reads it, and safe for the engine's exact arithmetic across DST changes."""
    offset = t.astimezone(zone).utcoffset()
    return t.astimezone(timezone(offset) if offset is not None else UTC)


def timeline_of(patient: models.Patient) -> Timeline:
    """The patient's records in the engine's form, instants in the patient's own offsets."""
    return timelines_of([patient])[patient.pk]


def timelines_of(patients: Sequence[models.Patient]) -> dict[int, Timeline]:
    """Several patients' timelines in three queries. Rows are read as tuples, not model
    instances: this runs on every write and for every patient of a full re-assessment."""
    zones = {p.pk: patient_zone(p) for p in patients}
    records: dict[int, tuple[list[Procedure], list[CheckIn], list[Lab]]] = {
        pk: ([], [], []) for pk in zones
    }
    mine = {"patient_id__in": list(zones)}
    for pk, kind, at, veins, note in (
        models.Procedure.objects.filter(**mine)
        .order_by("patient_id", "performed_at", "pk")
        .values_list("patient_id", "kind", "performed_at", "veins", "note")
    ):
        records[pk][0].append(
            Procedure(ProcedureKind(kind), local(at, zones[pk]), tuple(veins), note)
        )
    for pk, at, answer, back, ratings, note in (
        models.CheckIn.objects.filter(**mine)
        .order_by("patient_id", "at", "pk")
        .values_list("patient_id", "at", "pgic", "symptoms_returned", "symptoms", "note")
    ):
        ratings_ = tuple(sorted(ratings.items()))
        records[pk][1].append(CheckIn(local(at, zones[pk]), _PGIC[answer], back, ratings_, note))
    for pk, at, kind, result, finding in (
        models.Lab.objects.filter(**mine)
        .order_by("patient_id", "at", "pk")
        .values_list("patient_id", "at", "kind", "result", "finding")
    ):
        records[pk][2].append(Lab(local(at, zones[pk]), LabKind(kind), LabResult(result), finding))
    return {
        pk: Timeline(str(pk), tuple(procs), tuple(checkins), tuple(labs))
        for pk, (procs, checkins, labs) in records.items()
    }


_PGIC = {p.value: p for p in Pgic}


def assess_patient(
    patient: models.Patient, as_of: datetime, timeline: Timeline | None = None
) -> Assessment:
    """The assessment as of any instant, past or present, without storing anything; pass the
    timeline if the caller already holds it as stored."""
    zone = patient_zone(patient)
    records = timeline if timeline is not None else timeline_of(patient)
    protocol = clinic_protocol(patient.clinic)
    return assess(records, local(as_of, zone), protocol, display=zone)


@dataclass(frozen=True, slots=True)
class _Plan:
    """A re-assessment ready to store, and the stored row it was planned against."""

    fields: dict[str, Any]
    stored: models.Assessment | None

    @property
    def decides_anew(self) -> bool:
        """Whether pathway, urgency, actions or flags differ from the stored decision."""
        return self.stored is None or _decision(_stored_json(self.stored)) != _decision(self.fields)


def _plan(
    patient: models.Patient,
    now: datetime,
    timeline: Timeline | None,
    stored: models.Assessment | None,
) -> _Plan:
    result = assess_patient(patient, now, timeline)
    data = assessment_json(result, messages=True)
    since = now if stored is None or stored.urgency != data["urgency"] else stored.since
    fields: dict[str, Any] = {
        "as_of": result.as_of,
        "pathway": data["pathway"],
        "urgency": data["urgency"],
        "urgency_rank": result.urgency.rank,
        "actions": data["actions"],
        "flags": data["flags"],
        "repeats_done": data["repeats_done"],
        "earliest_next_procedure_at": result.earliest_next_procedure_at,
        "valid_until": result.valid_until,
        "rationale": data["rationale"],
        "protocol": data["protocol"],
        "since": since,
    }
    return _Plan(fields, stored)


def _store(patient: models.Patient, now: datetime, plan: _Plan) -> models.Assessment | None:
    """Store the plan if the stored row is still the one it was planned against (else None,
    storing nothing), and record a change, with its tasks, if the decision differs."""
    stored = plan.stored
    if stored is None:
        current = models.Assessment.objects.create(patient=patient, **plan.fields)
    else:
        revision = stored.revision + 1
        updated = models.Assessment.objects.filter(pk=stored.pk, revision=stored.revision).update(
            revision=revision, **plan.fields
        )
        if not updated:
            return None
        current = _revised(patient, stored, plan)
    if plan.decides_anew:
        previous = None if stored is None else _stored_json(stored)
        change = models.AssessmentChange.objects.create(
            patient=patient, at=now, **{k: plan.fields[k] for k in _CHANGE_FIELDS}
        )
        open_tasks_for_change(patient, change, previous, now)
        notify_change(patient, change, previous, clinic_protocol(patient.clinic), now)
    return current


def reassess(patient: models.Patient, now: datetime) -> models.Assessment:
    """Assess now, store it as current, and record a change (and its tasks) if the decision
    differs from the last one. Call inside the transaction that changed the records."""
    (current,) = reassess_many([patient], now)
    return current


def reassess_many(
    patients: Sequence[models.Patient],
    now: datetime,
    locked: Mapping[int, models.Assessment] | None = None,
) -> list[models.Assessment]:
    """`reassess` for a batch (the sweep, a new protocol): three reads for all their records
    and one for their stored assessments, locked, unless the caller passes them `locked` (by
    patient id); then each is stored."""
    timelines = timelines_of(patients)
    stored = locked
    if stored is None:
        stored = {
            a.patient_id: a
            for a in models.Assessment.objects.select_for_update().filter(
                patient_id__in=[p.pk for p in patients]
            )
        }
    done, same = [], []
    for p in patients:
        plan = _plan(p, now, timelines[p.pk], stored.get(p.pk))
        if plan.stored is None or plan.decides_anew:
            current = _store(p, now, plan)
            assert current is not None, "the rows are locked, so no revision can have moved"
            done.append(current)
        else:
            same.append(_revised(p, plan.stored, plan))
    _update_all(same)
    return [*done, *same]


def _update_all(rows: Sequence[models.Assessment]) -> None:
    """Most decisions stand (a sweep mostly refreshes explanations and valid_until), and their
    rows are locked: one prepared UPDATE run for all of them. Django's bulk_update builds a
    CASE per field and row, which cost more than the re-assessment itself."""
    if not rows:
        return
    meta = models.Assessment._meta
    # Every column a plan sets, and the revision: all but the keys.
    fields = [f for f in meta.concrete_fields if not f.primary_key and f.name != "patient"]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"
    params = [
        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _revised(p: models.Patient, stored: models.Assessment, plan: _Plan) -> models.Assessment:
    return models.Assessment(pk=stored.pk, patient=p, revision=stored.revision + 1, **plan.fields)


_CHANGE_FIELDS = ("pathway", "urgency", "actions", "flags", "rationale", "protocol")
"""What a history row keeps of an assessment."""


def _decision(data: Mapping[str, Any]) -> tuple[Any, ...]:
    return (data["pathway"], data["urgency"], tuple(data["actions"]), tuple(data["flags"]))


def _stored_json(a: models.Assessment) -> dict[str, Any]:
    return {"pathway": a.pathway, "urgency": a.urgency, "actions": a.actions, "flags": a.flags}


EARLIEST_YEAR = 1900
"""Older dates are typing mistakes, whichever edge they come from."""


def plausible(field: str, at: datetime, now: datetime) -> None:
    if at > now + CLOCK_SKEW:
        raise RecordError(field, "is in the future; give the date and time it happened")
    if at.year < EARLIEST_YEAR:
        raise RecordError(field, f"is before {EARLIEST_YEAR}; check the year")


def record_checkin(
    patient: models.Patient,
    *,
    at: datetime,
    pgic: Pgic,
    symptoms_returned: bool = False,
    symptoms: Mapping[str, int] | None = None,
    note: str = "",
    by: Any = None,
    now: datetime,
) -> models.CheckIn:
    """Check-ins are the busiest write, so the reading and the engine run before the write lock
    (SQLite has one for the whole database) and the transaction only inserts and updates. If
    another write lands in between, the stored revision has moved, and the patient is
    re-assessed again under the lock. A patient loaded with `select_related("assessment")` saves
    a query; a stale one is caught the same way."""
    plausible("at", at, now)
    stored: models.Assessment | None = getattr(patient, "assessment", None)
    timeline = timeline_of(patient)
    after_a_procedure(timeline.procedures, at)
    ratings = dict(symptoms or {})
    entry = CheckIn(
        local(at, patient_zone(patient)), pgic, symptoms_returned,
        tuple(sorted(ratings.items())), note,
    )  # fmt: skip
    # The new row will have the highest pk, so it sorts last among equal instants, as stored.
    plan = _plan(patient, now, replace(timeline, checkins=(*timeline.checkins, entry)), stored)
    with transaction.atomic():
        checkin = models.CheckIn.objects.create(
            patient=patient,
            at=at,
            pgic=pgic.value,
            symptoms_returned=symptoms_returned,
            symptoms=ratings,
            note=note,
            recorded_by=by,
        )
        if stored is None or _store(patient, now, plan) is None:
            # Records are only ever added, so the date check above still holds.
            reassess(patient, now)
    return checkin


def after_a_procedure(procedures: Sequence[Procedure], at: datetime) -> None:
    if not any(p.performed_at <= at for p in procedures):
        raise RecordError(
            "at", "is before your procedure; a check-in compares how you feel with just before it"
        )


def record_procedure(
    patient: models.Patient,
    *,
    kind: ProcedureKind,
    performed_at: datetime,
    veins: list[str] | None = None,
    performed_by: Any = None,
    note: str = "",
    by: Any = None,
    now: datetime,
) -> models.Procedure:
    plausible("performed_at", performed_at, now)
    with transaction.atomic():
        procedure = models.Procedure.objects.create(
            patient=patient,
            kind=kind.value,
            performed_at=performed_at,
            veins=list(veins or []),
            performed_by=performed_by,
            note=note,
            recorded_by=by,
        )
        restart_reminders(patient, performed_at, now)
        reassess(patient, now)
    return procedure


def record_lab(
    patient: models.Patient,
    *,
    at: datetime,
    kind: LabKind,
    result: LabResult,
    finding: str = "",
    by: Any = None,
    now: datetime,
) -> models.Lab:
    plausible("at", at, now)
    with transaction.atomic():
        lab = models.Lab.objects.create(
            patient=patient,
            at=at,
            kind=kind.value,
            result=result.value,
            finding=finding,
            recorded_by=by,
        )
        reassess(patient, now)
    return lab
