"""Pages shared by every role: where a signed-in person lands."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from venowatch.clinic.models import Role
from venowatch.services.security.access import role_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = role_of(request.user)
    if role is Role.PATIENT:
        return redirect("patient-status")
    if role in (Role.ADVOCATE, Role.CLINICIAN, Role.ADMIN):
        return redirect("worklist")
    if role is Role.ANALYST:
        return redirect("outcomes")
    raise Http404  # signed in but given no role: nothing to show (fails closed)
