"""`GET /api/v1/outcomes`: the figures of `venowatch outcomes --json` and the episodes of its
`--csv`, to exactly who may see the staff page, each call audited; the cohort's parameters
refused as the command line refuses them, naming the parameter."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.api_fixtures import Api
from tests.outcome_fixtures import operated
from tests.web_fixtures import clinic, user
from venowatch.audit.models import Action, ActorKind, AuditEvent, Channel, Outcome
from venowatch.cli.main import main
from venowatch.clinic.models import Clinic, Role
from venowatch.protocol import Pgic
from venowatch.services.outcomes import facts

pytestmark = pytest.mark.django_db


@pytest.fixture
def two() -> tuple[Clinic, Clinic]:
    a, b = clinic("Clinic A"), clinic("Clinic B")
    for i in range(3):
        operated(f"Pat Secretname{i}", a, 40 + 30 * i, Pgic.MUCH_IMPROVED)
    operated("Pat Elsewhere", b, 50, Pgic.NO_CHANGE)
    facts.refresh_stale(timezone.now())
    return a, b


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["outcomes", *args]) == 0
    return capsys.readouterr().out


def test_the_json_is_the_command_line_s(
    two: tuple[Clinic, Clinic], capsys: pytest.CaptureFixture[str]
) -> None:
    a, _ = two
    answer = Api(user("ana", a, Role.ANALYST)).get("/outcomes")
    assert answer.status_code == 200, answer.content
    assert answer["Content-Type"].startswith("application/json")
    given = answer.json()
    assert given == json.loads(_cli(capsys, "--json", "--clinic", str(a.pk)))
    assert given["cohort"]["patients"] == 3
    assert given["cohort"]["left_out_consent_withdrawn"] == 0
    assert "Secretname" not in answer.content.decode()
    assert str(timezone.now().year) + "-" not in answer.content.decode()


@pytest.mark.parametrize(
    ("params", "accept"),
    [({"format": "csv"}, None), ({}, "text/csv"), ({}, "application/json;q=0.5, text/csv")],
)
def test_the_csv_is_the_command_line_s(
    two: tuple[Clinic, Clinic],
    capsys: pytest.CaptureFixture[str],
    params: dict[str, str],
    accept: str | None,
) -> None:
    a, _ = two
    api = Api(user("admin", a, Role.ADMIN))
    headers = {"Authorization": f"Bearer {api.secret}"} | ({"Accept": accept} if accept else {})
    answer = api.client.get("/api/v1/outcomes", params, headers=headers)
    assert answer.status_code == 200, answer.content
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer["Content-Disposition"]
    assert answer["Venowatch-Left-Out-Consent-Withdrawn"] == "0"
    text = answer.content.decode()
    assert text == _cli(capsys, "--csv", "--clinic", str(a.pk))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3
    assert "Secretname" not in text


@pytest.mark.parametrize(
    "accept", ["application/json", "application/json, text/csv", "*/*", "text/csv;q=0"]
)
def test_json_unless_csv_is_asked_for_or_preferred(two: tuple[Clinic, Clinic], accept: str) -> None:
    api = Api(user("ana", two[0], Role.ANALYST))
    headers = {"Authorization": f"Bearer {api.secret}", "Accept": accept}
    answer = api.client.get("/api/v1/outcomes", headers=headers)
    assert answer["Content-Type"].startswith("application/json")
    assert answer.json()["cohort"]["patients"] == 3


def test_the_operator_chooses_any_clinic_or_every_one(two: tuple[Clinic, Clinic]) -> None:
    _, b = two
    root = User.objects.create_superuser("root", "root@example.org", "x")
    client = Client()
    client.force_login(root)
    assert client.get("/api/v1/outcomes").json()["cohort"]["patients"] == 4
    assert client.get("/api/v1/outcomes", {"clinic": b.pk}).json()["cohort"]["patients"] == 1
    unknown = client.get("/api/v1/outcomes", {"clinic": 999_999})
    assert unknown.status_code == 422
    (problem,) = unknown.json()["detail"]
    assert problem["loc"] == ["query", "clinic"]
    assert "999999" in problem["msg"]


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.content
    (problem,) = answer.json()["detail"]
    return dict(problem)


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"from": "May"}, "from", "'May' is not a day like 2026-03-01"),
        ({"to": "2026-02-30"}, "to", "is not a day"),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "to", "ends before it starts"),
        ({"from": "2026-05-01-01"}, "from", "at most 10 characters"),
        ({"clinic": "A"}, "clinic", "valid integer"),
        ({"format": "xlsx"}, "format", "'json' or 'csv'"),
    ],
)
def test_a_bad_parameter_is_a_422_naming_it(
    two: tuple[Clinic, Clinic],
    capsys: pytest.CaptureFixture[str],
    params: dict[str, str],
    field: str,
    words: str,
) -> None:
    problem = _problem(Api(user("ana", two[0], Role.ANALYST)).get("/outcomes", **params), 422)
    assert problem["loc"] == ["query", field]
    assert words in problem["msg"]
    if field in ("from", "to") and "characters" not in words:
        # The command line refuses the same value with the same words, naming its option.
        with pytest.raises(SystemExit):
            main(["outcomes", *(x for k, v in params.items() for x in (f"--{k}", v))])
        assert f"--{field}: " in capsys.readouterr().err


def test_another_clinic_is_out_of_reach_and_the_refusal_is_logged(
    two: tuple[Clinic, Clinic],
) -> None:
    a, b = two
    api = Api(user("ana", a, Role.ANALYST))
    problem = _problem(api.get("/outcomes", clinic=b.pk), 404)
    assert problem["loc"] == ["query", "clinic"]
    # A token's rows name the token (it acts as its user).
    refused = AuditEvent.objects.filter(
        actor_kind=ActorKind.API_TOKEN, actor_id=api.token.pk, outcome=Outcome.REFUSED
    )
    assert refused.count() == 1
    assert not AuditEvent.objects.filter(action=Action.OUTCOME_FIGURES).exists()


def test_every_call_is_audited_as_the_page_is(two: tuple[Clinic, Clinic]) -> None:
    a, _ = two
    ana = user("ana", a, Role.ANALYST)
    api = Api(ana)
    api.get("/outcomes")
    page = Client()
    page.force_login(ana)
    assert page.get("/staff/outcomes/").status_code == 200
    rows = AuditEvent.objects.filter(action=Action.OUTCOME_FIGURES).order_by("seq")
    assert [(r.channel, r.actor_kind, r.actor_id, r.clinic_id, r.patient_id) for r in rows] == [
        (Channel.API, ActorKind.API_TOKEN, api.token.pk, a.pk, None),
        (Channel.WEB, ActorKind.USER, ana.pk, a.pk, None),
    ]
    assert all(r.outcome is Outcome.ALLOWED for r in rows)


def test_the_page_downloads_the_same_cohort_from_the_api(two: tuple[Clinic, Clinic]) -> None:
    root = User.objects.create_superuser("root", "root@example.org", "x")
    client = Client()
    client.force_login(root)
    b = two[1]
    url = client.get("/staff/outcomes/", {"clinic": str(b.pk), "start": "2020-01-01"}).context[
        "csv_url"
    ]
    assert url == f"/api/v1/outcomes?format=csv&clinic={b.pk}&from=2020-01-01"
    rows = list(csv.DictReader(io.StringIO(client.get(url).content.decode())))
    assert len(rows) == 1
