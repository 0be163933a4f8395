"""The patient's own pages: what to do now, a check-in in seconds, and their history.

Every page works without JavaScript. A patient only ever reaches their own record: the page
takes no id, and a signed-in user who is not a patient gets 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta, tzinfo
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from venowatch.clinic.models import CheckIn, Patient
from venowatch.protocol import Flag, Parameters, Pathway, Pgic, Urgency
from venowatch.protocol.message import Audience
from venowatch.services.care.charts import describe, history_svg
from venowatch.services.care.clinic_contact import contact_for, general_contact
from venowatch.services.care.corrections import withdraw_checkin
from venowatch.services.care.missed_checkins import days_back, record_own_checkin
from venowatch.services.care.pgic import PGIC_LABELS
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.reads import (
    Read,
    in_first_hours,
    own_checkin,
    own_emergency,
    own_has_procedure,
    own_patient,
    own_records,
    own_timeline,
)
from venowatch.services.care.standing import standing
from venowatch.services.care.wording import rationale
from venowatch.services.care.zones import patient_zone
from venowatch.services.clock import utc_now
from venowatch.services.errors import FieldError
from venowatch.services.security.access import Act, log_refusal, may
from venowatch.web.forms import CheckInForm
from venowatch.web.record_states import patient_state
from venowatch.web.refusals import attempt
from venowatch.web.staff_forms import PROCEDURE_LABELS

PATIENT_URGENCY = {
    Urgency.EMERGENCY: gettext_lazy("Emergency"),
    Urgency.URGENT: gettext_lazy("Urgent"),
    Urgency.ATTENTION: gettext_lazy("Needs attention"),
    Urgency.ROUTINE: gettext_lazy("Routine follow-up"),
    Urgency.NONE: gettext_lazy("No action needed"),
}
"""The badge on the patient's page, in words: never the value, never "None"."""


def _own_patient(request: HttpRequest, act: Act, what: Read, *related: str) -> Patient:
    if not may(request.user, act):
        log_refusal(request.user, "own_record")
        raise Http404
    patient = own_patient(request.user, what, *related)
    if patient is None:
        log_refusal(request.user, "own_record")
        raise Http404
    return patient


@login_required
def status(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request, Act.VIEW, Read.OWN_STATUS, "clinic", "advocate", "assessment")
    now = utc_now()
    protocol = clinic_protocol(patient.clinic)
    current = standing(patient, now)
    zone = patient_zone(patient)
    return render(
        request,
        "venowatch/patient_status.html",
        {
            "patient": patient,
            "clinic": patient.clinic,
            "current": {
                "urgency": current.urgency.value,
                "earliest_next_procedure_at": current.earliest_next_procedure_at,
                "valid_until": current.valid_until,
                "as_of": now,  # a key date before it has passed, and is not shown as coming
            },
            # The default protocol's words are in the catalogs (web/protocol_words.py).
            "title": _(protocol.pathways[current.pathway].title.patient),
            "actions": [_(protocol.actions[a].patient) for a in current.actions],
            "contact": contact_for(patient.clinic, current.actions),
            "rationale": rationale(current.rationale, Audience.PATIENT, zone),
            "emergency": current.urgency is Urgency.EMERGENCY,
            "urgency_label": PATIENT_URGENCY[current.urgency],
            "open_emergency": own_emergency(request.user, patient),
            "checkin_due": Flag.CHECKIN_OVERDUE in current.flags
            or current.pathway is Pathway.AWAITING_CHECKIN,
            "zone": zone,
        },
    )


