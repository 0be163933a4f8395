"""API tokens expire (VENOWATCH_TOKEN_DAYS, default 90): an expired one gets a 401 that says
so, and the command line lists and revokes tokens."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from tests.web_fixtures import clinic, patient, user
from venowatch.cli.main import main
from venowatch.clinic.models import Role
from venowatch.security.models import ApiToken, Scope
from venowatch.services.clock import utc_now
from venowatch.services.security import tokens

pytestmark = pytest.mark.django_db


def _get(secret: str, path: str = "/api/v1/patients") -> Any:
    return Client().get(path, headers={"Authorization": f"Bearer {secret}"})


def test_a_token_lives_for_the_configured_days(settings: Settings) -> None:
    alex = user("alex", clinic(), Role.ADVOCATE)
    now = utc_now()
    token, _ = tokens.issue(alex, name="EHR", scope=Scope.READ, now=now)
    assert token.expires_at == now + timedelta(days=90)
    settings.VENOWATCH_TOKEN_DAYS = 7
    short, _ = tokens.issue(alex, name="lab", scope=Scope.READ, now=now)
    assert short.expires_at == now + timedelta(days=7)


def test_an_expired_token_is_refused_saying_it_expired() -> None:
    home = clinic()
    alex = user("alex", home, Role.ADVOCATE)
    maria = patient("Maria Keller", home, advocate=alex)
    token, secret = tokens.issue(alex, name="EHR", scope=Scope.READ)
    assert _get(secret).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=utc_now() - timedelta(seconds=1))
    answer = _get(secret)
    assert answer.status_code == 401
    detail = answer.json()["detail"][0]
    assert detail["loc"] == ["header", "Authorization"]
    assert "expired on" in detail["msg"]
    assert "ask an administrator for a new one" in detail["msg"]
    fhir = _get(secret, f"/fhir/r4/Patient/{maria.pk}/$everything")
    assert fhir.status_code == 401
    assert fhir.json()["resourceType"] == "OperationOutcome"
    assert "expired on" in fhir.json()["issue"][0]["diagnostics"]


def test_a_live_token_works_until_its_last_second() -> None:
    alex = user("alex", clinic(), Role.ADVOCATE)
    token, secret = tokens.issue(alex, name="EHR", scope=Scope.READ)
    at = token.expires_at
    assert tokens.authenticate(secret, at - timedelta(seconds=1)) is not None
    with pytest.raises(tokens.TokenExpiredError):
        tokens.authenticate(secret, at)


def test_the_command_line_lists_tokens_with_their_state(capsys: pytest.CaptureFixture[str]) -> None:
    alex = user("alex", clinic(), Role.ADVOCATE)
    live, live_secret = tokens.issue(alex, name="EHR bridge", scope=Scope.WRITE)
    old, _ = tokens.issue(alex, name="old feed", scope=Scope.READ)
    ApiToken.objects.filter(pk=old.pk).update(expires_at=utc_now() - timedelta(days=2))
    assert main(["token", "list"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert "EHR bridge" in lines[str(live.pk)]
    assert "read and write" in lines[str(live.pk)]
    assert "live until" in lines[str(live.pk)]
    assert "never used" in lines[str(live.pk)]
    assert "expired" in lines[str(old.pk)]
    assert live_secret not in out  # only the prefix is ever shown again
    assert live.prefix in out


def test_the_command_line_revokes_by_id_or_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    alex = user("alex", clinic(), Role.ADVOCATE)
    first, first_secret = tokens.issue(alex, name="one", scope=Scope.READ)
    second, _ = tokens.issue(alex, name="two", scope=Scope.READ)
    assert main(["token", "revoke", str(first.pk)]) == 0
    assert "revoked: it no longer works" in capsys.readouterr().out
    assert _get(first_secret).status_code == 401
    assert main(["token", "revoke", second.prefix]) == 0
    assert ApiToken.objects.get(pk=second.pk).revoked_at is not None
    assert main(["token", "revoke", str(first.pk)]) == 0
    assert "was revoked already" in capsys.readouterr().out


def test_revoking_an_unknown_token_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["token", "revoke", "vw_nothing"])
    assert stopped.value.code == 2
    assert re.search(r"no token with id or prefix 'vw_nothing'", capsys.readouterr().err)
