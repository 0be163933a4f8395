"""Taking a patient over: an advocate becomes the advocate of a colleague's patient, saying
why. The page names the patient and their advocate now, and asks for the reason; the rules
(who may, the reason is required, the open tasks pass on) are in services.care.takeovers.
A user who may not take this patient over gets 404, as for any page out of reach."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from venowatch.clinic.models import Patient
from venowatch.services.care.takeovers import REASON_MAX, take_over
from venowatch.services.clock import utc_now
from venowatch.services.security.access import patient_to_take_over
from venowatch.web.refusals import attempt
from venowatch.web.staff_common import name_of


class TakeoverForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX,
        help_text=gettext_lazy("For example: Jordan is off sick this week."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Say why you are taking this patient over.")},
    )


@login_required
def takeover(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_to_take_over(request.user, pk)
    if patient is None:
        raise Http404
    if request.method != "POST":
        return _page(request, patient, TakeoverForm())
    form = TakeoverForm(request.POST)
    if form.is_valid() and attempt(
        form,
        lambda: take_over(
            patient, by=request.user, reason=form.cleaned_data["reason"], now=utc_now()
        ),
    ):
        messages.success(request, _("You are now %(name)s's advocate.") % {"name": patient.name})
        return redirect("staff-patient", pk=patient.pk)
    return _page(request, patient, form, status=400)


def _page(
    request: HttpRequest, patient: Patient, form: TakeoverForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "venowatch/staff_takeover.html",
        {"patient": patient, "advocate": name_of(patient.advocate), "form": form},
        status=status,
    )
