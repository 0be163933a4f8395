"""Reading patients' records: one entry point per kind of read, for every edge.

Each entry point knows who reads (the signed-in user, or None for the operator at the command
line), which patients, and what (a `Read`), and passes `_reading` before it touches a record:
the one place where an audit of every read hooks in. The edges never query patient records
themselves (tests/test_reads.py walks them). Authorization stays with
services.security.access: the entry points take patients already found in the reader's reach.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, QuerySet

from venowatch.audit.models import Action
from venowatch.clinic import models
from venowatch.clinic.models import TaskStatus
from venowatch.fhir.query import Query
from venowatch.protocol import Protocol, Timeline
from venowatch.services.care import emergency
from venowatch.services.care.consent import ConsentState, state_of
from venowatch.services.care.contacts import ContactCard, contact_card
from venowatch.services.care.data_export import csv_zip
from venowatch.services.care.emergency import EmergencyState, Step, open_emergency_tasks
from venowatch.services.care.impact import Impact
from venowatch.services.care.impact_clinic import clinic_impact
from venowatch.services.care.records import asks_if_symptoms_returned
from venowatch.services.care.replay import patient_replay
from venowatch.services.care.replay_values import PatientReplay
from venowatch.services.care.standing import Standing, standing, standing_as_of
from venowatch.services.care.timelines import timeline_of
from venowatch.services.care.worklist import worklist_rows
from venowatch.services.integration import fhir_search
from venowatch.services.integration.fhir_export import Window, export_patient
from venowatch.services.outcomes import facts as outcome_facts
from venowatch.services.outcomes.episodes import EpisodeFacts
from venowatch.services.outcomes.figures import Figures
from venowatch.services.security import audit
from venowatch.services.security.access import member_of, patients_in_reach

log = logging.getLogger(__name__)

OPEN = (TaskStatus.OPEN, TaskStatus.ACKNOWLEDGED)
RECENT_RESOLVED = 10
"""Resolved tasks the staff page lists, newest first."""
RECENT_CHECKINS = 50
"""Check-ins the staff page lists as rows (voided and corrected ones among them)."""
_STATE = ("voided_by", "replacement")
"""What a record's row needs to say whether, by whom and why it was voided or corrected."""


class Read(enum.Enum):
    """What a reader reads."""

    PATIENT_PAGE = "patient_page"  # staff: the whole record, on the patient's page
    WORKLIST = "worklist"  # staff: many patients' standing, a page at a time
    OWN_STATUS = "own_status"  # the patients themselves, on their pages
    OWN_HISTORY = "own_history"
    OWN_CHECKIN = "own_checkin"
    STANDING = "standing"  # the API: what the protocol says
    RECORDS = "records"  # the API: one kind of record, listed
    TASKS = "tasks"  # staff tasks, listed or acted on
    EXPORT = "export"  # a FHIR export, over HTTP or at the command line
    DECISION_SUPPORT = "decision_support"  # a CDS Hooks call from the EHR
    FHIR = "fhir"  # a FHIR REST read or search
    PROTOCOL_IMPACT = "protocol_impact"  # a clinic's records, replayed under a new protocol
    WORKLIST_EXPORT = "worklist_export"  # staff: the worklist as filtered, as a CSV file
    OUTCOME_FIGURES = "outcome_figures"  # a clinic's (or every clinic's) outcome figures


class Records(enum.Enum):
    """The records the API lists, newest first."""

    PROCEDURES = "procedures"
    CHECKINS = "checkins"
    LABS = "labs"
    CHANGES = "changes"


def _reading(
    reader: Any, what: Read, patients: Iterable[int], *, clinic: int | None = None
) -> None:
    """Every read of patients' records passes here, before it happens, and is logged
    (services.security.audit: who, which patients, what; where from, the edge's origin says).
    `reader` None is the operator at the command line or an EHR, as the origin says. A read
    of a whole clinic names no patient but the `clinic`."""
    ids = list(patients)
    if log.isEnabledFor(logging.DEBUG):
        log.debug("user %s reads %s of patients %s", getattr(reader, "pk", None), what.value, ids)
    audit.read(reader, Action(what.value), ids, clinic=clinic)


# --- the staff patient page -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resolved:
    task: models.Task
    at: datetime | None
    by: Any
    note: str


