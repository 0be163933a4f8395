"""A patient's standing as one typed value: from the stored row while it holds, else fresh; the
model's columns read back as the engine's enums; and every read goes through the reads hook."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.web_fixtures import H, clinic, patient
from venowatch.clinic.models import Assessment, AssessmentChange, CheckIn, Patient, Procedure
from venowatch.protocol import Action, Clause, Pathway, Pgic, ProcedureKind, Urgency
from venowatch.protocol.message import Audience
from venowatch.services.care import reads
from venowatch.services.care.records import record_checkin, record_procedure
from venowatch.services.care.standing import Decision, Standing, standing, standing_as_of
from venowatch.services.care.wording import reason_text

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def _operated(name: str) -> Patient:
    p = patient(name, clinic())
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=NOW - 20 * H, now=NOW - 20 * H)
    return Patient.objects.select_related("clinic", "assessment").get(pk=p.pk)


def test_the_stored_row_reads_back_as_the_standing_the_engine_gave() -> None:
    p = _operated("Maria Keller")
    stored = standing(p, NOW - 20 * H)
    fresh = standing_as_of(p, NOW - 20 * H)
    assert stored.decision == fresh.decision == Decision.of_row(p.assessment)
    assert stored.pathway is Pathway.AWAITING_CHECKIN
    assert isinstance(stored.urgency, Urgency)
    assert all(isinstance(a, Action) for a in stored.actions)
    assert [r.code for r in stored.rationale] == [r.code for r in fresh.rationale]
    assert [r.staff for r in stored.rationale] == [r.staff for r in fresh.rationale]
    assert stored.protocol == fresh.protocol
    assert stored.since is not None
    assert fresh.since is None
    assert stored.as_of.utcoffset() == fresh.as_of.utcoffset()  # the patient's offset


def test_an_expired_row_gives_a_fresh_standing_that_keeps_when_its_urgency_began() -> None:
    p = _operated("Sam Rivera")
    row = p.assessment
    row.valid_until = NOW - H
    row.save()
    later = standing(p, NOW)
    assert later.as_of == NOW
    if later.urgency is row.urgency:
        assert later.since == row.since
    else:
        assert later.since == NOW


def test_a_row_stored_before_messages_and_protocol_were_kept_still_reads() -> None:
    p = _operated("Ada Old")
    Assessment.objects.filter(patient=p).update(
        rationale=[{"clause": "C2", "code": "x", "text": "Old words.", "staff": "Old."}],
        protocol={},
    )
    p = Patient.objects.select_related("clinic", "assessment").get(pk=p.pk)
    old = Standing.of_row(p.assessment, ZoneInfo("UTC"))
    (reason,) = old.rationale
    assert reason.clause is Clause.C2
    assert reason_text(reason, Audience.PATIENT, UTC) == "Old words."
    assert old.protocol is None


def test_model_columns_hold_the_engines_enums_and_still_equal_their_text() -> None:
    p = _operated("Lee Enum")
    record_checkin(p, at=NOW, pgic=Pgic.MUCH_IMPROVED, now=NOW)
    checkin = CheckIn.objects.get(patient=p)
    assert checkin.pgic == "much_improved"
    assert checkin.pgic is Pgic.MUCH_IMPROVED
    assert Procedure.objects.get(patient=p).kind is ProcedureKind.VENOPLASTY
    change = AssessmentChange.objects.filter(patient=p).latest("at")
    assert isinstance(change.pathway, Pathway)
    made = Procedure(kind="stent")  # type: ignore[misc]  # from its text, as a form sets it
    assert made.kind is ProcedureKind.STENT
    assert made.get_kind_display() == "stent"
    assert list(Procedure.objects.filter(kind=ProcedureKind.VENOPLASTY)) == [
        Procedure.objects.get(patient=p)
    ]


def test_every_read_passes_the_hook(caplog: pytest.LogCaptureFixture) -> None:
    p = _operated("Kim Read")
    with caplog.at_level(logging.DEBUG, logger=reads.__name__):
        reads.standing_of(None, p, NOW)
        reads.export(None, p)
        list(reads.records(None, p, reads.Records.CHANGES))
    said = [r.getMessage() for r in caplog.records]
    assert said == [
        f"user None reads standing of patients [{p.pk}]",
        f"user None reads export of patients [{p.pk}]",
        f"user None reads records of patients [{p.pk}]",
    ]
