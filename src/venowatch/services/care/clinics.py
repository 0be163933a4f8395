"""Clinic settings that change what the engine says: the protocol file in use.

Choosing a protocol changes every patient's answer at once, so the change re-assesses all of
the clinic's patients in the transaction that saves it: nobody reads advice from the old rules
after the new ones are in force, and a failure keeps the old ones everywhere.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from venowatch.clinic import models
from venowatch.protocol import Protocol, parse_protocol
from venowatch.services.care.protocol_archive import archive
from venowatch.services.care.protocols import default_protocol
from venowatch.services.care.reassessing import reassess_many

_BATCH = 500


def check_protocol_text(text: str) -> Protocol:
    """The protocol the text describes (empty: the shipped one); ProtocolError names the key."""
    return parse_protocol(text) if text.strip() else default_protocol()


def change_protocol(clinic: models.Clinic, text: str, now: datetime) -> int:
    """Store the clinic's protocol and re-assess its patients; returns how many."""
    check_protocol_text(text)
    with transaction.atomic():
        clinic.protocol_text = text if text.strip() else ""
        clinic.save(update_fields=["protocol_text"])
        archive(clinic, clinic.protocol_text, now)  # replays under the rules of the time
        # A patient never assessed has no records yet; there is nothing to re-assess.
        patients = models.Patient.objects.filter(clinic=clinic, assessment__isnull=False)
        count = 0
        batch: list[models.Patient] = []
        for patient in patients.order_by("pk").iterator(chunk_size=_BATCH):
            patient.clinic = clinic
            batch.append(patient)
            if len(batch) == _BATCH:
                count += len(reassess_many(batch, now))
                batch = []
        count += len(reassess_many(batch, now)) if batch else 0
    return count