@dataclass(frozen=True, slots=True)
class PatientPage:
    """What the staff page shows of one patient: the timeline as stored, the standing now (or
    as of a past instant), and the rows the timeline does not hold, newest first."""

    timeline: Timeline
    standing: Standing
    past: bool
    changes: Sequence[models.AssessmentChange]
    procedures: Sequence[models.Procedure]
    labs: Sequence[models.Lab]
    checkins: Sequence[models.CheckIn]
    notes: Sequence[models.Note]
    open_tasks: Sequence[models.Task]
    resolved: Sequence[Resolved]


def patient_page(
    reader: Any, patient: models.Patient, now: datetime, as_of: datetime | None = None
) -> PatientPage:
    """The staff page's read of `patient` (loaded with clinic, advocate and assessment), in a
    fixed number of queries whatever the number of records."""
    _reading(reader, Read.PATIENT_PAGE, [patient.pk])
    timeline = timeline_of(patient)
    if as_of is None:
        shown = standing(patient, now, timeline)
    else:
        shown = standing_as_of(patient, as_of, timeline)
    resolved = list(
        patient.tasks.filter(status=TaskStatus.RESOLVED)
        .select_related("assignee")
        .order_by("-pk")[:RECENT_RESOLVED]
    )
    events = {
        e.task_id: e
        for e in models.TaskEvent.objects.filter(
            task__in=[t.pk for t in resolved], status=TaskStatus.RESOLVED
        ).select_related("actor")
    }
    return PatientPage(
        timeline=timeline,
        standing=shown,
        past=as_of is not None,
        changes=list(patient.assessment_changes.order_by("-at", "-pk")),
        procedures=list(
            patient.procedures.select_related("performed_by", *_STATE).order_by(
                "-performed_at", "-pk"
            )
        ),
        labs=list(patient.labs.select_related(*_STATE).order_by("-at", "-pk")),
        checkins=list(
            patient.checkins.select_related(*_STATE).order_by("-at", "-pk")[:RECENT_CHECKINS]
        ),
        notes=list(patient.notes.select_related("author").order_by("-created_at", "-pk")),
        open_tasks=list(
            patient.tasks.filter(status__in=OPEN)
            .select_related("assignee", "change")
            .order_by("created_at", "pk")
        ),
        resolved=[_resolved(t, events.get(t.pk)) for t in resolved],
    )


def replay_of(
    reader: Any,
    patient: models.Patient,
    until: datetime,
    *,
    protocol: Protocol | None = None,
    timeline: Timeline | None = None,
) -> PatientReplay:
    """The patient's replay to `until` and its comparison with the stored history
    (services.care.replay); a read of the whole record, as the staff page's is. Pass the
    timeline the caller already read for the page."""
    _reading(reader, Read.PATIENT_PAGE, [patient.pk])
    return patient_replay(patient, until, protocol=protocol, timeline=timeline)


def replay_by_id(
    reader: Any, pk: int, until: datetime, *, protocol: Protocol | None = None
) -> PatientReplay | None:
    """Patient `pk`'s replay for the operator at the command line (who reaches every
    patient), or None if there is no such patient."""
    if pk > models.MAX_ID:
        return None
    patient = models.Patient.objects.select_related("clinic").filter(pk=pk).first()
    if patient is None:
        return None
    return replay_of(reader, patient, until, protocol=protocol)


def contact_of(reader: Any, patient: models.Patient, today: date) -> ContactCard:
    """How staff reach the patient (the staff page's header and contact form)."""
    _reading(reader, Read.PATIENT_PAGE, [patient.pk])
    return contact_card(patient, today)


def consent_of(reader: Any, patient: models.Patient) -> ConsentState:
    """The patient's consent to be followed, for their page and the staff's."""
    _reading(reader, Read.PATIENT_PAGE, [patient.pk])
    return state_of(patient)


def _resolved(task: models.Task, event: models.TaskEvent | None) -> Resolved:
    if event is None:
        return Resolved(task, None, None, "")
    return Resolved(task, event.at, event.actor, event.note)


# --- many patients --------------------------------------------------------------------------


def worklist(reader: Any, filters: Mapping[str, Any]) -> QuerySet[models.Patient]:
    """The patients in the reader's reach, in worklist order (see worklist.worklist_rows),
    loaded with assessment and advocate; the edge cuts its page."""
    rows = worklist_rows(reader, filters)
    _reading(reader, Read.WORKLIST, [])  # the page is cut later; what is read is the list
    return rows


