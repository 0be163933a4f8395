"""Take-overs: an advocate becoming a colleague's patient's advocate, with a reason.

Append-only: each row says who took the patient over, from whom, when and why; the patient's
`advocate` mirrors the latest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.models.patients import Patient


class Takeover(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="takeovers")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    previous = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("previous advocate"),
    )
    reason = models.TextField(_("reason"), max_length=1000)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["patient", "at"])]