@login_required
def checkin(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(
        request, Act.CHECK_IN, Read.OWN_CHECKIN, "clinic", "assessment", "advocate"
    )
    now = utc_now()
    posted = request.method == "POST"
    data = request.POST if posted else None  # an empty POST is still a POST
    zone = patient_zone(patient)
    form = CheckInForm(data, symptoms=list(patient.tracked_symptoms), days=days_back(patient, now))
    if (
        posted
        and form.is_valid()
        and attempt(
            form,
            lambda: record_own_checkin(
                patient,
                at=form.instant(zone, now),
                pgic=Pgic(form.cleaned_data["pgic"]),
                symptoms_returned=bool(form.cleaned_data.get("symptoms_returned")),
                symptoms=form.symptom_ratings(),
                note=form.cleaned_data["note"],
                by=request.user,
                now=now,
                confirm_duplicate=form.cleaned_data["confirm_duplicate"],
            ),
        )
    ):
        messages.success(request, _("Thank you. Your check-in is saved."))
        return redirect("patient-status")
    # Asked only when the page is shown, so a saved check-in (the busiest write) costs no query.
    if not own_has_procedure(request.user, patient):
        return _nothing_to_check_in(request, patient)
    # A submitted answer to "have your symptoms come back?" is kept whenever it comes: the
    # engine weighs it only inside the window. Asking it is what depends on the window.
    if not in_first_hours(request.user, patient, now):
        del form.fields["symptoms_returned"]
    context = {
        "form": form,
        "open_emergency": own_emergency(request.user, patient),
        "clinic": patient.clinic,
        "zone": zone,
    }
    return render(request, "venowatch/patient_checkin.html", context)


def _nothing_to_check_in(request: HttpRequest, patient: Patient) -> HttpResponse:
    """Without a procedure a check-in has nothing to compare with: the page says what that
    means and whom to ask, instead of a form that would be refused."""
    advocate = patient.advocate
    context = {
        "contact": general_contact(patient.clinic),
        "advocate_name": advocate.get_full_name() or advocate.username if advocate else "",
        "advocate_email": advocate.email if advocate else "",
        "open_emergency": own_emergency(request.user, patient),
        "clinic": patient.clinic,
    }
    return render(request, "venowatch/patient_checkin_none.html", context)


@login_required
def history(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request, Act.VIEW, Read.OWN_HISTORY, "clinic")
    protocol = clinic_protocol(patient.clinic)
    timeline = own_timeline(request.user, patient)
    stored = own_records(request.user, patient)
    zone = patient_zone(patient)
    title = _("How you have felt since your procedures")
    description = describe(timeline, zone)
    chart = history_svg(timeline, protocol.parameters, zone, title=title, description=description)
    rows = _checkin_rows(request, patient, stored.checkins, zone)
    procedures = [
        {
            "at": p.performed_at,
            "kind": PROCEDURE_LABELS[p.kind],
            "veins": ", ".join(p.veins),
            "counts": p.voided_at is None,
            "state": patient_state(p, request.user, zone),
        }
        for p in reversed(stored.procedures)
    ]
    return render(
        request,
        "venowatch/patient_history.html",
        {
            # Reviewed: history_svg escapes its title and draws no field of the record as text.
            # nosemgrep: mark-safe-on-data
            "chart": mark_safe(chart),  # nosec B703, B308
            "description": description,
            "rows": rows,
            "procedures": procedures,
            "windows_note": _windows_note(protocol.parameters),
            "zone": zone,
            "open_emergency": own_emergency(request.user, patient),
            "clinic": patient.clinic,
        },
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient withdraws a check-in they saved (within the clinic's window)."""
    patient = _own_patient(request, Act.CHECK_IN, Read.OWN_HISTORY, "clinic")
    checkin = own_checkin(request.user, patient, pk)
    if checkin is None:
        raise Http404
    try:
        withdraw_checkin(
            patient, checkin, reason=request.POST.get("reason", "")[:1000], by=request.user,
            now=utc_now(),
        )  # fmt: skip
    except FieldError as exc:
        messages.error(request, _("This check-in %(problem)s.") % {"problem": exc.message})
    else:
        messages.success(request, _("Your check-in is withdrawn. You can check in again now."))
    return redirect("patient-history")


def _checkin_rows(
    request: HttpRequest, patient: Patient, checkins: Sequence[CheckIn], zone: tzinfo
) -> list[dict[str, Any]]:
    """The check-ins as rows, each saying whether it still counts and whether the patient may
    still withdraw it."""
    now, window = utc_now(), timedelta(minutes=patient.clinic.checkin_void_window)
    return [
        {
            "pk": c.pk,
            "at": c.at,
            "feeling": PGIC_LABELS[c.pgic],
            "returned": c.symptoms_returned,
            "ratings": {_(name): rating for name, rating in c.symptoms.items()},
            "note": c.note,
            "counts": c.voided_at is None,
            "state": patient_state(c, request.user, zone),
            "withdrawable": c.voided_at is None
            and c.recorded_by_id == request.user.pk
            and now - c.recorded_at <= window,
        }
        for c in checkins
    ]


def _windows_note(prm: Parameters) -> str:
    return _(
        "Shaded: red, the first %(hours)d hours after a procedure; darker blue, the first %(wait)d "
        "days (give it time); lighter blue, up to %(tune)d days (before a tune-up)."
    ) % {
        "hours": prm.thrombosis_window // timedelta(hours=1),
        "wait": prm.adjustment_min_wait.days,
        "tune": prm.tune_up_min_wait.days,
    }
