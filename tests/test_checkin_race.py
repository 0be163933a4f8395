"""A check-in is assessed before the write lock is taken; a write landing in between must not
leave a stored assessment that ignores it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.web_fixtures import D, H, clinic, patient
from venowatch.clinic.models import Assessment, AssessmentChange, CheckIn, Patient
from venowatch.protocol import LabKind, LabResult, Pgic, ProcedureKind, Timeline
from venowatch.services.care import records, standing, timelines
from venowatch.services.care.assessing import assessment_json

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def _operated(name: str) -> Patient:
    p = patient(name, clinic())
    records.record_procedure(
        p, kind=ProcedureKind.VENOPLASTY, performed_at=NOW - 40 * D, now=NOW - 40 * D
    )
    return p


def _abnormal_blood(p: Patient) -> None:
    records.record_lab(
        p, at=NOW - 2 * H, kind=LabKind.BLOOD, result=LabResult.ABNORMAL, finding="anaemia",
        now=NOW - 2 * H,
    )  # fmt: skip


def _assert_stored_is_fresh(p: Patient) -> None:
    stored = Assessment.objects.get(patient=p)
    fresh = assessment_json(standing.assess_patient(p, NOW), messages=True)
    got = {k: getattr(stored, k) for k in ("pathway", "urgency", "actions", "flags", "rationale")}
    assert got == {k: fresh[k] for k in got}
    latest = AssessmentChange.objects.filter(patient=p).latest("pk")
    assert (latest.pathway, latest.urgency) == (fresh["pathway"], fresh["urgency"])


def test_a_write_between_the_read_and_the_lock_is_assessed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = _operated("Maria Keller")
    alone = standing.assess_patient(p, NOW)
    read = timelines.timeline_of

    def read_then_a_lab_lands(patient: Patient) -> Timeline:
        monkeypatch.setattr(records, "timeline_of", read)
        timeline = read(patient)
        _abnormal_blood(Patient.objects.get(pk=patient.pk))
        return timeline

    monkeypatch.setattr(records, "timeline_of", read_then_a_lab_lands)
    records.record_checkin(p, at=NOW, pgic=Pgic.MUCH_WORSE, now=NOW)

    assert CheckIn.objects.filter(patient=p).count() == 1
    _assert_stored_is_fresh(p)
    stored = Assessment.objects.get(patient=p)
    assert stored.pathway != alone.pathway.value  # the lab mattered, so the test can tell
    assert stored.revision == 2  # created, moved by the lab, then stored again under the lock


def test_a_patient_object_read_before_another_write_is_caught() -> None:
    p = _operated("Sam Rivera")
    stale = Patient.objects.select_related("assessment").get(pk=p.pk)
    _abnormal_blood(p)
    records.record_checkin(stale, at=NOW, pgic=Pgic.MUCH_WORSE, now=NOW)
    _assert_stored_is_fresh(p)


def test_without_interference_a_checkin_stores_once() -> None:
    p = _operated("Lee Chen")
    records.record_checkin(p, at=NOW - 1 * H, pgic=Pgic.MINIMALLY_WORSE, now=NOW - 1 * H)
    records.record_checkin(p, at=NOW, pgic=Pgic.MUCH_WORSE, now=NOW)
    _assert_stored_is_fresh(p)
    assert Assessment.objects.get(patient=p).revision == 2
