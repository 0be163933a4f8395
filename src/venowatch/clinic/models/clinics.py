"""Clinics and their staff."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1
"""The largest id a 64-bit database integer holds: a larger one sent in is bad input, not a
database error."""


def default_symptoms() -> list[str]:
    return ["fatigue", "vision", "thinking", "walking"]


DEFAULT_REMINDERS = "6h 24h 48h 1w 2w 3w 4w 5w 6w 7w 8w 9w 10w 11w 12w then every 30d"
"""First hours, then weekly to week 12, then monthly: the check-ins the guide's clauses need."""


class Role(models.TextChoices):
    PATIENT = "patient", _("Patient")
    ADVOCATE = "advocate", _("Patient advocate")
    CLINICIAN = "clinician", _("Clinician / IR")
    ADMIN = "admin", _("Administrator")
    # Sees the clinic's outcome figures, never a patient's record.
    ANALYST = "analyst", _("Analyst")


class Clinic(models.Model):
    name = models.CharField(_("name"), max_length=200)
    ir_name = models.CharField(_("interventional radiologist"), max_length=200, blank=True)
    ir_phone = models.CharField(_("IR phone"), max_length=40, blank=True)
    oncall_phone = models.CharField(_("on-call phone"), max_length=40, blank=True)
    oncall_email = models.EmailField(_("on-call email"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    language = models.CharField(
        _("language of patients' messages"),
        max_length=16,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Emails and texts to a patient who has not chosen a language are in this one."),
    )
    # The guide tells patients to "contact the foundation" to arrange a retest: these say who.
    contact_name = models.CharField(
        _("contact for patients"),
        max_length=200,
        blank=True,
        help_text=_(
            "Who patients contact to arrange a retest or another treatment, as they should read "
            "it (for example: the foundation's patient coordinator). Shown on patients' pages "
            "and in their emails wherever the guidance tells them to get in touch."
        ),
    )
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    mrn_system = models.CharField(
        _("MRN system"),
        max_length=255,
        blank=True,
        help_text=_(
            "The URI the clinic's medical record numbers are issued under (as a FHIR "
            "identifier's system). Empty: urn:venowatch:clinic:<number>:mrn."
        ),
    )
    escalate_after = models.PositiveIntegerField(
        _("escalate after (minutes)"),
        default=30,
        help_text=_("A possible-clot alert nobody has acknowledged goes to the next contact."),
    )
    resolve_within = models.PositiveIntegerField(
        _("resolve an acknowledged clot alert within (hours)"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text=_(
            "If a possible-clot task is acknowledged but not resolved in this many hours, the "
            "person who acknowledged it and on-call are reminded, and again every such period."
        ),
    )
    escalation_emails = models.TextField(
        _("escalation contacts"),
        blank=True,
        help_text=_(
            "Email addresses, one per line, in the order alerts escalate to them; after the "
            "last, the list starts again. Empty: the clinic's administrators, then on-call."
        ),
    )
    reminder_schedule = models.CharField(
        _("check-in reminders"),
        max_length=300,
        default=DEFAULT_REMINDERS,
        help_text=_(
            "Times after each procedure to remind the patient to check in (m, h, d, w), "
            "optionally ending with 'then every' and an interval."
        ),
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("daily digest hour"),
        default=7,
        help_text=_("Hour of the day (clinic time, 0-23) when advocates get their digest."),
    )
    digest_sent_on = models.DateField(null=True, editable=False)
    checkin_void_window = models.PositiveIntegerField(
        _("patients may withdraw a check-in for (minutes)"),
        default=60,
        help_text=_("How long after saving a check-in a patient may still withdraw it."),
    )
    missed_checkin_days = models.PositiveSmallIntegerField(
        _("patients may give a missed check-in for up to (days back)"),
        default=1,
        validators=[MaxValueValidator(7)],
        help_text=_(
            "On their check-in page, patients may say how they felt earlier: 0, earlier today "
            "only; 1, today and yesterday; at most 7. Earlier days are refused."
        ),
    )
    earliest_record_date = models.DateField(
        _("earliest date of a procedure or test"),
        default=date(2005, 1, 1),
        help_text=_("Procedures and tests dated before this are refused as typing mistakes."),
    )
    retention_days = models.PositiveIntegerField(
        _("keep records after consent is withdrawn for (days)"),
        null=True,
        blank=True,
        help_text=_(
            "When a patient withdraws their consent, their records are kept this many days, "
            "then the patient is erased. Empty: kept until an administrator erases them."
        ),
    )
    protocol_text = models.TextField(
        _("protocol file"),
        blank=True,
        help_text=_(
            "The clinic's own protocol file (TOML), kept here so that every worker applies the "
            "same rules. Leave empty to use the protocol shipped with venowatch."
        ),
    )

    def __str__(self) -> str:
        return self.name

    @property
    def mrn_uri(self) -> str:
        """The system the clinic's MRNs are stored under."""
        return self.mrn_system or f"urn:venowatch:clinic:{self.pk}:mrn"


class Member(models.Model):
    """A person's role at a clinic; everything a user may see follows from it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="members")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.role})"
