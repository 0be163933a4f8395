"""What venowatch keeps to link a patient to the records of other systems."""

from __future__ import annotations

from django.db import models

from venowatch.clinic.models import Clinic, Patient


class PatientIdentifier(models.Model):
    """An identifier another system gives the patient (an MRN, a national number), as a FHIR
    Identifier's system and value: an import finds the patient again by it."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="identifiers")
    system = models.CharField(max_length=255)
    value = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("clinic", "system", "value"), name="one_patient_per_identifier"
            ),
        ]
