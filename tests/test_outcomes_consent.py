"""A patient who withdrew their consent is left out of the outcome figures from the withdrawal
on, and every form of the figures (page, JSON, CSV, the command line's words) says how many
were left out for that reason (docs/decisions/outcomes2.md)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.api_fixtures import Api
from tests.outcome_fixtures import operated
from tests.web_fixtures import D, clinic, user
from venowatch.cli.main import main
from venowatch.clinic.models import Clinic, Patient, Role
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care import consent
from venowatch.services.care.records import record_procedure
from venowatch.services.outcomes import facts
from venowatch.services.outcomes.export import pseudonym

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort() -> tuple[Clinic, list[Patient], Patient]:
    """Three consenting patients of one clinic, one of whom (the last) had a repeat
    venoplasty, and one patient of another clinic."""
    home, elsewhere = clinic("Home"), clinic("Elsewhere")
    now = timezone.now()
    patients = [
        operated(f"Pat Secret{i}", home, 90 + 20 * i, Pgic.MINIMALLY_IMPROVED) for i in range(3)
    ]
    record_procedure(patients[2], kind=ProcedureKind.VENOPLASTY, performed_at=now - 20 * D, now=now)
    other = operated("Pat Faraway", elsewhere, 60, Pgic.NO_CHANGE)
    advocate = user("alex", home, Role.ADVOCATE)
    for p in [*patients, other]:
        consent.give(p, advocate, now - 200 * D)
    facts.refresh_stale(now)
    return home, patients, other


def gone_by(p: Patient) -> User:
    """Who records the withdrawal: the one who recorded the consent."""
    return consent.state_of(p).given_by  # type: ignore[no-any-return]


def test_the_counts_change_by_exactly_the_patient_who_withdrew(
    cohort: tuple[Clinic, list[Patient], Patient],
) -> None:
    home, patients, _ = cohort
    now = timezone.now()
    before, before_episodes = facts.cohort_figures([home.pk], now)
    assert (before.patients, before.episodes, before.repeat) == (3, 4, 1)
    assert before.left_out_withdrawn == 0
    gone = patients[2]
    consent.withdraw(gone, gone_by(gone), now)
    after, after_episodes = facts.cohort_figures([home.pk], now)
    assert after.left_out_withdrawn == 1
    assert (after.patients, after.episodes, after.repeat) == (2, 2, 0)
    assert after_episodes == [e for e in before_episodes if e.patient_id != gone.pk]
    assert dict(before.venoplasties_per_patient) == {1: 2, 2: 1}
    assert dict(after.venoplasties_per_patient) == {1: 2}
    for b, a in zip(before.curves, after.curves, strict=True):
        assert a.n == b.n - 2
    for b_point, a_point in zip(before.pgic, after.pgic, strict=True):
        # Each of the patient's two episodes is either due an answer or not followed that far.
        assert a_point.total + a_point.not_yet == b_point.total + b_point.not_yet - 2


def test_only_the_cohort_s_own_withdrawals_are_counted(
    cohort: tuple[Clinic, list[Patient], Patient],
) -> None:
    home, patients, other = cohort
    now = timezone.now()
    consent.withdraw(other, gone_by(other), now)
    assert facts.cohort_figures([home.pk], now)[0].left_out_withdrawn == 0
    assert facts.cohort_figures(None, now)[0].left_out_withdrawn == 1
    consent.withdraw(patients[0], gone_by(patients[0]), now)
    # Operated 90 days ago: outside a period of venoplasties in the last 80 days.
    recent = (now - 80 * D).date()
    assert facts.cohort_figures([home.pk], now, start=recent)[0].left_out_withdrawn == 0
    assert facts.cohort_figures([home.pk], now)[0].left_out_withdrawn == 1


def test_consent_given_again_brings_the_patient_back(
    cohort: tuple[Clinic, list[Patient], Patient],
) -> None:
    home, patients, _ = cohort
    now = timezone.now()
    consent.withdraw(patients[0], gone_by(patients[0]), now)
    consent.give(patients[0], gone_by(patients[0]), now)
    figures, _ = facts.cohort_figures([home.pk], now)
    assert (figures.patients, figures.left_out_withdrawn) == (3, 0)


def test_every_form_of_the_figures_says_who_was_left_out(
    cohort: tuple[Clinic, list[Patient], Patient], capsys: pytest.CaptureFixture[str]
) -> None:
    home, patients, _ = cohort
    gone = patients[1]
    consent.withdraw(gone, gone_by(gone), timezone.now())
    said = "1 patient who withdrew their consent is left out of every figure"
    hashed = pseudonym(gone.pk, "dev")
    ana = user("ana", home, Role.ANALYST)
    page = Client()
    page.force_login(ana)
    assert said in page.get("/staff/outcomes/").content.decode()
    assert main(["outcomes", "--clinic", str(home.pk)]) == 0
    assert said in capsys.readouterr().out
    assert main(["outcomes", "--json", "--clinic", str(home.pk)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cohort"]["left_out_consent_withdrawn"] == 1
    assert data["cohort"]["patients"] == 2
    assert hashed not in {e["patient"] for e in data["episodes"]}
    assert main(["outcomes", "--csv", "--clinic", str(home.pk)]) == 0
    out = capsys.readouterr()
    assert said in out.err
    assert hashed not in out.out
    assert len(list(csv.DictReader(io.StringIO(out.out)))) == 3
    answer = Api(ana).get("/outcomes", format="csv")
    assert answer["Venowatch-Left-Out-Consent-Withdrawn"] == "1"
    assert answer.content.decode() == out.out
    assert Api(ana).get("/outcomes").json()["cohort"]["left_out_consent_withdrawn"] == 1


def test_the_page_says_so_when_nobody_was_left_out(
    cohort: tuple[Clinic, list[Patient], Patient],
) -> None:
    root = User.objects.create_superuser("root", "root@example.org", "x")
    page = Client()
    page.force_login(root)
    text = page.get("/staff/outcomes/").content.decode()
    assert "No patient is left out for having withdrawn their consent." in text


def test_a_withdrawn_patient_is_not_counted_as_waiting_to_be_brought_in(
    cohort: tuple[Clinic, list[Patient], Patient],
) -> None:
    home, patients, _ = cohort
    now = timezone.now()
    gone = patients[0]
    consent.withdraw(gone, gone_by(gone), now)
    record_procedure(gone, kind=ProcedureKind.VENOPLASTY, performed_at=now - D, now=now)
    assert facts.stale().filter(patient=gone).exists()
    assert facts.stale_count([home.pk]) == 0
    record_procedure(patients[1], kind=ProcedureKind.VENOPLASTY, performed_at=now - D, now=now)
    assert facts.stale_count([home.pk]) == 1
