"""Patients, and the identifiers other systems know them by."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.models.clinics import Clinic, default_symptoms


class Patient(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patient",
    )
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="advocated_patients",
        verbose_name=_("patient advocate"),
    )
    tracked_symptoms = models.JSONField(
        _("symptoms that matter to the patient"), default=default_symptoms, blank=True
    )
    language = models.CharField(
        _("language of the patient's pages and messages"),
        max_length=16,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_(
            "Chosen by the patient on their account page. Empty: pages follow the browser, "
            "emails and texts the clinic's language."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class PatientIdentifier(models.Model):
    """An identifier another system gives the patient (an MRN, a national number), as a FHIR
    Identifier's system and value: an import finds the patient again by it."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="identifiers")
    system = models.CharField(max_length=255)
    value = models.CharField(max_length=255)

    class Meta:
        db_table = "fhir_patientidentifier"  # made by the app that owned it before
        constraints = [
            models.UniqueConstraint(
                fields=("clinic", "system", "value"), name="one_patient_per_identifier"
            ),
        ]