@dataclass(frozen=True, slots=True)
class ListExport:
    """The whole worklist as filtered, for a file: its patients in order, their open tasks
    and their open emergencies' states."""

    patients: list[models.Patient]
    open_tasks: dict[int, int]
    emergencies: dict[int, EmergencyState]


def worklist_export(reader: Any, filters: Mapping[str, Any]) -> ListExport:
    """Every patient the worklist lists with these filters, not a page: a file leaves the
    site, so each patient in it is logged as exported."""
    patients = list(worklist_rows(reader, filters))
    ids = [p.pk for p in patients]
    _reading(reader, Read.WORKLIST_EXPORT, ids)
    return ListExport(patients, _open_task_counts(ids), emergency.emergency_states(ids))


def listed(reader: Any, rows: Sequence[Any]) -> None:
    """A page of patients, or of their tasks, cut from one of the lists above (worklist,
    tasks_in_reach) by the edge: the patients it shows are read."""
    ids = [r.pk if isinstance(r, models.Patient) else r.patient_id for r in rows
           if isinstance(r, models.Patient | models.Task)]  # fmt: skip
    if ids:
        _reading(reader, Read.WORKLIST if isinstance(rows[0], models.Patient) else Read.TASKS, ids)


def open_task_counts(reader: Any, patients: Sequence[models.Patient]) -> dict[int, int]:
    """Open tasks per patient, for a worklist page. Counted for the page's patients only: a
    COUNT joined into the list's query would group the whole registry before the page is cut
    (40 ms of 60 at 10,000 patients)."""
    ids = [p.pk for p in patients]
    _reading(reader, Read.WORKLIST, ids)
    return _open_task_counts(ids)


def _open_task_counts(ids: list[int]) -> dict[int, int]:
    return dict(
        models.Task.objects.filter(patient__in=ids, status__in=OPEN)
        .values_list("patient_id")
        .annotate(n=Count("pk"))
        .values_list("patient_id", "n")
    )


@dataclass(frozen=True, slots=True)
class Emergency:
    """An open emergency of the reader's clinic, for the list at the top of the worklist:
    the task (with its patient, assignee and the patient's advocate loaded) and, if someone
    acknowledged it, who and when."""

    task: models.Task
    acknowledged: models.TaskEvent | None


def open_emergencies(reader: Any) -> list[Emergency]:
    """Every open emergency of the reader's clinic, the longest waiting first; none for a
    reader who is not staff. Every staff member sees them all (the cover rule)."""
    member = member_of(reader)
    if member is None or member.role == models.Role.PATIENT:
        return []
    tasks = list(
        open_emergency_tasks(member.clinic_id).select_related(
            "patient", "patient__advocate", "assignee"
        )
    )
    _reading(reader, Read.WORKLIST, [t.patient_id for t in tasks])
    acknowledged: dict[int, models.TaskEvent] = {}
    for event in (
        models.TaskEvent.objects.filter(
            task__in=[t.pk for t in tasks], status=TaskStatus.ACKNOWLEDGED
        )
        .select_related("actor")
        .order_by("at", "pk")
    ):
        acknowledged[event.task_id] = event  # the latest wins
    return [Emergency(t, acknowledged.get(t.pk)) for t in tasks]


def takeovers(reader: Any, patient: models.Patient) -> list[models.Takeover]:
    """Who took the patient over, from whom, when and why; newest first."""
    _reading(reader, Read.PATIENT_PAGE, [patient.pk])
    return list(
        models.Takeover.objects.filter(patient=patient)
        .select_related("by", "previous")
        .order_by("-at", "-pk")
    )


def emergency_states(reader: Any, patients: Sequence[models.Patient]) -> dict[int, EmergencyState]:
    """The open emergency of each of these patients that has one, with its state."""
    ids = [p.pk for p in patients]
    _reading(reader, Read.WORKLIST, ids)
    return emergency.emergency_states(ids)


def task_steps(
    reader: Any, patient: models.Patient, tasks: Sequence[models.Task]
) -> dict[int, list[Step]]:
    """Each of the patient's `tasks`' history (events and calls), oldest first: part of the
    staff page's read of the record (logged once with it)."""
    _reading(reader, Read.PATIENT_PAGE, [patient.pk])
    return emergency.task_history(tasks)


