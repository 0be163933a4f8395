"""A stored patient's replay (services.care.replay through reads.replay_of) and its comparison
with the assessment history stored as the records came: agreement where nothing happened after
the fact, and each kind of difference named with its instants."""

from __future__ import annotations

import importlib
from datetime import datetime
from importlib import resources
from typing import Any

import pytest
from django.utils import timezone

from tests.web_fixtures import D, H, clinic, patient, user
from venowatch.clinic.models import (
    AssessmentChange,
    CheckIn,
    Clinic,
    Patient,
    Procedure,
    ProtocolFile,
    Role,
)
from venowatch.protocol import Pathway, Pgic, ProcedureKind, Urgency
from venowatch.protocol.replay import Cause, replay
from venowatch.services.care.clinics import change_protocol
from venowatch.services.care.corrections import void
from venowatch.services.care.protocols import default_protocol, parsed_text
from venowatch.services.care.reads import replay_of
from venowatch.services.care.reassessing import reassess
from venowatch.services.care.records import record_checkin, record_procedure
from venowatch.services.care.replay_values import RecordKind, Why
from venowatch.services.care.timelines import timeline_of

pytestmark = pytest.mark.django_db

VENO = ProcedureKind.VENOPLASTY
DEFAULT_TEXT = resources.files("venowatch.protocol").joinpath("default.toml").read_text("utf-8")


def entered(row: Any, at: datetime) -> Any:
    """The row as if entered at `at` (auto_now_add stamps the real clock)."""
    type(row).objects.filter(pk=row.pk).update(recorded_at=at)
    return row


def operated(start: datetime) -> Patient:
    c = clinic()
    p = patient("Maria Keller", c, user("alex", c, Role.ADVOCATE))
    entered(record_procedure(p, kind=VENO, performed_at=start, now=start), start)
    return p


def check_in(
    p: Patient, at: datetime, pgic: Pgic, *, now: datetime | None = None, **kw: Any
) -> Any:
    row = record_checkin(p, at=at, pgic=pgic, now=now or at, **kw)
    return entered(row, now or at)


def test_a_course_recorded_as_it_happened_agrees_with_its_history() -> None:
    start = timezone.now() - 120 * D
    p = operated(start)
    for week in range(1, 9):
        check_in(p, start + week * 7 * D, Pgic.MUCH_IMPROVED if week < 6 else Pgic.NO_CHANGE)
    done = replay_of(None, p, timezone.now())
    assert done.then
    assert done.comparison.differences == ()
    stored = AssessmentChange.objects.filter(patient=p).count()
    assert 2 <= done.comparison.stored <= stored
    assert len(done.comparison.agreements) == done.comparison.stored
    assert [s.cause for s in done.steps][:2] == [Cause.PROCEDURE, Cause.CHECKIN]
    assert done.steps[0].pathway is Pathway.AWAITING_CHECKIN
    # The steps are the engine's replay of the records under the clinic's protocol.
    plain = replay(timeline_of(p), done.until, default_protocol())
    assert [(s.start, s.pathway) for s in done.steps] == [(s.start, s.pathway) for s in plain]


def test_a_checkin_voided_after_the_fact_is_named_as_the_difference() -> None:
    start = timezone.now() - 30 * D
    p = operated(start)
    alex = p.advocate
    bad = check_in(p, start + 6 * H, Pgic.MUCH_WORSE, symptoms_returned=True)
    void(bad, reason="pressed by mistake", by=alex, now=start + 8 * H)
    done = replay_of(alex, p, timezone.now())
    assert Urgency.EMERGENCY not in {s.urgency for s in done.steps}
    (diff,) = done.comparison.differences
    assert diff.why is Why.CORRECTION
    assert diff.stored == (Pathway.POSSIBLE_THROMBOSIS, Urgency.EMERGENCY)
    assert diff.stored_at == start + 6 * H
    assert diff.replayed == (Pathway.AWAITING_CHECKIN, Urgency.ROUTINE)
    assert diff.record is not None
    assert (diff.record.kind, diff.record.at) == (RecordKind.CHECKIN, start + 6 * H)
    assert diff.record.reason == "pressed by mistake"
    # The history's return to awaiting after the void agrees; it is not "late".
    assert len(done.comparison.agreements) == 2


