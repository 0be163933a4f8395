"""Sessions: a new id at sign-in, sign-out ends the stored session, a password change ends the
user's other sessions, an idle limit (staff 30 minutes, patients 8 hours) and an absolute one
(12 hours), all settings."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client

from tests.web_fixtures import PASSWORD, clinic, patient, user
from venowatch.clinic.models import Role
from venowatch.services.clock import utc_now

pytestmark = pytest.mark.django_db
M = timedelta(minutes=1)
H = timedelta(hours=1)


class Clock:
    """The sign-in gate's clock, moved by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = utc_now()
        monkeypatch.setattr("venowatch.web.signin_middleware.utc_now", lambda: self.now)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def nurse() -> User:
    return user("nurse", clinic(), Role.ADVOCATE)


def _signed_in(who: User) -> Client:
    client = Client()
    client.force_login(who)
    return client


def _patient_user() -> User:
    account = patient("Pat One", clinic("Other")).user
    assert account is not None
    return account


def test_sign_in_gives_a_new_session_id_and_drops_the_old_one(nurse: User) -> None:
    client = Client()
    client.get("/accounts/login/")  # the sign-in form's visit starts an anonymous session
    session = client.session
    session["seen"] = True
    session.save()
    before = session.session_key
    client.post("/accounts/login/", {"username": "nurse", "password": PASSWORD})
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_sign_out_ends_the_session_on_the_server(nurse: User) -> None:
    client = _signed_in(nurse)
    assert client.get("/staff/").status_code == 200
    old = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=old).exists()
    replay = Client()
    replay.cookies["sessionid"] = old
    answer = replay.get("/staff/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/")


def test_a_password_change_ends_the_users_other_sessions() -> None:
    account = _patient_user()
    here, elsewhere = _signed_in(account), _signed_in(account)
    assert elsewhere.get("/me/").status_code == 200
    new = "copper-lantern-orbit"
    here.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert here.get("/me/").status_code == 200
    assert elsewhere.get("/me/")["Location"].startswith("/accounts/login/")


def test_staff_are_signed_out_after_30_minutes_idle(nurse: User, clock: Clock) -> None:
    client = _signed_in(nurse)
    clock.now += 29 * M
    assert client.get("/staff/").status_code == 200
    clock.now += 29 * M  # 58 minutes after sign-in, but only 29 idle: still in
    assert client.get("/staff/").status_code == 200
    old = client.cookies["sessionid"].value
    clock.now += 30 * M
    answer = client.get("/staff/", follow=True)
    assert answer.redirect_chain[0][0] == "/accounts/login/?next=%2Fstaff%2F"
    assert "signed out after 30 minutes without activity" in answer.content.decode()
    assert not Session.objects.filter(session_key=old).exists()


def test_patients_stay_signed_in_longer(settings: Any, clock: Clock) -> None:
    settings.VENOWATCH_SESSION_MAX = 24 * H  # so that only the idle limit is at play
    client = _signed_in(_patient_user())
    clock.now += 7 * H + 59 * M
    assert client.get("/me/").status_code == 200
    clock.now += 8 * H
    answer = client.get("/me/", follow=True)
    assert "signed out after 8 hours without activity" in answer.content.decode()


def test_every_session_ends_12_hours_after_sign_in(clock: Clock) -> None:
    client = _signed_in(_patient_user())
    for _ in range(11):
        clock.now += H
        assert client.get("/me/").status_code == 200
    clock.now += 59 * M
    assert client.get("/me/").status_code == 200
    clock.now += M
    answer = client.get("/me/", follow=True)
    assert "signed out 12 hours after signing in" in answer.content.decode()


def test_the_limits_are_settings(settings: Any, nurse: User, clock: Clock) -> None:
    settings.VENOWATCH_SESSION_IDLE_STAFF = 5 * M
    settings.VENOWATCH_SESSION_MAX = 2 * H
    client = _signed_in(nurse)
    clock.now += 6 * M
    assert client.get("/staff/")["Location"].startswith("/accounts/login/")
    client = _signed_in(nurse)
    for step in range(29):  # active every 4 minutes until 1 h 56 min after sign-in
        clock.now += 4 * M
        assert client.get("/staff/").status_code == 200, step
    clock.now += 4 * M  # 2 h after sign-in
    assert client.get("/staff/")["Location"].startswith("/accounts/login/")


def test_the_stored_session_lapses_by_itself_at_the_idle_limit(nurse: User, clock: Clock) -> None:
    client = _signed_in(nurse)
    clock.now += 2 * M
    client.get("/staff/")
    assert 29 * 60 <= client.session.get_expiry_age() <= 30 * 60


def test_an_ended_session_opens_no_api(nurse: User, clock: Clock) -> None:
    client = _signed_in(nurse)
    assert client.get("/api/v1/patients").status_code == 200
    clock.now += 31 * M
    assert client.get("/api/v1/patients").status_code == 401
