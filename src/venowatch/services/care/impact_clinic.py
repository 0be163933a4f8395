"""The impact of a new protocol file on a clinic's patients, read from the database.

The patients are those a protocol change re-assesses (services.care.clinics.change_protocol:
those with an assessment; a patient never assessed has no records). Their records are read in
batches, three queries a batch, as a full re-assessment reads them; "now" is the same instant
for all, in each patient's own offsets. Call it through services.care.reads.protocol_impact,
which logs the read.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import QuerySet

from venowatch.clinic import models
from venowatch.protocol import Protocol
from venowatch.services.care.impact import Case, Impact, compare
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.timelines import timelines_of
from venowatch.services.care.zones import local, patient_zone

BATCH = 500


def clinic_impact(
    clinic: models.Clinic,
    new: Protocol,
    now: datetime,
    *,
    replayed: bool = True,
    replay_at_most: int | None = None,
) -> Impact:
    """What `new` would change for every assessed patient of `clinic`, now and over their
    replayed history, against the clinic's current file. The history is replayed only for a
    clinic of at most `replay_at_most` patients, if given (the replay costs an assessment per
    record under each file: the admin's page bounds it, the command line does not)."""
    patients = _assessed(clinic)
    if replayed and replay_at_most is not None:
        replayed = patients.count() <= replay_at_most
    current = clinic_protocol(clinic)
    return compare(_cases(patients, now), current, new, replayed=replayed)


def _assessed(clinic: models.Clinic) -> QuerySet[models.Patient]:
    return models.Patient.objects.filter(clinic=clinic, assessment__isnull=False)


def _cases(patients: QuerySet[models.Patient], now: datetime) -> Iterator[Case]:
    patients = patients.only("pk", "name", "time_zone", "clinic_id").order_by("pk")
    batch: list[models.Patient] = []
    for patient in patients.iterator(chunk_size=BATCH):
        batch.append(patient)
        if len(batch) == BATCH:
            yield from _batch(batch, now)
            batch = []
    yield from _batch(batch, now)


def _batch(patients: list[models.Patient], now: datetime) -> Iterator[Case]:
    if not patients:
        return
    timelines = timelines_of(patients)
    for p in patients:
        yield Case(str(p.pk), p.name, timelines[p.pk], local(now, patient_zone(p)))
