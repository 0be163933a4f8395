"""Staff record a patient's consent, given or withdrawn (on the phone, on paper): the same
service as the patient's own page, with the staff member as who recorded it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from venowatch.services.care import consent
from venowatch.services.clock import utc_now
from venowatch.services.errors import FieldError
from venowatch.services.security.access import Act, may, patient_in_reach


@login_required
@require_POST
def record(request: HttpRequest, pk: int) -> HttpResponse:
    if not may(request.user, Act.RECORD_CONSENT) or not may(request.user, Act.WORKLIST):
        raise Http404
    patient = patient_in_reach(request.user, pk)
    if patient is None:
        raise Http404
    action = request.POST.get("action")
    now = utc_now()
    try:
        if action == "withdraw":
            consent.withdraw(patient, request.user, now)
            messages.success(request, _("The withdrawal of consent is recorded."))
        elif action == "give":
            consent.give(patient, request.user, now)
            messages.success(request, _("The patient's consent is recorded."))
        else:
            raise FieldError("action", "must be to record consent given or withdrawn")
    except FieldError as exc:
        messages.error(request, _("Nothing was recorded: %(why)s.") % {"why": exc.message})
    response = redirect("staff-patient", pk=patient.pk)
    response["Location"] += "#consent"
    return response
