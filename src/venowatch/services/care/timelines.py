"""Reading patients' records into the engine's timelines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from venowatch.clinic import models
from venowatch.protocol import (
    CheckIn,
    Lab,
    Procedure,
    Timeline,
)
from venowatch.services.care.zones import local, patient_zone


def timeline_of(patient: models.Patient, *, with_voided: bool = False) -> Timeline:
    """The patient's records in the engine's form, instants in the patient's own offsets."""
    return timelines_of([patient], with_voided=with_voided)[patient.pk]


def timelines_of(
    patients: Sequence[models.Patient], *, with_voided: bool = False
) -> dict[int, Timeline]:
    """Several patients' timelines in three queries. Rows are read as tuples, not model
    instances: this runs on every write and for every patient of a full re-assessment. Voided
    and superseded records do not count (`voided_at` is set; see clinic.models.corrections)."""
    zones = {p.pk: patient_zone(p) for p in patients}
    records: dict[int, tuple[list[Procedure], list[CheckIn], list[Lab]]] = {
        pk: ([], [], []) for pk in zones
    }
    mine: dict[str, Any] = {"patient_id__in": list(zones)}
    if not with_voided:  # a re-import must know the records voided here, not store them again
        mine["voided_at__isnull"] = True
    for pk, kind, at, veins, note in (
        models.Procedure.objects.filter(**mine)
        .order_by("patient_id", "performed_at", "pk")
        .values_list("patient_id", "kind", "performed_at", "veins", "note")
    ):
        records[pk][0].append(Procedure(kind, local(at, zones[pk]), tuple(veins), note))
    for pk, at, answer, back, ratings, note in (
        models.CheckIn.objects.filter(**mine)
        .order_by("patient_id", "at", "pk")
        .values_list("patient_id", "at", "pgic", "symptoms_returned", "symptoms", "note")
    ):
        ratings_ = tuple(sorted(ratings.items()))
        records[pk][1].append(CheckIn(local(at, zones[pk]), answer, back, ratings_, note))
    for pk, at, test, result, finding in (
        models.Lab.objects.filter(**mine)
        .order_by("patient_id", "at", "pk")
        .values_list("patient_id", "at", "kind", "result", "finding")
    ):
        records[pk][2].append(Lab(local(at, zones[pk]), test, result, finding))
    return {
        pk: Timeline(str(pk), tuple(procs), tuple(checkins), tuple(labs))
        for pk, (procs, checkins, labs) in records.items()
    }
