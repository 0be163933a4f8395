"""The stored outcome facts, the page that answers from them, who may see it, and the CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.web_fixtures import D, H, clinic, patient, user
from venowatch.cli.main import main
from venowatch.clinic.models import Clinic, OutcomeEpisode, OutcomeState, Patient, Role
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care.records import record_checkin, record_procedure
from venowatch.services.outcomes import facts
from venowatch.services.outcomes.wording import LIMITS

pytestmark = pytest.mark.django_db


def _operated(name: str, at: Clinic, days: int, answer: Pgic = Pgic.MUCH_IMPROVED) -> Patient:
    """Operated `days` ago, a weekly check-in since."""
    now = timezone.now()
    p = patient(name, at, login=False)
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now - days * D, now=now)
    for week in range(1, (days - 1) // 7 + 1):
        record_checkin(p, at=now - days * D + week * 7 * D + H, pgic=answer, now=now)
    return p


def _signed_in(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_facts_are_computed_for_stale_patients_and_again_when_records_change() -> None:
    c = clinic()
    p = _operated("Pat One", c, 40)
    now = timezone.now()
    assert facts.stale_count([c.pk]) == 1
    assert facts.refresh_stale(now) == 1
    assert facts.stale_count([c.pk]) == 0
    assert facts.refresh_stale(now) == 0
    (episode,) = OutcomeEpisode.objects.filter(patient=p)
    assert episode.pgic_1 == Pgic.MUCH_IMPROVED.value
    assert episode.restenosis_day is None
    # A new venoplasty moves the assessment's revision: the patient is stale again, and
    # recomputing stores the second episode and ends the first.
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now - H, now=now)
    assert facts.stale_count([c.pk]) == 1
    facts.refresh_stale(now)
    first, second = OutcomeEpisode.objects.filter(patient=p).order_by("number")
    assert first.ended_by_venoplasty
    assert first.ended_day == pytest.approx(40 - 1 / 24)
    assert second.number == 2
    assert second.ended_day is None
    assert OutcomeState.objects.get(patient=p).venoplasties == 2


def test_the_page_answers_from_stored_facts_in_a_constant_number_of_queries() -> None:
    c = clinic()
    analyst = _signed_in(user("ana", c, Role.ANALYST))
    _operated("Pat A", c, 60)
    facts.refresh_stale(timezone.now())

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert analyst.get("/staff/outcomes/").status_code == 200
        return len(captured)

    few = queries()
    for i in range(8):
        _operated(f"Pat {i}", c, 20 + 5 * i, Pgic.NO_CHANGE)
    facts.refresh_stale(timezone.now())
    assert queries() == few
    page = analyst.get("/staff/outcomes/").content.decode()
    assert "9 patients" in page or ">9<" in page
    for limit in LIMITS:
        assert limit.replace("'", "&#x27;") in page
    assert "No answer in the window" in page
    assert "Number at risk" in page
    assert page.count("<svg") == 5  # four curves and the impression of change
    assert "suspected_restenosis" not in page
    assert "no_change" not in page


def test_an_analyst_sees_the_figures_and_no_patient() -> None:
    c, other = clinic("A"), clinic("B")
    p = _operated("Pat A", c, 30)
    _operated("Pat B", other, 30)
    facts.refresh_stale(timezone.now())
    ana = user("ana", c, Role.ANALYST)
    client = _signed_in(ana)
    assert client.get("/")["Location"] == "/staff/outcomes/"
    page = client.get("/staff/outcomes/").content.decode()
    assert "Pat A" not in page
    assert "Pat B" not in page
    assert "Figures for A," in page
    # The other clinic cannot be chosen by an analyst.
    assert client.get("/staff/outcomes/", {"clinic": other.pk}).context["f"].patients == 1
    for path in ("/staff/", f"/staff/patients/{p.pk}/", "/me/", "/api/v1/patients"):
        assert client.get(path).status_code in (401, 404), path


@pytest.mark.parametrize(("role", "status"), [(Role.ADVOCATE, 404), (Role.CLINICIAN, 404),
                                              (Role.PATIENT, 404), (Role.ADMIN, 200),
                                              (Role.ANALYST, 200)])  # fmt: skip
def test_who_may_see_the_outcome_page(role: Role, status: int) -> None:
    c = clinic()
    assert _signed_in(user("someone", c, role)).get("/staff/outcomes/").status_code == status


def test_the_operator_sees_every_clinic_or_one() -> None:
    a, b = clinic("A"), clinic("B")
    _operated("Pat A", a, 30)
    _operated("Pat B", b, 30)
    facts.refresh_stale(timezone.now())
    root = User.objects.create_superuser("root", "root@example.org", "x")
    client = _signed_in(root)
    assert client.get("/staff/outcomes/").context["f"].patients == 2
    assert client.get("/staff/outcomes/", {"clinic": b.pk}).context["f"].patients == 1


def test_a_bad_period_is_named_on_the_page() -> None:
    c = clinic()
    client = _signed_in(user("ana", c, Role.ANALYST))
    page = client.get("/staff/outcomes/", {"start": "2026-05-01", "end": "2026-04-01"})
    assert "The end of the period must not be before its start." in page.content.decode()
    assert (
        "Enter a valid date" in client.get("/staff/outcomes/", {"start": "soon"}).content.decode()
    )


def test_the_cli_writes_de_identified_json_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    c = clinic()
    _operated("Pat Secretname", c, 45)
    assert main(["outcomes", "--json", "--clinic", str(c.pk)]) == 0
    said = capsys.readouterr()
    data = json.loads(said.out)
    assert "brought 1 patients' figures up to date" in said.err
    assert data["cohort"]["patients"] == 1
    assert len(data["episodes"]) == 1
    assert "Secretname" not in said.out
    assert str(timezone.now().year) + "-" not in said.out
    assert main(["outcomes", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["pgic_1_months"] == "Much better"
    assert rows[0]["patient"] == data["episodes"][0]["patient"]
    assert main(["outcomes"]) == 0
    text = capsys.readouterr().out
    assert "1 patients, 1 episodes" in text
    assert "None" not in text
    assert "much_improved" not in text


BAD_OPTIONS = [
    (["--clinic", "999999"], "--clinic"),
    (["--from", "May"], "--from"),
    (["--from", "2026-05-02", "--to", "2026-05-01"], "--to"),
]


@pytest.mark.parametrize(("args", "named"), BAD_OPTIONS)
def test_the_cli_refuses_bad_options_naming_them(
    args: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["outcomes", *args])
    assert exited.value.code == 2
    assert named in capsys.readouterr().err


def test_figures_keep_a_patient_operated_long_ago_who_stopped_checking_in() -> None:
    c = clinic()
    now = timezone.now()
    p = patient("Gone", c, login=False)
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now - 200 * D, now=now)
    record_checkin(p, at=now - 190 * D, pgic=Pgic.NO_CHANGE, now=now)
    facts.refresh_stale(now)
    f, _ = facts.cohort_figures([c.pk], now + timedelta(minutes=1))
    assert f.lost == 1
    assert f.episodes == 1
    assert all(curve.n == 1 for curve in f.curves)


def test_a_pass_of_the_worker_recomputes_a_bounded_number_of_stale_patients() -> None:
    c = clinic()
    for i in range(3):
        _operated(f"Pat {i}", c, 15)
    now = timezone.now()
    assert facts.refresh_stale(now, limit=2, batch=1) == 2
    assert facts.stale_count(None) == 1
    assert facts.refresh_stale(now, limit=2) == 1
    assert OutcomeState.objects.count() == 3
