"""How a patient is reached: phones (one preferred), and the details a call needs (date of
birth, language, an emergency contact) with the channel they want messages on. The clinic's
identifiers for the patient (an MRN) are PatientIdentifier rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.models.patients import Patient
from venowatch.clinic.phones import PhoneError, normalise, validate_phone


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    HOME = "home", _("Home")
    WORK = "work", _("Work")


class MessageChannel(models.TextChoices):
    """How the patient wants reminders and pathway changes."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message (SMS)")


class PatientPhone(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="phones")
    kind = models.CharField(_("kind"), max_length=8, choices=PhoneKind.choices)
    number = models.CharField(
        _("number"), max_length=20, validators=[validate_phone], help_text=_("Stored as E.164.")
    )
    preferred = models.BooleanField(_("preferred"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("patient", "kind"), name="one_phone_per_kind"),
            models.UniqueConstraint(
                fields=("patient",), condition=models.Q(preferred=True), name="one_preferred_phone"
            ),
        ]

    def clean(self) -> None:
        self.number = _normalised(self.number)

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.number}"


class PatientDetails(models.Model):
    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="details")
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=16, choices=settings.LANGUAGES, default="en"
    )
    messages_by = models.CharField(
        _("reminders and guidance changes by"),
        max_length=8,
        choices=MessageChannel.choices,
        default=MessageChannel.EMAIL,
    )
    emergency_name = models.CharField(_("emergency contact"), max_length=200, blank=True)
    emergency_relation = models.CharField(_("relation to the patient"), max_length=100, blank=True)
    emergency_phone = models.CharField(
        _("emergency contact's phone"), max_length=20, blank=True, validators=[validate_phone]
    )

    class Meta:
        verbose_name_plural = _("patient details")

    def clean(self) -> None:
        self.emergency_phone = _normalised(self.emergency_phone)

    def __str__(self) -> str:
        return str(self.patient)


def _normalised(number: str) -> str:
    """E.164 if the number is one; else as typed, for the field's validator to refuse."""
    try:
        return normalise(number) if number else number
    except PhoneError:
        return number
