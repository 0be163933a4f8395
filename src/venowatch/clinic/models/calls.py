"""What staff do about an emergency: the calls they try, and how they close the task.

A possible-clot call task stays open until a person resolves it with one of the outcomes
below; every call tried is an append-only CallAttempt row on the task."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from venowatch.clinic.models.outcomes import CallOutcome
from venowatch.clinic.models.tasks import Task


class CallAttempt(models.Model):
    """Append-only: one row per call staff tried for a task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="calls")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=CallOutcome.choices)
    note = models.TextField(max_length=4000, blank=True)

    class Meta:
        indexes = [models.Index(fields=["task", "at"])]
