"""A patient's page for staff, and the forms posted from it: recording a procedure, a test result
or a note, and acknowledging, assigning or resolving the patient's tasks.

The handlers live with the page because a refused form comes back as the page itself (status 400,
the error next to the field, nothing saved). The page works without JavaScript. Authorization
fails closed: a user who is not staff, or a patient outside the user's reach, gets 404. Views stay
thin: reading (services.care.reads), recording and assessing happen in venowatch.services, and
the record's rows in staff words come from staff_record. The page issues a fixed number of SQL
queries whatever the number of records or tasks (choices of people are loaded once and passed
to forms).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from venowatch.clinic.models import CallOutcome, Patient, Resolution, Task
from venowatch.protocol import LabKind, LabResult, ProcedureKind
from venowatch.services.care.emergency import is_open_emergency, record_call, takes_calls
from venowatch.services.care.notes import add_note as save_note
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.reads import (
    consent_of,
    contact_of,
    emergency_states,
    patient_page,
    replay_of,
    takeovers,
    task_in_reach,
    task_steps,
)
from venowatch.services.care.records import record_lab, record_procedure
from venowatch.services.care.tasks import acknowledge, assign, resolve
from venowatch.services.care.zones import patient_zone
from venowatch.services.clock import utc_now
from venowatch.services.errors import FieldError
from venowatch.services.security import audit_trail
from venowatch.services.security.access import (
    Act,
    acts_of,
    log_refusal,
    may_manage_task,
    patient_in_reach,
)
from venowatch.web.contact_form import ContactForm
from venowatch.web.refusals import attempt, refuse
from venowatch.web.staff_common import name_of, staff_of
from venowatch.web.staff_forms import AsOfForm, LabForm, NoteForm, ProcedureForm, TaskForm
from venowatch.web.staff_record import record_context
from venowatch.web.staff_replay import changes, replay_context
from venowatch.web.staff_tasks import HistoryRow, history_rows, state_words

# --- who may do what ------------------------------------------------------------------------


def _acts(request: HttpRequest) -> frozenset[Act]:
    """What this user may do; only staff (those with a worklist) reach these pages at all."""
    acts = acts_of(request.user)
    if Act.WORKLIST not in acts or Act.VIEW not in acts:
        log_refusal(request.user, "staff_page")
        raise Http404
    return acts


def _patient_in_reach(request: HttpRequest, pk: int) -> Patient:
    patient = patient_in_reach(request.user, pk, "clinic", "advocate", "assessment")
    if patient is None:
        raise Http404
    return patient


# --- the patient page -----------------------------------------------------------------------


@dataclass
class _Bound:
    """Forms that came back with errors, to show in place of the blank ones."""

    procedure: ProcedureForm | None = None
    lab: LabForm | None = None
    note: NoteForm | None = None
    task: TaskForm | None = None
    task_pk: int | None = None
    contact: ContactForm | None = None
    problem: tuple[str, str] | None = None  # (anchor, what) for the summary at the top


@dataclass(frozen=True)
class _TaskRow:
    task: Task
    form: TaskForm | None
    assignee: str
    state: str  # an emergency's state in words; empty for other tasks
    history: list[HistoryRow]


def _as_of(
    request: HttpRequest, acts: frozenset[Act], zone: tzinfo, now: datetime
) -> AsOfForm | None:
    """The as-of form (None: the user may not look back); bound if the page asks for one."""
    if Act.VIEW_AS_OF not in acts:
        if request.GET.get("as_of"):
            raise Http404
        return None
    if not request.GET.get("as_of"):
        return AsOfForm(zone=zone, now=now)
    return AsOfForm(request.GET, zone=zone, now=now)


def _task_rows(
    request: HttpRequest,
    patient: Patient,
    tasks: Sequence[Task],
    bound: _Bound,
    everyone: list[tuple[str, str]],
) -> list[_TaskRow]:
    """Each open task with its form (the one that came back with errors, a blank one for a
    user who may manage this task: any task, or an open emergency; else none), its state and
    its history."""
    user = request.user
    zone = patient_zone(patient)
    states = emergency_states(user, [patient])
    state = states.get(patient.pk)
    steps = task_steps(user, patient, tasks)
    rows = []
    for task in tasks:
        if bound.task is not None and bound.task_pk == task.pk:
            form: TaskForm | None = bound.task
        elif may_manage_task(user, task, is_open_emergency(task)):
            form = TaskForm(
                prefix=f"task-{task.pk}",
                staff=everyone,
                emergency=task.emergency,
                calls=takes_calls(task),
                initial={"assignee": str(task.assignee_id or "")},
            )
        else:
            form = None
        words = state_words(state, zone) if state and state.task.pk == task.pk else ""
        history = history_rows(steps[task.pk], zone)
        rows.append(_TaskRow(task, form, name_of(task.assignee), words, history))
    return rows


def _record_forms(
    request: HttpRequest,
    acts: frozenset[Act],
    bound: _Bound,
    zone: tzinfo,
    clinicians: list[tuple[str, str]],
) -> dict[str, forms.Form | None]:
    """The forms for recording, each the one that came back with errors, else a blank one if
    the user may use it."""
    procedure_form = bound.procedure
    if procedure_form is None and Act.RECORD_PROCEDURE in acts:
        me = str(request.user.pk)
        procedure_form = ProcedureForm(
            prefix="procedure",
            zone=zone,
            clinicians=clinicians,
            initial={"performed_by": me if me in dict(clinicians) else ""},
        )
    lab_form = bound.lab
    if lab_form is None and Act.RECORD_LAB in acts:
        lab_form = LabForm(prefix="lab", zone=zone)
    note_form = bound.note
    if note_form is None and Act.ADD_NOTE in acts:
        note_form = NoteForm(prefix="note")
    return {"procedure_form": procedure_form, "lab_form": lab_form, "note_form": note_form}


def _patient_page(
    request: HttpRequest,
    patient: Patient,
    acts: frozenset[Act],
    bound: _Bound | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or _Bound()
    now = utc_now()
    zone = patient_zone(patient)
    protocol = clinic_protocol(patient.clinic)
    staff = staff_of(patient.clinic_id)

    as_of_form = _as_of(request, acts, zone, now)
    as_of = None
    if as_of_form is not None and as_of_form.is_bound:
        if as_of_form.is_valid():
            as_of = as_of_form.cleaned_data["as_of"]
        else:
            status = 400
            bound.problem = bound.problem or ("as-of", _("Show the assessment as of"))
    page = patient_page(request.user, patient, now, as_of)
    card = contact_of(request.user, patient, now.astimezone(zone).date())
    contact_form = bound.contact or (ContactForm.of(card) if Act.EDIT_CONTACT in acts else None)
    replayed = replay_of(request.user, patient, as_of or now, timeline=page.timeline)
    shown = record_context(page, protocol, zone, patient.name, changes(replayed))
    open_tasks = _task_rows(request, patient, page.open_tasks, bound, staff.everyone)
    task_alert = None
    if bound.task is not None and bound.task_pk not in {row.task.pk for row in open_tasks}:
        task_alert = [str(e) for errors in bound.task.errors.values() for e in errors]

    return render(
        request,
        "venowatch/staff_patient.html",
        {
            "patient": patient,
            "zone": zone,
            "card": card,
            "contact_form": contact_form,
            **shown,
            "as_of_form": as_of_form,
            "open_tasks": open_tasks,
            "task_alert": task_alert,
            **_record_forms(request, acts, bound, zone, staff.clinicians),
            "problem": bound.problem,
            "posted": request.method == "POST",
            "takeovers": takeovers(request.user, patient),
            "may_take_over": Act.TAKE_OVER in acts and patient.advocate_id != request.user.pk,
            "consent": consent_of(request.user, patient),
            "may_record_consent": Act.RECORD_CONSENT in acts,
            "audit_trail": audit_trail.trail(patient.pk),
            "replay": replay_context(replayed),
        },
        status=status,
    )


@login_required
def patient(request: HttpRequest, pk: int) -> HttpResponse:
    acts = _acts(request)
    return _patient_page(request, _patient_in_reach(request, pk), acts)


# --- recording ------------------------------------------------------------------------------


def _done(request: HttpRequest, patient: Patient, message: str, anchor: str) -> HttpResponse:
    messages.success(request, message)
    response = redirect("staff-patient", pk=patient.pk)
    response["Location"] += f"#{anchor}"
    return response


@login_required
@require_POST
def add_procedure(request: HttpRequest, pk: int) -> HttpResponse:
    acts = _acts(request)
    if Act.RECORD_PROCEDURE not in acts:
        raise Http404
    patient = _patient_in_reach(request, pk)
    staff = staff_of(patient.clinic_id)
    form = ProcedureForm(
        request.POST, prefix="procedure", zone=patient_zone(patient), clinicians=staff.clinicians
    )
    if form.is_valid() and attempt(
        form,
        lambda: record_procedure(
            patient,
            kind=ProcedureKind(form.cleaned_data["kind"]),
            performed_at=form.cleaned_data["performed_at"],
            veins=form.vein_list(),
            performed_by=staff.user(form.cleaned_data["performed_by"]),
            note=form.cleaned_data["note"],
            by=request.user,
            now=utc_now(),
            confirm_duplicate=form.cleaned_data["confirm_duplicate"],
        ),
    ):
        return _done(request, patient, _("Procedure recorded."), "procedures")
    problem = ("record-procedure", _("Record a procedure"))
    return _patient_page(request, patient, acts, _Bound(procedure=form, problem=problem), 400)


@login_required
@require_POST
def add_lab(request: HttpRequest, pk: int) -> HttpResponse:
    acts = _acts(request)
    if Act.RECORD_LAB not in acts:
        raise Http404
    patient = _patient_in_reach(request, pk)
    form = LabForm(request.POST, prefix="lab", zone=patient_zone(patient))
    if form.is_valid() and attempt(
        form,
        lambda: record_lab(
            patient,
            at=form.cleaned_data["at"],
            kind=LabKind(form.cleaned_data["kind"]),
            result=LabResult(form.cleaned_data["result"]),
            finding=form.cleaned_data["finding"],
            by=request.user,
            now=utc_now(),
            confirm_duplicate=form.cleaned_data["confirm_duplicate"],
        ),
    ):
        return _done(request, patient, _("Test result recorded."), "labs")
    problem = ("record-lab", _("Record a test result"))
    return _patient_page(request, patient, acts, _Bound(lab=form, problem=problem), 400)


@login_required
@require_POST
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    acts = _acts(request)
    if Act.ADD_NOTE not in acts:
        raise Http404
    patient = _patient_in_reach(request, pk)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid() and attempt(
        form,
        lambda: save_note(patient, text=form.cleaned_data["text"], by=request.user, now=utc_now()),
    ):
        return _done(request, patient, _("Note added."), "notes")
    problem = ("add-note", _("Add a note"))
    return _patient_page(request, patient, acts, _Bound(note=form, problem=problem), 400)


@login_required
@require_POST
def task_action(request: HttpRequest, pk: int) -> HttpResponse:
    acts = _acts(request)
    task = task_in_reach(request.user, pk)
    if task is None or not may_manage_task(request.user, task, is_open_emergency(task)):
        raise Http404
    patient = task.patient
    staff = staff_of(patient.clinic_id)
    prefix = f"task-{task.pk}"
    data = request.POST.copy()
    current = str(task.assignee_id or "")
    if data.get(f"{prefix}-action") != TaskForm.ASSIGN and current in staff.users:
        # Acknowledge and resolve send no person; should the page come back, the assign
        # control still shows who has the task.
        data.setdefault(f"{prefix}-assignee", current)
    form = TaskForm(
        data, prefix=prefix, staff=staff.everyone, emergency=task.emergency, calls=takes_calls(task)
    )
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            message = _move_task(request, task, form, staff.user(form.cleaned_data["assignee"]))
        except FieldError as exc:
            if exc.field in _SENTENCES:
                field = {TaskForm.RESOLVE: "note", TaskForm.CALL: "call_note"}.get(action)
                form.add_error(field, _sentence(exc.message))
            else:
                refuse(form, exc)
        else:
            return _done(request, patient, message, "tasks")
    bound = _Bound(task=form, task_pk=task.pk, problem=("tasks", _("Tasks")))
    return _patient_page(request, patient, acts, bound, 400)


def _move_task(request: HttpRequest, task: Task, form: TaskForm, assignee: Any) -> str:
    """Do what the button said; the confirmation to show."""
    action, now = form.cleaned_data["action"], utc_now()
    if action == TaskForm.ACKNOWLEDGE:
        acknowledge(task, request.user, now)
        return _("Task acknowledged.")
    if action == TaskForm.ASSIGN:
        assign(task, assignee, request.user, now)
        return _("Task assigned to %(name)s.") % {"name": name_of(assignee)}
    if action == TaskForm.CALL:
        outcome = CallOutcome(form.cleaned_data["call_outcome"])
        record_call(task, request.user, now, outcome, form.cleaned_data["call_note"])
        return _("Call recorded: %(outcome)s.") % {"outcome": outcome.label}
    chosen = form.cleaned_data.get("resolution")
    resolution = Resolution(chosen) if chosen else None
    resolve(task, request.user, now, form.cleaned_data["note"], resolution)
    return _("Task resolved.")


_SENTENCES = {"task", "note"}
"""Refusals about the task itself or its note, which read as a sentence beside the note."""


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."
