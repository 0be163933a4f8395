"""Tokens made by administrators in the Django admin and on the command line."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.web_fixtures import PASSWORD, clinic, user
from venowatch.cli.main import main
from venowatch.clinic.models import Role
from venowatch.security.models import ApiToken

pytestmark = pytest.mark.django_db
SECRET = re.compile(r"vw_[A-Za-z0-9_-]{20,}")


def _admin() -> Client:
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client = Client()
    client.force_login(root)
    return client


def test_the_admin_shows_a_new_secret_once_and_it_works() -> None:
    alex = user("alex", clinic(), Role.ADVOCATE)
    admin = _admin()
    page = admin.post(
        "/admin/api/apitoken/add/",
        {"user": alex.pk, "name": "EHR bridge", "scope": "read"},
        follow=True,
    ).content.decode()
    found = SECRET.search(page)
    assert found, "the secret is shown after the token is made"
    secret = found.group()
    assert not ApiToken.objects.filter(digest__contains=secret).exists()
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/v1/patients").status_code == 200
    token = ApiToken.objects.get()
    assert (
        SECRET.search(admin.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()) is None
    )
    admin.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert api.get("/api/v1/patients").status_code == 401


def test_the_admin_refuses_a_token_for_someone_outside_any_clinic() -> None:
    loner = User.objects.create_user("loner", password=PASSWORD)
    page = _admin().post(
        "/admin/api/apitoken/add/", {"user": loner.pk, "name": "x", "scope": "read"}
    )
    assert page.status_code == 200
    assert "belongs to no clinic" in page.content.decode()
    assert not ApiToken.objects.exists()


def test_the_command_line_makes_a_token(capsys: pytest.CaptureFixture[str]) -> None:
    user("alex", clinic(), Role.ADVOCATE)
    assert main(["token", "create", "alex", "--name", "lab feed", "--scope", "write"]) == 0
    secret = SECRET.search(capsys.readouterr().out)
    assert secret
    assert ApiToken.objects.get().scope == "write"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["token", "create", "nobody", "--name", "x"], "no user named 'nobody'"),
        (["token", "create", "loner", "--name", "x"], "belongs to no clinic"),
        (["token", "create", "alex", "--name", "x", "--scope", "admin"], "invalid choice"),
    ],
)
def test_the_command_line_refuses_with_status_2(
    capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    user("alex", clinic(), Role.ADVOCATE)
    User.objects.create_user("loner", password=PASSWORD)
    with pytest.raises(SystemExit) as stopped:
        main(args)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert words in err
    assert "Traceback" not in err
    assert not ApiToken.objects.exists()
