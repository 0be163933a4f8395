"""What other systems said of a patient that the engine does not need but a round trip must
keep: the Patient's gender and name parts, and a clinic's mapping of another questionnaire's
PGIC answers onto venowatch's scale. (The codes a record came with are JSON columns of the
record itself: Procedure.codings and .sites, Lab.codings.)"""

from __future__ import annotations

import enum

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.fields import EnumField
from venowatch.clinic.models.clinics import Clinic
from venowatch.clinic.models.patients import Patient
from venowatch.protocol import Pgic


class Gender(enum.Enum):
    """FHIR's AdministrativeGender, as an EHR sends it."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


class PatientDemographics(models.Model):
    """The Patient resource's gender and structured name, as an import read them; the
    patient's name as shown stays Patient.name."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="demographics")
    # UNKNOWN also when the Patient resource gave none: export then writes no gender, as
    # "unknown" and absent tell a reader the same.
    gender = EnumField(_("gender"), max_length=8, enum=Gender, default=Gender.UNKNOWN)
    given = models.JSONField(_("given names"), default=list, blank=True)
    family = models.CharField(_("family name"), max_length=200, blank=True)

    class Meta:
        verbose_name_plural = _("patient demographics")

    def __str__(self) -> str:
        return str(self.patient)


class PgicScale(models.Model):
    """Another PGIC questionnaire a clinic receives (an EHR's own form): where its answer is,
    and (PgicScaleAnswer rows) which of its answers is which of venowatch's seven."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="pgic_scales")
    questionnaire = models.CharField(
        _("questionnaire"), max_length=255,
        help_text=_("Its canonical URL, as QuestionnaireResponse.questionnaire gives it "
                    "(without a |version)."),
    )  # fmt: skip
    link_id = models.CharField(
        _("linkId of the answer"), max_length=255,
        help_text=_("The item that holds the impression of change."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("PGIC questionnaire of another system")
        constraints = [
            models.UniqueConstraint(
                fields=("clinic", "questionnaire"), name="one_pgic_scale_per_questionnaire"
            )
        ]

    def __str__(self) -> str:
        return self.questionnaire


class PgicScaleAnswer(models.Model):
    scale = models.ForeignKey(PgicScale, on_delete=models.CASCADE, related_name="answers")
    code = models.CharField(
        _("answer code"), max_length=64, blank=True,
        help_text=_("The answer's Coding.code; or leave empty and give its ordinal value."),
    )  # fmt: skip
    ordinal = models.DecimalField(
        _("ordinal value"), max_digits=9, decimal_places=3, null=True, blank=True,
        help_text=_("The answer's ordinalValue (or an integer answer)."),
    )  # fmt: skip
    means = EnumField(_("means"), max_length=24, enum=Pgic)

    class Meta:
        verbose_name = _("answer")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(code="") | models.Q(ordinal__isnull=False),
                name="pgic_answer_by_code_or_ordinal",
            )
        ]

    def clean(self) -> None:
        if not self.code and self.ordinal is None:
            raise ValidationError(_("Give the answer's code or its ordinal value."))

    def __str__(self) -> str:
        return self.code or str(self.ordinal)
