"""Voiding and correcting records, duplicates, and implausible dates, through the services: the
records stay, the assessment stops counting what no longer counts, in the same transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import User

from tests.web_fixtures import D, H, clinic, patient, user
from venowatch.clinic.models import (
    Assessment,
    AssessmentChange,
    CheckIn,
    Lab,
    Patient,
    Procedure,
    RecordState,
    Role,
)
from venowatch.protocol import LabKind, LabResult, Pgic, ProcedureKind
from venowatch.services.care.corrections import (
    correct_checkin,
    correct_lab,
    correct_procedure,
    void,
    withdraw_checkin,
)
from venowatch.services.care.records import record_checkin, record_lab, record_procedure
from venowatch.services.care.timelines import timeline_of
from venowatch.services.errors import DuplicateRecordError, FieldError

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
VENO = ProcedureKind.VENOPLASTY


def _operated(days: float = 30) -> tuple[Patient, User]:
    c = clinic()
    alex = user("alex", c, Role.ADVOCATE)
    p = patient("Maria Keller", c, advocate=alex)
    record_procedure(p, kind=VENO, performed_at=NOW - days * D, now=NOW - days * D)
    return p, alex


def _state(row: Procedure | CheckIn | Lab) -> RecordState:
    return type(row).objects.select_related("replacement").get(pk=row.pk).state


def test_voiding_the_clot_checkin_reassesses_and_keeps_the_row() -> None:
    p, alex = _operated(days=20 / 24)
    bad = record_checkin(p, at=NOW, pgic=Pgic.NO_CHANGE, symptoms_returned=True, now=NOW)
    assert Assessment.objects.get(patient=p).pathway == "possible_thrombosis"
    void(bad, reason="pressed by mistake, confirmed by phone", by=alex, now=NOW + H)
    assert Assessment.objects.get(patient=p).pathway == "awaiting_checkin"
    assert AssessmentChange.objects.filter(patient=p).latest("pk").pathway == "awaiting_checkin"
    row = CheckIn.objects.get(pk=bad.pk)
    assert (row.voided_by, row.void_reason) == (alex, "pressed by mistake, confirmed by phone")
    assert _state(row) is RecordState.VOIDED
    assert timeline_of(p).checkins == ()


def test_a_void_needs_a_reason_and_happens_once() -> None:
    p, alex = _operated()
    c = record_checkin(p, at=NOW, pgic=Pgic.NO_CHANGE, now=NOW)
    with pytest.raises(FieldError) as no_reason:
        void(c, reason="  ", by=alex, now=NOW)
    assert no_reason.value.field == "reason"
    assert CheckIn.objects.get(pk=c.pk).voided_at is None
    void(c, reason="entered for the wrong patient", by=alex, now=NOW)
    with pytest.raises(FieldError) as again:
        void(CheckIn.objects.get(pk=c.pk), reason="again", by=alex, now=NOW)
    assert again.value.field == "record"
    assert CheckIn.objects.get(pk=c.pk).void_reason == "entered for the wrong patient"


def test_a_corrected_procedure_supersedes_the_old_one_and_both_are_kept() -> None:
    p, alex = _operated(days=10)
    old = Procedure.objects.get(patient=p)
    new = correct_procedure(
        old, kind=ProcedureKind.STENT, performed_at=old.performed_at, veins=["azygos"],
        reason="it was a stent", by=alex, now=NOW,
    )  # fmt: skip
    assert new.replaces == old
    assert (_state(old), _state(new)) == (RecordState.SUPERSEDED, RecordState.CURRENT)
    assert Procedure.objects.filter(patient=p).count() == 2
    assert [x.kind for x in timeline_of(p).procedures] == [ProcedureKind.STENT]
    with pytest.raises(FieldError) as twice:
        correct_procedure(
            Procedure.objects.get(pk=old.pk), kind=VENO, performed_at=old.performed_at,
            reason="again", by=alex, now=NOW,
        )  # fmt: skip
    assert twice.value.field == "record"


def test_a_corrected_lab_and_checkin_replace_what_the_assessment_counts() -> None:
    p, alex = _operated(days=20)
    lab = record_lab(
        p, at=NOW - D, kind=LabKind.URINE, result=LabResult.ABNORMAL, finding="infection", now=NOW
    )
    fixed = correct_lab(
        lab, at=lab.at, kind=LabKind.URINE, result=LabResult.NORMAL, reason="wrong sample",
        by=alex, now=NOW,
    )  # fmt: skip
    assert [x.result for x in timeline_of(p).labs] == [LabResult.NORMAL]
    assert (_state(lab), fixed.replaces_id) == (RecordState.SUPERSEDED, lab.pk)
    checkin = record_checkin(p, at=NOW - 2 * D, pgic=Pgic.MUCH_WORSE, now=NOW)
    corrected = correct_checkin(
        checkin, at=checkin.at, pgic=Pgic.MUCH_IMPROVED, reason="patient said improved",
        by=alex, now=NOW,
    )  # fmt: skip
    assert [c.pgic for c in timeline_of(p).checkins] == [Pgic.MUCH_IMPROVED]
    assert corrected.recorded_by == alex
    assert Assessment.objects.get(patient=p).pathway != "worsening"


def test_a_correction_is_checked_as_a_new_record_is_and_changes_nothing_if_refused() -> None:
    p, alex = _operated()
    old = Procedure.objects.get(patient=p)
    with pytest.raises(FieldError) as future:
        correct_procedure(old, kind=VENO, performed_at=NOW + D, reason="x", by=alex, now=NOW)
    assert future.value.field == "performed_at"
    assert Procedure.objects.get(pk=old.pk).voided_at is None


def test_the_patient_withdraws_their_own_checkin_within_the_window_only() -> None:
    p, _alex = _operated()
    mine = record_checkin(p, at=NOW, pgic=Pgic.NO_CHANGE, by=p.user, now=NOW)
    CheckIn.objects.filter(pk=mine.pk).update(recorded_at=NOW)
    late = NOW + timedelta(minutes=61)
    with pytest.raises(FieldError, match="an hour ago"):
        withdraw_checkin(p, CheckIn.objects.get(pk=mine.pk), by=p.user, now=late)
    p.clinic.checkin_void_window = 90
    withdraw_checkin(p, CheckIn.objects.get(pk=mine.pk), by=p.user, now=late)
    assert CheckIn.objects.get(pk=mine.pk).void_reason == "withdrawn by the patient"


def test_a_patient_cannot_withdraw_a_checkin_someone_else_saved() -> None:
    p, alex = _operated()
    theirs = record_checkin(p, at=NOW, pgic=Pgic.NO_CHANGE, by=alex, now=NOW)
    CheckIn.objects.filter(pk=theirs.pk).update(recorded_at=NOW)
    with pytest.raises(FieldError, match="not a check-in you saved"):
        withdraw_checkin(p, CheckIn.objects.get(pk=theirs.pk), by=p.user, now=NOW)


def test_the_same_record_within_a_minute_asks_for_confirmation() -> None:
    p, _alex = _operated(days=10)
    first = Procedure.objects.get(patient=p)
    with pytest.raises(DuplicateRecordError) as dup:
        record_procedure(p, kind=VENO, performed_at=first.performed_at + timedelta(seconds=30),
                         now=NOW)  # fmt: skip
    assert (dup.value.field, dup.value.existing) == ("confirm_duplicate", first.pk)
    record_procedure(p, kind=ProcedureKind.STENT, performed_at=first.performed_at, now=NOW)
    record_procedure(p, kind=VENO, performed_at=first.performed_at, now=NOW, confirm_duplicate=True)
    assert Procedure.objects.filter(patient=p).count() == 3
    record_checkin(p, at=NOW, pgic=Pgic.NO_CHANGE, now=NOW)
    with pytest.raises(DuplicateRecordError):
        record_checkin(p, at=NOW + timedelta(seconds=59), pgic=Pgic.NO_CHANGE, now=NOW + H)
    record_checkin(p, at=NOW + timedelta(seconds=60), pgic=Pgic.NO_CHANGE, now=NOW + H)
    record_lab(p, at=NOW, kind=LabKind.BLOOD, result=LabResult.NORMAL, now=NOW)
    with pytest.raises(DuplicateRecordError):
        record_lab(p, at=NOW, kind=LabKind.BLOOD, result=LabResult.NORMAL, now=NOW)
    record_lab(p, at=NOW, kind=LabKind.URINE, result=LabResult.NORMAL, now=NOW)
    assert (CheckIn.objects.filter(patient=p).count(), Lab.objects.filter(patient=p).count()) == (
        2,
        2,
    )


def test_a_voided_record_is_no_longer_a_duplicate() -> None:
    p, alex = _operated(days=10)
    first = Procedure.objects.get(patient=p)
    void(first, reason="wrong date", by=alex, now=NOW)
    record_procedure(p, kind=VENO, performed_at=first.performed_at, now=NOW)
    assert len(timeline_of(p).procedures) == 1


def test_procedures_and_labs_before_the_clinics_earliest_date_are_refused() -> None:
    c = clinic()
    p = patient("Tom Whitaker", c)
    old = datetime(2004, 12, 31, 12, tzinfo=UTC)
    with pytest.raises(FieldError) as procedure:
        record_procedure(p, kind=VENO, performed_at=old, now=NOW)
    assert procedure.value.field == "performed_at"
    assert "1 January 2005" in procedure.value.message
    with pytest.raises(FieldError) as lab:
        record_lab(p, at=old, kind=LabKind.BLOOD, result=LabResult.NORMAL, now=NOW)
    assert lab.value.field == "at"
    c.earliest_record_date = date(2000, 1, 1)
    record_procedure(p, kind=VENO, performed_at=old, now=NOW)


def test_an_abnormal_lab_needs_a_finding() -> None:
    p, _alex = _operated()
    with pytest.raises(FieldError) as missing:
        record_lab(p, at=NOW, kind=LabKind.URINE, result=LabResult.ABNORMAL, finding=" ", now=NOW)
    assert missing.value.field == "finding"
    assert not Lab.objects.exists()


def test_the_demos_double_posted_venoplasty_gives_one_procedure() -> None:
    from django.utils import timezone

    from venowatch.services.demo import create_demo

    create_demo(timezone.now())
    tom = Patient.objects.get(name="Tom Whitaker")
    assert Procedure.objects.filter(patient=tom).count() == 1
    assert Assessment.objects.get(patient=tom).repeats_done == 0
