"""Patients with a venoplasty and weekly check-ins since, for the outcome figures' tests."""

from __future__ import annotations

from django.utils import timezone

from tests.web_fixtures import D, H, patient
from venowatch.clinic.models import Clinic, Patient
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care.records import record_checkin, record_procedure


def operated(name: str, at: Clinic, days: int, answer: Pgic = Pgic.MUCH_IMPROVED) -> Patient:
    """Operated `days` ago, a weekly check-in since."""
    now = timezone.now()
    p = patient(name, at, login=False)
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now - days * D, now=now)
    for week in range(1, (days - 1) // 7 + 1):
        record_checkin(p, at=now - days * D + week * 7 * D + H, pgic=answer, now=now)
    return p
