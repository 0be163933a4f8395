"""Whether a patient is still followed: their consent is not withdrawn (services.care.consent
records it). Apart from consent.py so that the outbox and digests, which ask, and the consent
service, which restarts reminders through them, do not import each other."""

from __future__ import annotations

from django.db.models import QuerySet

from venowatch.clinic import models
from venowatch.notify.models import Kind

TO_THE_PATIENT = frozenset({Kind.REMINDER, Kind.PATIENT_UPDATE})
"""What stops when consent is withdrawn: messages to the patient."""


def withdrawn() -> QuerySet[models.Patient]:
    """Patients whose consent is withdrawn (some consent, none open)."""
    return models.Patient.objects.filter(consents__isnull=False).exclude(
        consents__withdrawn_at__isnull=True
    )


def is_withdrawn(patient: models.Patient) -> bool:
    return withdrawn().filter(pk=patient.pk).exists()
