"""URLs of the web benchmark's server: venowatch's own, plus one bare endpoint that only inserts
the check-in row a real check-in would insert (same middleware, session and CSRF check)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils import timezone

from venowatch.clinic.models import CheckIn, Patient
from venowatch.protocol import Pgic


@login_required
def bare_checkin(request: HttpRequest) -> HttpResponse:
    patient = Patient.objects.get(user__username=request.user.get_username())
    CheckIn.objects.create(
        patient=patient,
        at=timezone.now(),
        pgic=Pgic(request.POST["pgic"]),
        recorded_by_id=request.user.pk,
    )
    return HttpResponse(status=204)


urlpatterns = [
    path("bench/bare-checkin/", bare_checkin),
    path("", include("venowatch.urls")),
]
