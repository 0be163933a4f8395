"""The "Enrol a patient" page, for advocates and administrators: one form (the patient, their
contact details, optionally the first procedure), one transaction (services.care.enrolment),
and an email inviting the patient to choose a password. A refused form comes back with each
error beside its field; once enrolled, the patient's staff page opens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from venowatch.clinic.models import Clinic, Member
from venowatch.protocol import ProcedureKind
from venowatch.services.care.enrolment import Enrolment, FirstProcedure, enrol
from venowatch.services.care.zones import zone_named
from venowatch.services.clock import utc_now
from venowatch.services.errors import FieldError
from venowatch.services.security.access import Act, log_refusal, may, member_of
from venowatch.web.contact_form import ContactForm
from venowatch.web.enrol_form import EnrolForm
from venowatch.web.invitation import invitation_path
from venowatch.web.refusals import refuse
from venowatch.web.staff_common import _Staff, staff_of
from venowatch.web.staff_forms import ProcedureForm


def _member(request: HttpRequest) -> Member:
    member = member_of(request.user)
    if member is None or not may(request.user, Act.ENROL):
        log_refusal(request.user, "enrol")
        raise Http404
    return member


def _forms(
    request: HttpRequest, clinic: Clinic, staff: _Staff
) -> tuple[EnrolForm, ContactForm, ProcedureForm]:
    data = request.POST if request.method == "POST" else None
    me = str(request.user.pk)
    initial = {
        "time_zone": clinic.time_zone,
        "advocate": me if me in dict(staff.advocates) else "",
    }
    main = EnrolForm(data, advocates=staff.advocates, initial=initial)
    contact = ContactForm(data, sms=settings.VENOWATCH_SMS_ENABLED, initial={"language": "en"})
    # The procedure's time is the patient's wall clock: the zone chosen above, if it is one.
    zone_name = data.get("time_zone", clinic.time_zone) if data else clinic.time_zone
    procedure = ProcedureForm(
        data, prefix="procedure", zone=zone_named(str(zone_name)), clinicians=staff.clinicians
    )
    return main, contact, procedure


@login_required
def enrol_page(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    clinic = member.clinic
    staff = staff_of(clinic.pk)
    main, contact, procedure = _forms(request, clinic, staff)
    if request.method == "POST":
        patient = _enrol(request, clinic, staff, main, contact, procedure)
        if patient is not None:
            messages.success(
                request,
                _("%(name)s is enrolled; an invitation to choose a password went to %(email)s.")
                % {"name": patient.name, "email": patient.user.email},
            )
            return redirect("staff-patient", pk=patient.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "clinic": clinic,
        "form": main,
        "contact_form": contact,
        "procedure_form": procedure,
        "forms_with_errors": [f for f in (main, contact, procedure) if f.errors],
    }
    return render(request, "venowatch/staff_enrol.html", context, status=status)


def _enrol(
    request: HttpRequest,
    clinic: Clinic,
    staff: _Staff,
    main: EnrolForm,
    contact: ContactForm,
    procedure: ProcedureForm,
) -> Any:
    """The patient enrolled, or None with the errors on the forms."""
    valid = main.is_valid() & contact.is_valid()  # every form, so every error shows at once
    with_procedure = bool(main.cleaned_data.get("with_procedure"))
    if with_procedure:
        valid &= procedure.is_valid()
    if not valid:
        return None
    data = main.cleaned_data
    first = None
    if with_procedure:
        p = procedure.cleaned_data
        first = FirstProcedure(
            kind=ProcedureKind(p["kind"]),
            performed_at=p["performed_at"],
            veins=procedure.vein_list(),
            performed_by=staff.user(p["performed_by"]),
        )
    entry = Enrolment(
        name=data["name"],
        email=data["email"],
        time_zone=data["time_zone"],
        symptoms=data["symptom_list"],
        advocate=staff.user(data["advocate"]),
        contacts=contact.details(),
        procedure=first,
    )
    try:
        return enrol(clinic, entry, by=request.user, now=utc_now(), invitation_path=invitation_path)
    except FieldError as exc:
        target = next((f for f in (main, contact, procedure) if exc.field in f.fields), main)
        refuse(target, exc)
        return None
