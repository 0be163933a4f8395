"""Staff tasks made from assessments, and their append-only events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.fields import EnumField
from venowatch.clinic.models.assessments import AssessmentChange
from venowatch.clinic.models.outcomes import Resolution
from venowatch.clinic.models.patients import Patient


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
    kind = EnumField(max_length=24, choices=TaskKind.choices, enum=TaskKind)
    reason = models.CharField(max_length=300)
    change = models.ForeignKey(
        AssessmentChange, null=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    status = EnumField(
        max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN, enum=TaskStatus
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    created_at = models.DateTimeField()
    emergency = models.BooleanField(
        default=False,
        help_text="Opened by a possible clot: only a person closes it, with an outcome.",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.CharField(max_length=16, blank=True, choices=Resolution.choices)
    reminded = models.PositiveSmallIntegerField(
        default=0, help_text="Reminders sent that the acknowledged emergency is not resolved."
    )

    class Meta:
        indexes = [
            models.Index(fields=["patient", "status"]),
            models.Index(fields=["emergency", "status"]),
        ]


class TaskEvent(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    status = EnumField(max_length=16, choices=TaskStatus.choices, enum=TaskStatus)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(max_length=4000, blank=True)
    resolution = models.CharField(max_length=16, blank=True, choices=Resolution.choices)
    at = models.DateTimeField()
