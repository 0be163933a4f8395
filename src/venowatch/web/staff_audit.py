"""Who looked at or changed a patient's record: the whole list, a page at a time, for the
staff who may see the patient (the patient's page shows the latest few)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from venowatch.services.security.audit_trail import PAGE, trail
from venowatch.web.staff_patient import _acts, _patient_in_reach

MAX_PAGE = 100_000


@login_required
def audit_trail(request: HttpRequest, pk: int) -> HttpResponse:
    _acts(request)
    patient = _patient_in_reach(request, pk)
    page = request.GET.get("page", "1")
    number = int(page) if page.isdigit() and 0 < int(page) <= MAX_PAGE else 1
    found = trail(patient.pk, PAGE, (number - 1) * PAGE)
    return render(
        request,
        "venowatch/staff_audit.html",
        {
            "patient": patient,
            "trail": found,
            "page": number,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if found.more else None,
        },
    )
