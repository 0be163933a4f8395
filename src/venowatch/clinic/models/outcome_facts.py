"""What the outcome figures are computed from: per patient, per episode, facts replayed from the
records (services.outcomes). A cache like Assessment: it can always be recomputed, and is, when
the patient's assessment revision moves past the one it was computed at."""

from __future__ import annotations

from django.db import models

from venowatch.clinic.models.clinics import Clinic
from venowatch.clinic.models.patients import Patient
from venowatch.protocol import Pgic

# The answer nearest a month point, or null for none: a plain column, since EnumField has no
# null.
_ANSWERS = [(a.value, a.value.replace("_", " ")) for a in Pgic]


class OutcomeState(models.Model):
    """When a patient's episodes were last replayed, and what holds for the patient as a whole."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="outcome")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    revision = models.PositiveIntegerField(
        help_text="The assessment revision these facts were computed at: another one means "
        "the records (or the protocol) changed since, and the worker recomputes them."
    )
    computed_at = models.DateTimeField()
    venoplasties = models.PositiveSmallIntegerField(default=0)
    reached_stent_count = models.BooleanField(default=False)


class OutcomeEpisode(models.Model):
    """One venoplasty to the next procedure (or to now). Days are counted from the episode's
    own venoplasty; `index_day` from the patient's first one."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField(help_text="1: the first venoplasty")
    started_at = models.DateTimeField()
    index_day = models.FloatField()
    ended_day = models.FloatField(null=True)
    ended_by_venoplasty = models.BooleanField(default=False)
    last_checkin_day = models.FloatField(null=True)
    restenosis_day = models.FloatField(null=True)
    retest_day = models.FloatField(null=True)
    thrombosis_day = models.FloatField(null=True)
    pgic_1 = models.CharField(max_length=24, null=True, choices=_ANSWERS)
    pgic_3 = models.CharField(max_length=24, null=True, choices=_ANSWERS)
    pgic_6 = models.CharField(max_length=24, null=True, choices=_ANSWERS)
    pgic_12 = models.CharField(max_length=24, null=True, choices=_ANSWERS)

    class Meta:
        indexes = [models.Index(fields=["clinic", "started_at"])]
