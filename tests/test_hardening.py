"""Production settings and what they promise: `check --deploy` clean, DEBUG refused, https
only, secrets from files, a Content Security Policy without inline code, `no-store` on every
answer that may hold patient data, JSON bodies only, and private files."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.db.utils import ConnectionHandler
from django.test import Client
from pytest_django import DjangoDbBlocker

from tests.api_fixtures import Api
from tests.conftest import ROOT
from tests.web_fixtures import PASSWORD, clinic, patient, user
from venowatch import settings as project_settings
from venowatch.cli.serve import prepare_environment
from venowatch.clinic.models import Role
from venowatch.env import EnvError, env_secret

SRC = ROOT / "src"
STRONG_KEY = "k3y-" + "x9Qz" * 15


def _production(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A production environment, nothing inherited from the tests' own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VENOWATCH_", "DATABASE_"))}
    env.update(
        PYTHONPATH=str(SRC),
        DJANGO_SETTINGS_MODULE="venowatch.settings",
        VENOWATCH_SECRET_KEY=STRONG_KEY,
        VENOWATCH_DATA_DIR=str(tmp_path / "data"),
        VENOWATCH_ALLOWED_HOSTS="venowatch.example.org",
    )
    env.update(extra)
    return env


def _settings(env: dict[str, str], *names: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: repr(getattr(settings, n, None)) for n in {list(names)!r}}}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_is_https_only_with_secure_cookies(tmp_path: Path) -> None:
    done = _settings(
        _production(tmp_path, VENOWATCH_BEHIND_TLS_PROXY="true"),
        "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "DEBUG": "False",
        "SECURE_SSL_REDIRECT": "True",
        "SECURE_HSTS_SECONDS": "31536000",
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
        "SECURE_PROXY_SSL_HEADER": "('HTTP_X_FORWARDED_PROTO', 'https')",
    }
    # Without a proxy saying so, X-Forwarded-Proto is not trusted at all.
    alone = _settings(_production(tmp_path), "SECURE_PROXY_SSL_HEADER")
    assert json.loads(alone.stdout) == {"SECURE_PROXY_SSL_HEADER": "None"}


def test_debug_is_refused_in_production_and_allowed_in_development(tmp_path: Path) -> None:
    refused = _settings(_production(tmp_path, VENOWATCH_DEBUG="true"), "DEBUG")
    assert refused.returncode != 0
    assert "VENOWATCH_DEBUG=true is refused in production" in refused.stderr
    assert "VENOWATCH_DEVELOPMENT=true" in refused.stderr
    allowed = _settings(
        _production(tmp_path, VENOWATCH_DEBUG="true", VENOWATCH_DEVELOPMENT="true"),
        "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
    )  # fmt: skip
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout) == {
        "DEBUG": "True",
        "SECURE_SSL_REDIRECT": "False",
        "SESSION_COOKIE_SECURE": "False",
    }


def test_secrets_come_from_files(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text(STRONG_KEY + "-from-file\n")
    url = tmp_path / "db-url"
    url.write_text(f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}")
    password = tmp_path / "mail"
    password.write_text("smtp-secret")
    sms = tmp_path / "sms"
    sms.write_text("sms-token")
    env = _production(
        tmp_path,
        VENOWATCH_SECRET_KEY_FILE=str(key),
        DATABASE_URL_FILE=str(url),
        VENOWATCH_EMAIL_PASSWORD_FILE=str(password),
        VENOWATCH_SMS_AUTH_TOKEN_FILE=str(sms),
    )
    del env["VENOWATCH_SECRET_KEY"]
    done = _settings(env, "SECRET_KEY", "EMAIL_HOST_PASSWORD", "VENOWATCH_SMS_AUTH_TOKEN",
                     "DATABASES")  # fmt: skip
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout)
    assert values["SECRET_KEY"] == repr(STRONG_KEY + "-from-file")
    assert values["EMAIL_HOST_PASSWORD"] == "'smtp-secret'"
    assert values["VENOWATCH_SMS_AUTH_TOKEN"] == "'sms-token'"
    assert "elsewhere.sqlite3" in values["DATABASES"]


def test_a_secret_file_must_be_readable_not_empty_and_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VENOWATCH_X", raising=False)
    monkeypatch.setenv("VENOWATCH_X_FILE", str(tmp_path / "missing"))
    with pytest.raises(EnvError, match="VENOWATCH_X_FILE: cannot read"):
        env_secret("VENOWATCH_X")
    (tmp_path / "empty").write_text("\n")
    monkeypatch.setenv("VENOWATCH_X_FILE", str(tmp_path / "empty"))
    with pytest.raises(EnvError, match="is empty"):
        env_secret("VENOWATCH_X")
    (tmp_path / "good").write_text("s3cret\n")
    monkeypatch.setenv("VENOWATCH_X_FILE", str(tmp_path / "good"))
    assert env_secret("VENOWATCH_X") == "s3cret"
    monkeypatch.setenv("VENOWATCH_X", "other")
    with pytest.raises(EnvError, match="set VENOWATCH_X or VENOWATCH_X_FILE, not both"):
        env_secret("VENOWATCH_X")


@pytest.mark.django_db
class TestNoStore:
    """Every answer that may hold patient data says `Cache-Control: no-store`."""

    def test_pages_api_fhir_and_cds_answers_are_not_stored(self) -> None:
        home = clinic()
        alex = user("alex", home, Role.ADVOCATE)
        maria = patient("Maria Keller", home, advocate=alex)
        browser = Client()
        assert browser.login(username="alex", password=PASSWORD)
        answers = {
            "worklist": browser.get("/staff/"),
            "patient page": browser.get(f"/staff/patients/{maria.pk}/"),
            "not found": browser.get("/staff/patients/999999/"),
            "API": Api(alex).get(f"/patients/{maria.pk}"),
            "API refusal": Client().get("/api/v1/patients"),
            "FHIR": browser.get(f"/fhir/r4/Patient/{maria.pk}/$everything"),
            "CDS Hooks": Client().get("/cds-services"),
        }
        for name, answer in answers.items():
            assert answer["Cache-Control"] == "no-store", name
        assert answers["patient page"].status_code == 200

    def test_static_files_may_be_cached(self) -> None:
        static = Client().get("/static/venowatch/site.css")
        assert static.status_code == 200
        assert "no-store" not in static.get("Cache-Control", "")


@pytest.mark.django_db
def test_every_page_carries_a_policy_without_inline_code() -> None:
    answer = Client().get("/accounts/login/")
    policy = answer["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I)


def test_no_template_of_a_page_has_inline_script_or_style() -> None:
    """Pages only: e-mail templates keep inline styles, which mail readers need and where no
    Content Security Policy applies."""
    templates = sorted((SRC / "venowatch" / "web" / "templates").rglob("*.html"))
    assert templates
    found = [
        f"{path.relative_to(SRC)}: {match.group(0)}"
        for path in templates
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.django_db
class TestJsonBodiesOnly:
    def test_a_body_not_declared_json_is_a_415_naming_the_header(self) -> None:
        home = clinic()
        alex = user("alex", home, Role.ADVOCATE)
        maria = patient("Maria Keller", home, advocate=alex)
        api = Api(alex)
        url = f"/api/v1/patients/{maria.pk}/labs"
        for content_type in ("application/x-www-form-urlencoded", "text/plain"):
            answer = api.client.post(
                url, "text=hello", content_type=content_type, headers=api._headers({})
            )
            assert answer.status_code == 415, content_type
            detail = answer.json()["detail"][0]
            assert detail["loc"] == ["header", "Content-Type"]
            assert content_type in detail["msg"]
            assert "application/json" in detail["msg"]
            assert answer["Cache-Control"] == "no-store"

    def test_json_with_a_charset_and_bodiless_requests_pass(self) -> None:
        home = clinic()
        alex = user("alex", home, Role.ADVOCATE)
        api = Api(alex)
        maria = patient("Maria Keller", home, advocate=alex)
        answer = api.client.post(
            f"/api/v1/patients/{maria.pk}/labs",
            "{}",
            content_type="application/json; charset=utf-8",
            headers=api._headers({}),
        )
        assert answer.status_code == 422  # read, and refused for what it says
        assert api.get("/patients").status_code == 200


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_file_and_its_directory_are_private(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> None:
    os.umask(old := os.umask(0o022))  # the usual umask, which would make the file 0644
    try:
        path = tmp_path / "new-data-dir" / "venowatch.sqlite3"
        handler = ConnectionHandler({"default": project_settings._database(f"sqlite:///{path}")})
        try:
            with django_db_blocker.unblock(), handler["default"].cursor() as cursor:
                cursor.execute("CREATE TABLE t (x INTEGER)")
                cursor.execute("INSERT INTO t VALUES (1)")
                assert Path(f"{path}-wal").exists()
                assert _mode(Path(f"{path}-wal")) == 0o600
        finally:
            handler.close_all()
        assert _mode(path) == 0o600
        assert _mode(path.parent) == 0o700
    finally:
        os.umask(old)


def test_a_database_file_made_readable_before_is_made_private(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> None:
    path = tmp_path / "old.sqlite3"
    path.touch(mode=0o644)
    path.chmod(0o644)
    handler = ConnectionHandler({"default": project_settings._database(f"sqlite:///{path}")})
    try:
        with django_db_blocker.unblock():
            handler["default"].ensure_connection()
    finally:
        handler.close_all()
    assert _mode(path) == 0o600


def test_the_data_directory_and_the_kept_secret_are_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    monkeypatch.setenv("VENOWATCH_DATA_DIR", str(data))
    monkeypatch.delenv("VENOWATCH_SECRET_KEY")
    monkeypatch.delenv("VENOWATCH_SECRET_KEY_FILE", raising=False)
    prepare_environment()
    assert _mode(data) == 0o700
    assert _mode(data / "secret_key") == 0o600
    assert len(os.environ["VENOWATCH_SECRET_KEY"]) >= 50


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("VENOWATCH_TOKEN_DAYS", "0", "VENOWATCH_TOKEN_DAYS must be at least 1"),
        ("VENOWATCH_HSTS_SECONDS", "-1", "VENOWATCH_HSTS_SECONDS must be 0 (off) or more"),
        ("VENOWATCH_SSL_REDIRECT", "maybe", "VENOWATCH_SSL_REDIRECT must be true or false"),
    ],
)
def test_a_bad_setting_stops_the_start_naming_it(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    done = _settings(_production(tmp_path, **{name: value}), "DEBUG")
    assert done.returncode != 0
    assert message in done.stderr
