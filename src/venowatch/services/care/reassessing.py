"""Re-assessing patients and storing the result: the current row with a revision, a change
row when the decision differs (with its tasks and alerts), one UPDATE for a batch whose
decisions stand. Callers hold the transaction that changed the records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from venowatch.clinic import models
from venowatch.protocol import (
    Timeline,
)
from venowatch.services.care.message_json import reason_json
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.standing import Decision, Standing, assess_patient, since_of
from venowatch.services.care.tasks import open_tasks_for_change
from venowatch.services.care.timelines import timelines_of
from venowatch.services.notification.alerts import notify_change


@dataclass(frozen=True, slots=True)
class Plan:
    """A re-assessment ready to store, and the stored row it was planned against."""

    standing: Standing
    urgency_rank: int
    stored: models.Assessment | None

    @property
    def decides_anew(self) -> bool:
        """Whether pathway, urgency, actions or flags differ from the stored decision."""
        return self.stored is None or Decision.of_row(self.stored) != self.standing.decision

    @property
    def fields(self) -> dict[str, Any]:
        """The row's columns: the standing as stored, its reasons and protocol as JSON."""
        s = self.standing
        ref = s.protocol
        assert ref is not None, "the engine always names its protocol"
        return {
            "as_of": s.as_of,
            "pathway": s.pathway.value,
            "urgency": s.urgency.value,
            "urgency_rank": self.urgency_rank,
            "actions": [a.value for a in s.actions],
            "flags": [f.value for f in s.flags],
            "repeats_done": s.repeats_done,
            "earliest_next_procedure_at": s.earliest_next_procedure_at,
            "valid_until": s.valid_until,
            "rationale": [reason_json(r) for r in s.rationale],
            "protocol": {"id": ref.id, "version": ref.version, "sha256": ref.sha256},
            "since": s.since,
        }


def plan_for(
    patient: models.Patient,
    now: datetime,
    timeline: Timeline | None,
    stored: models.Assessment | None,
) -> Plan:
    result = assess_patient(patient, now, timeline)
    return Plan(
        Standing.of_assessment(result, since_of(result, stored, now)), result.urgency.rank, stored
    )


def store_planned(patient: models.Patient, now: datetime, plan: Plan) -> models.Assessment | None:
    """Store the plan if the stored row is still the one it was planned against (else None,
    storing nothing), and record a change, with its tasks, if the decision differs."""
    stored, fields = plan.stored, plan.fields
    if stored is None:
        current = models.Assessment.objects.create(patient=patient, **fields)
    else:
        revision = stored.revision + 1
        updated = models.Assessment.objects.filter(pk=stored.pk, revision=stored.revision).update(
            revision=revision, **fields
        )
        if not updated:
            return None
        current = _revised(patient, stored, fields)
    if plan.decides_anew:
        previous = None if stored is None else Decision.of_row(stored)
        change = models.AssessmentChange.objects.create(
            patient=patient, at=now, **{k: fields[k] for k in _CHANGE_FIELDS}
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
        plan = plan_for(p, now, timelines[p.pk], stored.get(p.pk))
        if plan.stored is None or plan.decides_anew:
            current = store_planned(p, now, plan)
            assert current is not None, "the rows are locked, so no revision can have moved"
            done.append(current)
        else:
            same.append(_revised(p, plan.stored, plan.fields))
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
    # Reviewed: only the model's own table and column names, quoted, are formatted in; every
    # value is a parameter.
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"  # nosec B608
    params = [
        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _revised(
    p: models.Patient, stored: models.Assessment, fields: dict[str, Any]
) -> models.Assessment:
    return models.Assessment(pk=stored.pk, patient=p, revision=stored.revision + 1, **fields)


_CHANGE_FIELDS = ("pathway", "urgency", "actions", "flags", "rationale", "protocol")
"""What a history row keeps of an assessment."""
