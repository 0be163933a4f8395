"""The patient's own pages: what to do now, a check-in in seconds, and their history.

Every page works without JavaScript. A patient only ever reaches their own record: the page
takes no id, and a signed-in user who is not a patient gets 404.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from venowatch.clinic.models import Patient
from venowatch.protocol import Flag, Parameters, Pathway, Pgic, Urgency
from venowatch.protocol.message import Audience
from venowatch.services.care.charts import describe, history_svg
from venowatch.services.care.pgic import PGIC_LABELS
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.reads import (
    Read,
    in_first_hours,
    own_emergency,
    own_patient,
    own_timeline,
)
from venowatch.services.care.records import record_checkin
from venowatch.services.care.standing import standing
from venowatch.services.care.zones import patient_zone
from venowatch.services.security.access import Act, may
from venowatch.web.forms import CheckInForm
from venowatch.web.refusals import attempt
from venowatch.web.wording import rationale

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
        raise Http404
    patient = own_patient(request.user, what, *related)
    if patient is None:
        raise Http404
    return patient


@login_required
def status(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request, Act.VIEW, Read.OWN_STATUS, "clinic", "advocate", "assessment")
    now = timezone.now()
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
            },
            "title": protocol.pathways[current.pathway].title.patient,
            "actions": [protocol.actions[a].patient for a in current.actions],
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
    patient = _own_patient(request, Act.CHECK_IN, Read.OWN_CHECKIN, "clinic", "assessment")
    now = timezone.now()
    posted = request.method == "POST"
    data = request.POST if posted else None  # an empty POST is still a POST
    form = CheckInForm(data, symptoms=list(patient.tracked_symptoms))
    if (
        posted
        and form.is_valid()
        and attempt(
            form,
            lambda: record_checkin(
                patient,
                at=now,
                pgic=Pgic(form.cleaned_data["pgic"]),
                symptoms_returned=bool(form.cleaned_data.get("symptoms_returned")),
                symptoms=form.symptom_ratings(),
                note=form.cleaned_data["note"],
                by=request.user,
                now=now,
            ),
        )
    ):
        messages.success(request, _("Thank you. Your check-in is saved."))
        return redirect("patient-status")
    # A submitted answer to "have your symptoms come back?" is kept whenever it comes: the
    # engine weighs it only inside the window. Asking it is what depends on the window.
    if not in_first_hours(request.user, patient, now):
        del form.fields["symptoms_returned"]
    context = {
        "form": form,
        "open_emergency": own_emergency(request.user, patient),
        "clinic": patient.clinic,
        "zone": patient_zone(patient),
    }
    return render(request, "venowatch/patient_checkin.html", context)


@login_required
def history(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request, Act.VIEW, Read.OWN_HISTORY, "clinic")
    protocol = clinic_protocol(patient.clinic)
    timeline = own_timeline(request.user, patient)
    zone = patient_zone(patient)
    title = _("How you have felt since your procedures")
    description = describe(timeline, zone)
    chart = history_svg(timeline, protocol.parameters, zone, title=title, description=description)
    rows = sorted(
        [
            (c.at, PGIC_LABELS[c.pgic], c.symptoms_returned, dict(c.symptoms), c.note)
            for c in timeline.checkins
        ],
        key=lambda row: row[0],
        reverse=True,
    )
    procedures = [(p.performed_at, p.kind.value, ", ".join(p.veins)) for p in timeline.procedures]
    return render(
        request,
        "venowatch/patient_history.html",
        {
            "chart": mark_safe(chart),
            "description": description,
            "rows": rows,
            "procedures": procedures,
            "windows_note": _windows_note(protocol.parameters),
            "zone": zone,
            "open_emergency": own_emergency(request.user, patient),
            "clinic": patient.clinic,
        },
    )


def _windows_note(prm: Parameters) -> str:
    return _(
        "Shaded: red, the first %(hours)d hours after a procedure; darker blue, the first %(wait)d "
        "days (give it time); lighter blue, up to %(tune)d days (before a tune-up)."
    ) % {
        "hours": prm.thrombosis_window // timedelta(hours=1),
        "wait": prm.adjustment_min_wait.days,
        "tune": prm.tune_up_min_wait.days,
    }