# --- the patients' own pages ----------------------------------------------------------------


def own_emergency(user: Any, patient: models.Patient) -> models.Task | None:
    """The patient's open possible-clot task, which every page of theirs warns of."""
    _reading(user, Read.OWN_STATUS, [patient.pk])
    return emergency.open_emergency_of(patient)


def own_patient(user: Any, what: Read, *related: str) -> models.Patient | None:
    """The user's own record, if the user is a patient (None otherwise)."""
    patient = patients_in_reach(user).select_related(*related).first()
    if patient is None or patient.user_id != user.pk:
        return None
    _reading(user, what, [patient.pk])
    return patient


def own_timeline(user: Any, patient: models.Patient) -> Timeline:
    _reading(user, Read.OWN_HISTORY, [patient.pk])
    return timeline_of(patient)


@dataclass(frozen=True, slots=True)
class OwnRecords:
    """The patient's procedures and check-ins as rows, newest first, withdrawn and corrected
    ones too, for their history page."""

    procedures: Sequence[models.Procedure]
    checkins: Sequence[models.CheckIn]


def own_records(user: Any, patient: models.Patient) -> OwnRecords:
    _reading(user, Read.OWN_HISTORY, [patient.pk])
    return OwnRecords(
        procedures=list(patient.procedures.select_related(*_STATE).order_by("-performed_at")),
        checkins=list(patient.checkins.select_related(*_STATE).order_by("-at", "-pk")),
    )


def own_checkin(user: Any, patient: models.Patient, pk: int) -> models.CheckIn | None:
    """One of the patient's own check-ins, to withdraw it."""
    _reading(user, Read.OWN_HISTORY, [patient.pk])
    return patient.checkins.filter(pk=pk).first()


def own_has_procedure(user: Any, patient: models.Patient) -> bool:
    """Whether the patient has a procedure that counts: without one a check-in compares with
    nothing, and the page says so instead of asking."""
    _reading(user, Read.OWN_CHECKIN, [patient.pk])
    return patient.procedures.filter(voided_at__isnull=True).exists()


def in_first_hours(user: Any, patient: models.Patient, now: datetime) -> bool:
    """Whether the check-in asks "have your symptoms come back?" (the rule is the records')."""
    _reading(user, Read.OWN_CHECKIN, [patient.pk])
    return asks_if_symptoms_returned(patient, now)


# --- the API, exports, decision support -----------------------------------------------------


def standing_of(
    reader: Any, patient: models.Patient, now: datetime, as_of: datetime | None = None
) -> Standing:
    """What the protocol says of the patient now, or as of a past instant."""
    _reading(reader, Read.STANDING, [patient.pk])
    return standing(patient, now) if as_of is None else standing_as_of(patient, as_of)


def standing_after_write(reader: Any, patient: models.Patient, now: datetime) -> Standing:
    """The standing once a write has re-assessed the patient: the row is read again."""
    fresh = models.Patient.objects.select_related("clinic", "assessment").get(pk=patient.pk)
    return standing_of(reader, fresh, now)


def records(reader: Any, patient: models.Patient, kind: Records) -> QuerySet[Any]:
    """One kind of the patient's records, newest first, voided and superseded ones too (each
    says which it is); the edge cuts its page."""
    _reading(reader, Read.RECORDS, [patient.pk])
    if kind is Records.PROCEDURES:
        return patient.procedures.select_related("replacement").order_by("-performed_at", "-pk")
    if kind is Records.CHECKINS:
        return patient.checkins.select_related("replacement").order_by("-at", "-pk")
    if kind is Records.LABS:
        return patient.labs.select_related("replacement").order_by("-at", "-pk")
    return patient.assessment_changes.order_by("-at", "-pk")


def record_of(reader: Any, patient: models.Patient, kind: Records, pk: int) -> Any:
    """Record `pk` of one kind of the patient's (a procedure, check-in or lab), or None; to be
    voided or corrected, so its patient is the one given."""
    assert kind is not Records.CHANGES, "an assessment is not corrected: its records are"
    row = records(reader, patient, kind).filter(pk=pk).first()
    if row is not None:
        row.patient = patient
    return row


def tasks_in_reach(reader: Any) -> QuerySet[models.Task]:
    """The tasks of the patients in the reader's reach (the caller filters and orders)."""
    _reading(reader, Read.TASKS, [])
    return models.Task.objects.filter(patient__in=patients_in_reach(reader))


