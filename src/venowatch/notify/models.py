"""The outbox: every notification is a row written in the transaction of the event that causes
it, so nothing is lost if the server of its channel is down or the process dies; delivery
attempts are append-only rows, and the notification's state mirrors the latest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.models import Clinic, Patient, Task


class Kind(models.TextChoices):
    EMERGENCY = "emergency", _("Possible clot alert")
    ESCALATION = "escalation", _("Unacknowledged alert, escalated")
    UNRESOLVED = "unresolved", _("Acknowledged alert not yet resolved")
    URGENT = "urgent", _("Urgent pathway")
    DIGEST = "digest", _("Daily digest")
    PATIENT_UPDATE = "patient_update", _("Guidance changed (to the patient)")
    REMINDER = "reminder", _("Check-in reminder")
    PASSWORD_RESET = "password_reset", _("Password reset link")
    INVITATION = "invitation", _("Invitation to choose a password")


class Channel(models.TextChoices):
    """How a notification reaches its recipient; each has a transport
    (services.notification.transports) and templates under venowatch/<channel>/."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message (SMS)")


class State(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed for good")
    CANCELLED = "cancelled", _("No longer needed")


class Notification(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="notifications")
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, null=True, related_name="notifications"
    )
    task = models.ForeignKey(Task, on_delete=models.CASCADE, null=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    address = models.CharField(
        max_length=254,
        help_text="Where on the channel: an email address for email, an E.164 number for SMS.",
    )
    subject = models.CharField(max_length=200)
    text = models.TextField()
    html = models.TextField()
    key = models.CharField(
        max_length=200, help_text="One notification per event, recipient and channel."
    )
    step = models.PositiveSmallIntegerField(default=0)
    priority = models.PositiveSmallIntegerField(
        default=2, help_text="Lower goes first: a clot alert must not wait behind digests."
    )
    created_at = models.DateTimeField()
    not_before = models.DateTimeField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True)
    sent_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["state", "not_before"])]
        constraints = [
            models.UniqueConstraint(fields=["key", "channel"], name="one_per_event_and_channel")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.address}"


class Outcome(models.TextChoices):
    SENT = "sent", _("Accepted for delivery")
    RETRY = "retry", _("Failed; will retry")
    FAILED = "failed", _("Failed for good")
    CANCELLED = "cancelled", _("Cancelled")


class Attempt(models.Model):
    """Append-only: one row per delivery attempt (or cancellation)."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    detail = models.TextField(blank=True)
    worker = models.CharField(max_length=100)


class Reminder(models.Model):
    """Where a patient's check-in reminders stand: the next one and when it falls. Only rows
    that are due are read, so a sweep's cost follows the due work, not the registry."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="reminder")
    procedure_at = models.DateTimeField()
    step = models.PositiveIntegerField()
    due_at = models.DateTimeField(db_index=True)


class Digest(models.Model):
    """One row per advocate and day, written with the digest itself: never two a day."""

    advocate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    day = models.DateField()
    until = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["advocate", "day"], name="one_digest_a_day")]
