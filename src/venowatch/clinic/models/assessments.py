"""The current assessment (a cache of the engine's answer) and its append-only history."""

from __future__ import annotations

from django.db import models

from venowatch.clinic.fields import EnumField
from venowatch.clinic.models.patients import Patient
from venowatch.protocol import Pathway, Urgency


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
