"""A record's own page for staff: what it says, whether it still counts, and the forms to void
it (with a reason) or correct it (a new record that supersedes it; both are kept). Reached from
the rows of the patient's page. Authorization as there: not staff, a patient out of reach, a
record not the patient's, or an act the role does not allow, is a 404."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from venowatch.clinic.models import Patient
from venowatch.protocol import LabKind, LabResult, Pgic, ProcedureKind
from venowatch.services.care import corrections
from venowatch.services.care.pgic import PGIC_LABELS
from venowatch.services.care.reads import Records, record_of
from venowatch.services.care.zones import patient_zone
from venowatch.services.clock import utc_now
from venowatch.services.security.access import Act
from venowatch.web.correction_forms import CheckInFixForm, LabFixForm, ProcedureFixForm, VoidForm
from venowatch.web.record_states import staff_state, when
from venowatch.web.refusals import attempt
from venowatch.web.staff_common import name_of, staff_of
from venowatch.web.staff_forms import LAB_LABELS, PROCEDURE_LABELS, RESULT_LABELS
from venowatch.web.staff_patient import _acts, _done, _patient_in_reach

KINDS = {
    "procedures": (Records.PROCEDURES, Act.RECORD_PROCEDURE),
    "labs": (Records.LABS, Act.RECORD_LAB),
    "checkins": (Records.CHECKINS, Act.CORRECT_CHECKIN),
}


def _found(request: HttpRequest, pk: int, kind: str, rid: int) -> tuple[Patient, Any]:
    if kind not in KINDS:
        raise Http404
    records, act = KINDS[kind]
    if act not in _acts(request):
        raise Http404
    patient = _patient_in_reach(request, pk)
    row = record_of(request.user, patient, records, rid)
    if row is None:
        raise Http404
    return patient, row


def _fix_form(kind: str, row: Any, zone: tzinfo, data: Any = None) -> forms.Form:
    """The correction form, filled in with what the record says."""
    if kind == "procedures":
        initial = {
            "kind": row.kind.value, "performed_at": row.performed_at.astimezone(zone),
            "veins": ", ".join(row.veins), "performed_by": str(row.performed_by_id or ""),
            "note": row.note,
        }  # fmt: skip
        clinicians = staff_of(row.patient.clinic_id).clinicians
        return ProcedureFixForm(
            data, prefix="fix", zone=zone, clinicians=clinicians, initial=initial
        )
    if kind == "labs":
        initial = {"kind": row.kind.value, "result": row.result.value, "finding": row.finding,
                   "at": row.at.astimezone(zone)}  # fmt: skip
        return LabFixForm(data, prefix="fix", zone=zone, initial=initial)
    initial = {"at": row.at.astimezone(zone), "pgic": row.pgic.value,
               "symptoms_returned": row.symptoms_returned, "note": row.note}  # fmt: skip
    return CheckInFixForm(data, prefix="fix", zone=zone, initial=initial)


def _facts(kind: str, row: Any, zone: tzinfo) -> list[tuple[str, str]]:
    """What the record says, in words."""
    if kind == "procedures":
        return [
            (_("Procedure"), str(PROCEDURE_LABELS[row.kind])),
            (_("When"), when(row.performed_at, zone)),
            (_("Veins"), ", ".join(row.veins) or _("Not recorded")),
            (_("Interventional radiologist"), name_of(row.performed_by) or _("Not recorded")),
            (_("Note"), row.note or _("No note")),
        ]
    if kind == "labs":
        return [
            (_("Test"), str(LAB_LABELS[row.kind])),
            (_("Taken"), when(row.at, zone)),
            (_("Result"), str(RESULT_LABELS[row.result])),
            (_("Finding"), row.finding or _("No finding")),
        ]
    ratings = ", ".join(f"{k} {v}" for k, v in sorted(row.symptoms.items()))
    return [
        (_("When"), when(row.at, zone)),
        (_("Overall"), str(PGIC_LABELS[row.pgic])),
        (_("Symptoms back?"), _("Yes") if row.symptoms_returned else _("No")),
        (_("Ratings"), ratings or _("Not given")),
        (_("Note"), row.note or _("No note")),
    ]


def _page(
    request: HttpRequest,
    patient: Patient,
    kind: str,
    row: Any,
    void_form: VoidForm | None = None,
    fix_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    zone = patient_zone(patient)
    counts = row.voided_at is None
    context = {
        "patient": patient, "kind": kind, "row": row, "facts": _facts(kind, row, zone),
        "state": staff_state(row, zone), "counts": counts,
        "recorded": when(row.recorded_at, zone), "recorded_by": name_of(row.recorded_by),
        "void_form": (void_form or VoidForm(prefix="void")) if counts else None,
        "fix_form": (fix_form or _fix_form(kind, row, zone)) if counts else None,
        "posted": request.method == "POST",
    }  # fmt: skip
    return render(request, "venowatch/staff_correction.html", context, status=status)


@login_required
def record(request: HttpRequest, pk: int, kind: str, rid: int) -> HttpResponse:
    patient, row = _found(request, pk, kind, rid)
    return _page(request, patient, kind, row)


@login_required
@require_POST
def void_record(request: HttpRequest, pk: int, kind: str, rid: int) -> HttpResponse:
    patient, row = _found(request, pk, kind, rid)
    form = VoidForm(request.POST, prefix="void")
    if form.is_valid() and attempt(
        form,
        lambda: corrections.void(
            row, reason=form.cleaned_data["reason"], by=request.user, now=utc_now()
        ),
    ):
        return _done(request, patient, _("The record is voided; it no longer counts."), kind)
    return _page(request, patient, kind, row, void_form=form, status=400)


@login_required
@require_POST
def correct_record(request: HttpRequest, pk: int, kind: str, rid: int) -> HttpResponse:
    patient, row = _found(request, pk, kind, rid)
    form = _fix_form(kind, row, patient_zone(patient), request.POST)
    if form.is_valid() and attempt(form, lambda: _correct(request, kind, row, form)):
        return _done(request, patient, _("The record is corrected; both are kept."), kind)
    return _page(request, patient, kind, row, fix_form=form, status=400)


def _correct(request: HttpRequest, kind: str, row: Any, form: forms.Form) -> object:
    data, now = form.cleaned_data, utc_now()
    common = {"reason": data["reason"], "by": request.user, "now": now,
              "confirm_duplicate": data["confirm_duplicate"]}  # fmt: skip
    if kind == "procedures":
        assert isinstance(form, ProcedureFixForm)
        return corrections.correct_procedure(
            row, kind=ProcedureKind(data["kind"]), performed_at=data["performed_at"],
            veins=form.vein_list(), note=data["note"],
            performed_by=staff_of(row.patient.clinic_id).user(data["performed_by"]), **common,
        )  # fmt: skip
    if kind == "labs":
        return corrections.correct_lab(
            row, at=data["at"], kind=LabKind(data["kind"]), result=LabResult(data["result"]),
            finding=data["finding"], **common,
        )  # fmt: skip
    return corrections.correct_checkin(
        row, at=data["at"], pgic=Pgic(data["pgic"]), symptoms_returned=data["symptoms_returned"],
        symptoms=row.symptoms, note=data["note"], **common,
    )  # fmt: skip
