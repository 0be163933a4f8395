"""The patient's own data and consent: download everything (a FHIR Bundle, or CSV files in a
zip), see the consent they gave and withdraw it (or give it again)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from venowatch.services.care import consent
from venowatch.services.care.reads import Read, consent_of, export, own_csv_export
from venowatch.services.care.zones import patient_zone
from venowatch.services.clock import utc_now
from venowatch.services.errors import FieldError
from venowatch.services.security.access import Act
from venowatch.web.patient_views import _own_patient


class WithdrawForm(forms.Form):
    sure = forms.BooleanField(
        label=gettext_lazy("I understand that reminders and messages to me stop"),
        error_messages={"required": gettext_lazy("Tick the box to withdraw your consent.")},
    )


def _download(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def data(request: HttpRequest, form: WithdrawForm | None = None) -> HttpResponse:
    patient = _own_patient(request, Act.VIEW, Read.OWN_STATUS, "clinic")
    state = consent_of(request.user, patient)
    return render(
        request,
        "venowatch/patient_data.html",
        {
            "patient": patient,
            "consent": state,
            "given": state.standing is consent.Standing.GIVEN,
            "text": consent.consent_text(
                state.version or consent.CURRENT_VERSION, translation.get_language()
            ),
            "zone": patient_zone(patient),
            "form": form or WithdrawForm(),
        },
        status=200 if form is None else 422,
    )


@login_required
def download_fhir(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request, Act.VIEW, Read.EXPORT, "clinic")
    body = json.dumps(export(request.user, patient), indent=2).encode()
    return _download(body, "application/fhir+json", f"venowatch-{patient.pk}.fhir.json")


@login_required
def download_csv(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request, Act.VIEW, Read.EXPORT, "clinic")
    body = own_csv_export(request.user, patient, utc_now())
    return _download(body, "application/zip", f"venowatch-{patient.pk}.zip")


@login_required
@require_POST
def withdraw_consent(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request, Act.VIEW, Read.OWN_STATUS)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return data(request, form)
    try:
        consent.withdraw(patient, request.user, utc_now())
    except FieldError as exc:
        messages.error(request, _("Your consent could not be withdrawn: %(why)s.") % {
            "why": exc.message
        })  # fmt: skip
    else:
        messages.success(
            request, _("Your consent is withdrawn. We will not send you reminders or messages.")
        )
    return redirect("patient-data")


@login_required
@require_POST
def give_consent(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request, Act.VIEW, Read.OWN_STATUS)
    try:
        consent.give(patient, request.user, utc_now())
    except FieldError as exc:
        messages.error(request, _("Your consent could not be recorded: %(why)s.") % {
            "why": exc.message
        })  # fmt: skip
    else:
        messages.success(request, _("Thank you: your consent is recorded."))
    return redirect("patient-data")
