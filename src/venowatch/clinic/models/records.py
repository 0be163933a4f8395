"""What happens to a patient: procedures, check-ins, labs and notes. Never edited in place:
procedures, check-ins and labs are voided or superseded (clinic.models.corrections).

Authorship here and in every clinical record (who performed, recorded, wrote, voided, acted)
is PROTECTed: a user who wrote to a record cannot be deleted, only deactivated, so the record
keeps who and when (issue 12)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.fields import EnumField
from venowatch.clinic.models.corrections import Correctable
from venowatch.clinic.models.patients import Patient
from venowatch.protocol import LabKind, LabResult, Pgic, ProcedureKind


class Procedure(Correctable):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="procedures")
    kind = EnumField(_("kind"), max_length=16, enum=ProcedureKind)
    veins = models.JSONField(_("veins"), default=list, blank=True)
    codings = models.JSONField(
        _("codes it came with"), default=list, blank=True, editable=False,
        help_text="Codings (system, code, display) another system sent it with, kept for "
        "the round trip.",
    )  # fmt: skip
    sites = models.JSONField(
        _("coded body sites"), default=list, blank=True, editable=False,
        help_text="The body sites as another system coded them (SNOMED CT), one per vein.",
    )  # fmt: skip
    performed_at = models.DateTimeField(_("performed at"))
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procedures_performed",
        verbose_name=_("interventional radiologist"),
    )
    note = models.TextField(_("note"), max_length=4000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["patient", "performed_at"])]


class CheckIn(Correctable):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="checkins")
    at = models.DateTimeField(_("when"))
    pgic = EnumField(_("compared with just before the procedure"), max_length=24, enum=Pgic)
    symptoms_returned = models.BooleanField(_("symptoms came back"), default=False)
    symptoms = models.JSONField(_("symptom ratings"), default=dict, blank=True)
    note = models.TextField(_("note"), max_length=4000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["patient", "at"])]


class Lab(Correctable):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="labs")
    at = models.DateTimeField(_("taken at"))
    kind = EnumField(_("test"), max_length=8, enum=LabKind)
    result = EnumField(_("result"), max_length=8, enum=LabResult)
    finding = models.TextField(_("finding"), max_length=4000, blank=True)
    codings = models.JSONField(
        _("codes it came with"), default=list, blank=True, editable=False,
        help_text="Codings (a LOINC panel) another system sent it with, kept for the round trip.",
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)


class Note(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)
