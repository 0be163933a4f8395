"""What a clinic keeps: people, procedures, check-ins, labs, assessments and tasks.

Records that people enter are never edited in place: corrections are new rows. The current
assessment is a cache of the engine's answer (it can always be recomputed), while its history
and every task event are append-only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.fields import EnumField
from venowatch.protocol import LabKind, LabResult, Pathway, Pgic, ProcedureKind, Urgency

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


class Clinic(models.Model):
    name = models.CharField(_("name"), max_length=200)
    ir_name = models.CharField(_("interventional radiologist"), max_length=200, blank=True)
    ir_phone = models.CharField(_("IR phone"), max_length=40, blank=True)
    oncall_phone = models.CharField(_("on-call phone"), max_length=40, blank=True)
    oncall_email = models.EmailField(_("on-call email"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    escalate_after = models.PositiveIntegerField(
        _("escalate after (minutes)"),
        default=30,
        help_text=_("A possible-clot alert nobody has acknowledged goes to the next contact."),
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
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="procedures")
    kind = EnumField(_("kind"), max_length=16, enum=ProcedureKind)
    veins = models.JSONField(_("veins"), default=list, blank=True)
    performed_at = models.DateTimeField(_("performed at"))
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="procedures_performed",
        verbose_name=_("interventional radiologist"),
    )
    note = models.TextField(_("note"), max_length=4000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["patient", "performed_at"])]


class CheckIn(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="checkins")
    at = models.DateTimeField(_("when"))
    pgic = EnumField(_("compared with just before the procedure"), max_length=24, enum=Pgic)
    symptoms_returned = models.BooleanField(_("symptoms came back"), default=False)
    symptoms = models.JSONField(_("symptom ratings"), default=dict, blank=True)
    note = models.TextField(_("note"), max_length=4000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["patient", "at"])]


class Lab(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="labs")
    at = models.DateTimeField(_("taken at"))
    kind = EnumField(_("test"), max_length=8, enum=LabKind)
    result = EnumField(_("result"), max_length=8, enum=LabResult)
    finding = models.TextField(_("finding"), max_length=4000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)


class Note(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)


class Assessment(models.Model):
    """The engine's answer for a patient now. `valid_until` says when, with no new record, it
    must be recomputed; `since` is when the current urgency began (the worklist's wait)."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="assessment")
    as_of = models.DateTimeField()
    pathway = EnumField(max_length=32, enum=Pathway)
    urgency = EnumField(max_length=16, enum=Urgency)
    urgency_rank = models.PositiveSmallIntegerField()
    actions = models.JSONField(default=list)
    flags = models.JSONField(default=list)
    repeats_done = models.PositiveSmallIntegerField(default=0)
    earliest_next_procedure_at = models.DateTimeField(null=True)
    valid_until = models.DateTimeField(null=True, db_index=True)
    rationale = models.JSONField(default=list)
    protocol = models.JSONField(default=dict)
    since = models.DateTimeField()
    revision = models.PositiveIntegerField(
        default=0,
        help_text="Bumped by every re-assessment: a writer that assessed outside the lock "
        "stores its answer only if this is still the revision it read.",
    )

    class Meta:
        indexes = [models.Index(fields=["urgency_rank", "since"])]


class AssessmentChange(models.Model):
    """Append-only: a row each time pathway, urgency, actions or flags change."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="assessment_changes"
    )
    at = models.DateTimeField()
    pathway = EnumField(max_length=32, enum=Pathway)
    urgency = EnumField(max_length=16, enum=Urgency)
    actions = models.JSONField(default=list)
    flags = models.JSONField(default=list)
    rationale = models.JSONField(default=list)
    protocol = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["patient", "at"])]


class TaskKind(models.TextChoices):
    CALL_PATIENT = "call_patient", _("Call the patient")
    SCHEDULE_RETEST = "schedule_retest", _("Schedule the retest")
    REVIEW_LABS = "review_labs", _("Review labs")
    ORDER_LABS = "order_labs", _("Order blood and urine tests")
    REVIEW_PATIENT = "review_patient", _("Review the patient")
    OVERDUE_CHECKIN = "overdue_checkin", _("Chase an overdue check-in")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class Task(models.Model):
    """A piece of staff work made from an assessment. `status` and `assignee` mirror the latest
    TaskEvent; the events are the record."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=24, choices=TaskKind.choices)
    reason = models.CharField(max_length=300)
    change = models.ForeignKey(
        AssessmentChange, null=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["patient", "status"])]


class TaskEvent(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=TaskStatus.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(max_length=4000, blank=True)
    at = models.DateTimeField()


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
