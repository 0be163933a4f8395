"""Consent to be followed: which version of its text the patient agreed to, when, and who
recorded it; and when and by whom it was withdrawn. A withdrawal closes the row; consent given
again is a new row, so the history stays. The texts are versioned in the package
(venowatch/clinic/consent_texts/<version>.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.models.patients import Patient


class Consent(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consents")
    version = models.CharField(_("version of the consent text"), max_length=20)
    given_at = models.DateTimeField(_("given at"))
    # Who recorded it stays known: a user who recorded a consent is deactivated, not deleted.
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("patient",),
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_open_consent_per_patient",
            ),
        ]
        indexes = [models.Index(fields=["withdrawn_at"])]
