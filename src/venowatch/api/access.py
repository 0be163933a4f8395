"""The web's access rules, as the API applies them: an act the user's role does not allow, or a
patient out of their reach, is a 404; a write with a read-only token is a 403."""

from __future__ import annotations

from django.http import HttpRequest

from venowatch.api.auth import may_write
from venowatch.api.errors import ApiError, not_found
from venowatch.clinic.models import Patient
from venowatch.services.security.access import Act, log_refusal, may, patient_in_reach


def require_write(request: HttpRequest) -> None:
    if not may_write(request):
        raise ApiError(403, "this token may only read", "header", "Authorization")


def patient_for(request: HttpRequest, pk: int, act: Act, *, write: bool = False) -> Patient:
    if write:
        require_write(request)
    if not may(request.user, act):
        log_refusal(request.user, "patient", pk)
        raise not_found()
    found = patient_in_reach(request.user, pk, "clinic", "assessment")
    if found is None:
        raise not_found()
    return found