def task_in_reach(reader: Any, pk: int) -> models.Task | None:
    """Task `pk` with its patient (clinic, advocate, assessment loaded), if in reach."""
    task = (
        tasks_in_reach(reader)
        .filter(pk=pk)
        .select_related("patient__clinic", "patient__advocate", "patient__assessment")
        .first()
    )
    if task is None:
        audit.refused(reader, "task", pk)
    else:
        _reading(reader, Read.TASKS, [task.patient_id])
    return task


@dataclass(frozen=True, slots=True)
class Known:
    """What venowatch holds of a patient an EHR asks about: the records as stored, the
    standing now, and whether an emergency is still open for them."""

    timeline: Timeline
    standing: Standing
    open_emergency: models.Task | None


def decision_support(reader: Any, clinic: models.Clinic, pk: int, now: datetime) -> Known | None:
    """For a CDS Hooks call: patient `pk` of `clinic` (the EHR matched them by identifier),
    or None if there is no such patient there."""
    patient = (
        models.Patient.objects.select_related("clinic", "assessment")
        .filter(clinic=clinic, pk=pk)
        .first()
    )
    if patient is None:
        return None
    _reading(reader, Read.DECISION_SUPPORT, [patient.pk])
    timeline = timeline_of(patient)
    emergency = open_emergency_tasks(clinic.pk).filter(patient=patient).first()
    return Known(timeline, standing(patient, now, timeline), emergency)


def exported(reader: Any, pk: int) -> dict[str, Any] | None:
    """Patient `pk`'s FHIR export for the operator at the command line (who reaches every
    patient), or None if there is no such patient."""
    patient = models.Patient.objects.select_related("clinic").filter(pk=pk).first()
    if patient is None:
        return None
    return export(reader, patient)


def own_csv_export(user: Any, patient: models.Patient, now: datetime) -> bytes:
    """The patient's own data as a zip of CSV files (services.care.data_export)."""
    _reading(user, Read.EXPORT, [patient.pk])
    return csv_zip(patient, now)


def export(reader: Any, patient: models.Patient, window: Window | None = None) -> dict[str, Any]:
    """The patient's FHIR export (services.integration.fhir_export)."""
    _reading(reader, Read.EXPORT, [patient.pk])
    return export_patient(patient, window=window)


def fhir_resource(reader: Any, kind: str, id_: str, now: datetime) -> dict[str, Any] | None:
    """One FHIR resource in the reader's reach (services.integration.fhir_search.read)."""
    return fhir_search.read(reader, lambda ids: _reading(reader, Read.FHIR, ids), kind, id_, now)


def fhir_found(reader: Any, query: Query, now: datetime) -> fhir_search.Page:
    """A page of a FHIR search; the hook sees the ids of the patients whose records it reads."""
    return fhir_search.search(reader, lambda ids: _reading(reader, Read.FHIR, ids), query, now)


def protocol_impact(
    reader: Any,
    clinic: models.Clinic,
    new: Protocol,
    now: datetime,
    *,
    replayed: bool = True,
    replay_at_most: int | None = None,
) -> Impact:
    """What a new protocol file would change for every patient of `clinic` (the admin's
    preview, `venowatch protocol impact`; see impact_clinic.clinic_impact). One read of the
    clinic's records, logged as one row naming the clinic rather than a row per patient
    (docs/decisions.md, the impact part)."""
    _reading(reader, Read.PROTOCOL_IMPACT, [], clinic=clinic.pk)
    return clinic_impact(clinic, new, now, replayed=replayed, replay_at_most=replay_at_most)


def outcome_figures(
    reader: Any,
    clinics: Sequence[int] | None,
    now: datetime,
    start: date | None = None,
    end: date | None = None,
) -> tuple[Figures, list[EpisodeFacts]]:
    """The outcome figures of the clinics (None: every clinic) from the stored facts, for the
    staff page, the API and `venowatch outcomes`. They show no patient, but they are facts
    drawn from every patient's records, and the API and CLI export them: one row names the
    clinic read (none for several: the operator's every clinic), as for a protocol preview."""
    one = clinics[0] if clinics is not None and len(clinics) == 1 else None
    _reading(reader, Read.OUTCOME_FIGURES, [], clinic=one)
    return outcome_facts.cohort_figures(clinics, now, start, end)