def test_a_sweep_that_ran_late_is_told_apart_from_the_replayed_instant() -> None:
    start = timezone.now() - 30 * D
    p = operated(start)
    trigger = start + 6 * H
    check_in(p, trigger, Pgic.MUCH_WORSE, symptoms_returned=True)
    expiry = trigger + default_protocol().parameters.thrombosis_alert_for
    reassess(Patient.objects.get(pk=p.pk), expiry + 3 * H)  # the sweep, three hours late
    done = replay_of(None, p, timezone.now())
    (diff,) = done.comparison.differences
    assert diff.why is Why.SWEEP_LATE
    assert (diff.stored_at, diff.replayed_at) == (expiry + 3 * H, expiry)
    assert diff.stored == diff.replayed
    assert done.at(expiry) is not None
    assert done.at(expiry).cause is Cause.TIME  # type: ignore[union-attr]


def test_a_record_entered_days_after_its_date_is_named() -> None:
    start = timezone.now() - 30 * D
    p = operated(start)
    late = check_in(p, start + 7 * D, Pgic.MUCH_IMPROVED, now=start + 10 * D)
    done = replay_of(None, p, timezone.now())
    (diff,) = done.comparison.differences
    assert diff.why is Why.RECORDED_LATE
    assert (diff.replayed_at, diff.stored_at) == (start + 7 * D, start + 10 * D)
    assert diff.record is not None
    assert diff.record.recorded_at == CheckIn.objects.get(pk=late.pk).recorded_at


def _shorter_alert() -> str:
    text = DEFAULT_TEXT.replace('thrombosis_alert_for = "7d"', 'thrombosis_alert_for = "3d"')
    return text.replace('version = "1.0.0"', 'version = "1.0.1"')


def test_the_protocol_of_the_time_is_kept_and_replayed() -> None:
    start = timezone.now() - 30 * D
    p = operated(start)
    check_in(p, start + 6 * H, Pgic.MUCH_WORSE, symptoms_returned=True)
    saved = start + 4 * D
    change_protocol(p.clinic, _shorter_alert(), saved)
    (kept,) = ProtocolFile.objects.filter(clinic=p.clinic)
    assert (kept.in_force_from, kept.sha256) == (saved, parsed_text(_shorter_alert()).ref.sha256)

    p = Patient.objects.select_related("clinic").get(pk=p.pk)
    then = replay_of(None, p, timezone.now())
    assert then.comparison.differences == ()
    assert [r.version for r in then.protocols] == ["1.0.0", "1.0.1"]
    ended = then.at(saved)
    assert ended is not None
    assert (ended.start, ended.cause, ended.protocol.version) == (saved, None, "1.0.1")

    # Under the shipped protocol alone the emergency would have run on: the history's end of
    # it, under 1.0.1, is a protocol difference.
    shipped = replay_of(None, p, timezone.now(), protocol=default_protocol())
    assert not shipped.then
    whys = [(d.why, d.stored_at) for d in shipped.comparison.differences]
    assert (Why.PROTOCOL, saved) in whys


def test_a_patient_with_no_records_replays_to_nothing() -> None:
    c = clinic()
    p = patient("No Records", c)
    done = replay_of(None, p, timezone.now())
    assert done.steps == ()
    assert done.comparison.differences == ()
    assert Procedure.objects.filter(patient=p).count() == 0


def test_the_migration_keeps_each_clinics_file_in_force() -> None:
    from django.apps import apps

    migration = importlib.import_module("venowatch.clinic.migrations.0300_replay_protocol_files")
    own, shipped = clinic("Own"), clinic("Shipped")
    Clinic.objects.filter(pk=own.pk).update(protocol_text=_shorter_alert())
    migration.keep_files_in_force(apps, None)
    (kept,) = ProtocolFile.objects.all()
    assert (kept.clinic_id, kept.text) == (own.pk, _shorter_alert())
    assert kept.sha256 == parsed_text(_shorter_alert()).ref.sha256
    assert not ProtocolFile.objects.filter(clinic=shipped).exists()


def test_a_patient_assessed_before_any_record_agrees() -> None:
    c = clinic()
    p = patient("No Records", c)
    reassess(p, timezone.now() - D)
    done = replay_of(None, p, timezone.now())
    assert done.comparison.stored == 1
    assert done.comparison.differences == ()
    assert len(done.comparison.agreements) == 1
