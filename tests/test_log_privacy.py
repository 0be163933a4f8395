"""No health data in the application's logs: check-ins, refusals, a possible clot's alerts
(delivered, and failing), staff reading and searching, with every logger at DEBUG, leave no
patient name, email, note or answer in what is logged. The access log of `venowatch serve`
leaves query strings out (a worklist search is a patient's name)."""

from __future__ import annotations

import logging
import socket
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from gunicorn.config import Config
from gunicorn.glogging import Logger
from pytest_django import Settings

from tests.api_fixtures import Api
from tests.web_fixtures import PASSWORD, clinic, patient, user
from venowatch.cli.main import main
from venowatch.cli.serve import gunicorn_options
from venowatch.clinic.models import Role
from venowatch.protocol import ProcedureKind
from venowatch.services.care.records import record_procedure
from venowatch.services.clock import utc_now
from venowatch.services.notification.delivery import deliver_due

NAME = "Zuzanna Quellmalz"
EMAIL = "zuzanna.quellmalz@example.org"
NOTE = "calf swollen since the wedding in Gdansk"
SECRETS = [NAME, "Zuzanna", "Quellmalz", EMAIL, NOTE, "Gdansk", "much_worse", "Much worse"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.django_db
def test_nothing_about_a_patient_reaches_the_log(
    caplog: pytest.LogCaptureFixture, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    caplog.set_level(logging.DEBUG)  # every logger, the root's level included
    home = clinic()
    home.oncall_email = "oncall@example.org"
    home.save()
    alex = user("alex", home, Role.ADVOCATE)
    ir = user("dr.ir", home, Role.CLINICIAN)
    zuzanna = patient(NAME, home, advocate=alex)
    assert zuzanna.user is not None
    zuzanna.user.email = EMAIL
    zuzanna.user.save()
    now = utc_now()
    record_procedure(zuzanna, kind=ProcedureKind.VENOPLASTY, performed_at=now - timedelta(hours=20),
                     performed_by=ir, now=now)  # fmt: skip
    api = Api(zuzanna.user)
    url = f"/patients/{zuzanna.pk}/checkins"
    # Refusals: a check-in in the future, an answer the scale does not have, a bad body.
    future = (now + timedelta(days=2)).isoformat()
    assert api.post(url, {"pgic": "much_worse", "note": NOTE, "at": future}).status_code == 422
    assert api.post(url, {"pgic": NOTE, "note": NOTE}).status_code == 422
    # The possible clot: symptoms back within a day of the venoplasty.
    clot = {"pgic": "much_worse", "symptoms_returned": True, "note": NOTE}
    assert api.post(url, clot).status_code == 201
    assert api.post(url, clot).status_code == 409  # the same again: a likely repeat
    # Staff search for her by name, and read her page and her record through the API.
    staff = Client()
    assert staff.login(username="alex", password=PASSWORD)
    assert staff.get("/staff/", {"q": NAME}).status_code == 200
    assert staff.get(f"/staff/patients/{zuzanna.pk}/").status_code == 200
    assert Api(alex).get(f"/patients/{zuzanna.pk}/checkins").status_code == 200
    # The alerts: first the mail server is down, then they go.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    settings.EMAIL_TIMEOUT = 2
    failed = deliver_due(utc_now())
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent = deliver_due(utc_now() + timedelta(hours=1))
    assert sent.sent >= 4, (failed, sent)
    assert main(["sweep", "--verbose"]) == 0
    capsys.readouterr()

    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    assert any(r.name.startswith("venowatch") for r in caplog.records), "nothing was logged"
    assert any(r.name == "django.request" for r in caplog.records)
    found = [s for s in SECRETS if s.lower() in logged.lower()]
    assert found == [], logged[-3000:]


def test_the_access_log_leaves_out_query_strings_and_referrers() -> None:
    options = gunicorn_options("127.0.0.1:8000")
    config = Config()
    for key, value in options.items():
        config.set(key, value)
    request = type("Request", (), {
        "method": "GET", "path": "/staff/", "query": "q=Zuzanna+Quellmalz", "uri":
        "/staff/?q=Zuzanna+Quellmalz", "version": (1, 1), "headers": [],
    })()  # fmt: skip
    response = type("Response", (), {"status": "200 OK", "headers": [], "sent": 1234,
                                     "response_length": 1234})()  # fmt: skip
    environ: dict[str, Any] = {
        "REMOTE_ADDR": "127.0.0.1", "HTTP_REFERER": "https://x/staff/?q=Zuzanna",
        "HTTP_USER_AGENT": "test", "QUERY_STRING": "q=Zuzanna+Quellmalz",
        "RAW_URI": "/staff/?q=Zuzanna+Quellmalz", "REQUEST_METHOD": "GET",
        "PATH_INFO": "/staff/", "SERVER_PROTOCOL": "HTTP/1.1",
    }  # fmt: skip
    atoms = Logger(config).atoms(response, request, environ, timedelta(milliseconds=12))
    line = config.access_log_format % atoms
    assert "/staff/" in line
    assert "200" in line
    assert "Zuzanna" not in line
