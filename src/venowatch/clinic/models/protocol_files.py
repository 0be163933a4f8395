"""Every protocol file a clinic has put in force, kept by its SHA-256: each stored assessment
names the file it was made under (id, version, sha256), and a replay of a patient's course
under "the protocol the clinic used then" needs that file's text, not only its name."""

from __future__ import annotations

from django.db import models

from venowatch.clinic.models.clinics import Clinic


class ProtocolFile(models.Model):
    """Append-only: a row each time a clinic puts a file in force (empty text: the file shipped
    with venowatch, whose `sha256` is still the shipped file's)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="protocol_files")
    sha256 = models.CharField(max_length=64)
    text = models.TextField(blank=True)
    in_force_from = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["clinic", "in_force_from"])]
