"""Passwords and sign-in: Argon2 with old hashes upgraded, the password rules, throttling with
a cool-off (per username and per address, every attempt recorded), password change and reset
by email through the outbox."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.smtp import Inbox, plain
from tests.web_fixtures import PASSWORD, clinic, user
from venowatch.clinic.models import Role
from venowatch.notify.models import Kind, Notification
from venowatch.services.clock import utc_now
from venowatch.services.notification.delivery import deliver_due

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
REAL_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def _try(client: Client, username: str, password: str, address: str = "10.0.0.1") -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


# --- hashing and rules ----------------------------------------------------------------------


def test_new_passwords_are_hashed_with_argon2(settings: Any) -> None:
    settings.PASSWORD_HASHERS = REAL_HASHERS
    u = User.objects.create_user("ada", password=PASSWORD)
    assert u.password.startswith("argon2$")


def test_the_settings_put_argon2_first_and_keep_pbkdf2() -> None:
    from venowatch import settings as module

    assert module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert any(h.endswith(".PBKDF2PasswordHasher") for h in module.PASSWORD_HASHERS[1:])


def test_a_pbkdf2_hash_still_signs_in_and_is_rehashed_with_argon2(settings: Any) -> None:
    settings.PASSWORD_HASHERS = list(reversed(REAL_HASHERS))  # the old installation's hasher
    u = user("old.hash", clinic(), Role.PATIENT)
    assert u.password.startswith("pbkdf2_sha256$")
    settings.PASSWORD_HASHERS = REAL_HASHERS
    assert _try(Client(), "old.hash", PASSWORD).status_code == 302
    u.refresh_from_db()
    assert u.password.startswith("argon2$")
    assert _try(Client(), "old.hash", PASSWORD).status_code == 302  # and the new hash works


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short-one", "at least 12 characters"),
        ("password1234", "too common"),
        ("837261940573", "entirely numeric"),
        ("maria.keller.x", "too similar"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, why: str) -> None:
    u = User(username="maria.keller", first_name="Maria", last_name="Keller")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, u)
    assert why in " ".join(refused.value.messages)


def test_a_long_uncommon_password_is_accepted() -> None:
    validate_password("copper-lantern-orbit", User(username="maria.keller"))


# --- throttling -----------------------------------------------------------------------------


def test_five_wrong_passwords_pause_the_username_even_for_the_right_one(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 5
    user("nurse", clinic(), Role.ADVOCATE)
    for i in range(4):
        assert _try(Client(), "nurse", "wrong", f"10.0.0.{i}").status_code == 200
    locked = _try(Client(), "nurse", "wrong", "10.0.0.9")
    assert locked.status_code == 429
    right = _try(Client(), "nurse", PASSWORD, "10.0.0.10")  # another address: the user is paused
    assert right.status_code == 429
    assert "_auth_user_id" not in right.client.session
    text = right.content.decode()
    assert "Too many failed sign-ins for this username." in text
    assert re.search(r"Try again in 15 minutes\.", text)
    assert 14 * 60 < int(right["Retry-After"]) <= 15 * 60


def test_the_pause_ends_by_itself_after_the_cool_off(settings: Any) -> None:
    user("nurse", clinic(), Role.ADVOCATE)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(Client(), "nurse", "wrong")
    assert _try(Client(), "nurse", PASSWORD).status_code == 429
    # Sixteen minutes later, as far as the stored attempts are concerned: no admin needed.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _try(Client(), "nurse", PASSWORD).status_code == 302


def test_one_address_trying_many_usernames_is_paused(settings: Any) -> None:
    at = clinic()
    user("victim", at, Role.PATIENT)
    for i in range(settings.AXES_FAILURE_LIMIT):
        _try(Client(), f"guess{i}", "wrong", "203.0.113.7")
    locked = _try(Client(), "victim", PASSWORD, "203.0.113.7")
    assert locked.status_code == 429
    assert "from your network" in locked.content.decode()
    assert _try(Client(), "victim", PASSWORD, "198.51.100.1").status_code == 302  # elsewhere: fine


def test_the_lockout_page_says_the_same_for_a_username_that_does_not_exist(settings: Any) -> None:
    user("real", clinic(), Role.PATIENT)
    pages: list[Any] = []
    for name in ("real", "nobody"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _try(Client(), name, "wrong", f"10.1.{len(pages)}.1")
        pages.append(_try(Client(), name, "wrong", f"10.2.{len(pages)}.1"))
    assert [p.status_code for p in pages] == [429, 429]
    # The two pages are made a moment apart: the clock time they give may differ by a minute.
    said = [re.sub(r"\b\d\d:\d\d\b", "HH:MM", p.content.decode()) for p in pages]
    assert said[0].replace("real", "X") == said[1].replace("nobody", "X")


def test_every_attempt_is_recorded_passed_or_failed() -> None:
    user("nurse", clinic(), Role.ADVOCATE)
    _try(Client(), "nurse", "wrong", "10.0.0.5")
    _try(Client(), "nurse", PASSWORD, "10.0.0.6")
    (failure,) = AccessFailureLog.objects.all()
    assert (failure.username, failure.ip_address) == ("nurse", "10.0.0.5")
    (success,) = AccessLog.objects.all()
    assert (success.username, success.ip_address) == ("nurse", "10.0.0.6")


def test_api_tokens_are_not_counted_as_sign_ins(settings: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        answer = Client().get("/api/v1/patients", HTTP_AUTHORIZATION="Bearer vw_wrong")
        assert answer.status_code == 401
    assert not AccessAttempt.objects.exists()


# --- password change ------------------------------------------------------------------------


def test_a_signed_in_patient_changes_their_password() -> None:
    u = user("pat", clinic(), Role.PATIENT)
    client = Client()
    client.force_login(u)
    page = client.get("/accounts/password/")
    assert page.status_code == 200
    assert "Change your password" in page.content.decode()
    new = "copper-lantern-orbit"
    done = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert done.status_code == 302
    assert client.get("/accounts/").status_code == 200  # this session stays signed in
    u.refresh_from_db()
    assert u.check_password(new)


def test_a_weak_new_password_is_refused_on_the_page() -> None:
    u = user("pat", clinic(), Role.PATIENT)
    client = Client()
    client.force_login(u)
    page = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert page.status_code == 200
    assert "at least 12 characters" in page.content.decode()


def test_the_change_page_needs_a_sign_in() -> None:
    answer = Client().get("/accounts/password/")
    assert answer.status_code == 302
    assert answer["Location"].startswith(LOGIN)


# --- password reset -------------------------------------------------------------------------


def _ask_reset(email: str) -> Any:
    return Client().post("/accounts/password-reset/", {"email": email}, follow=True)


def test_a_reset_link_comes_by_email_through_the_outbox_and_works_once(smtp: Inbox) -> None:
    u = user("pat", clinic(), Role.PATIENT)
    asked = _ask_reset(u.email)
    assert "If an account has this address" in asked.content.decode()
    (queued,) = Notification.objects.filter(kind=Kind.PASSWORD_RESET)
    assert queued.address == u.email
    assert deliver_due(utc_now()).sent == 1
    (mail,) = smtp.to(u.email)
    link = re.search(r"http://\S+/accounts/reset/\S+/", plain(mail))
    assert link is not None
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    client = Client()
    form = client.get(f"/{path}", follow=True)  # Django swaps the token for a session marker
    assert "Choose a new password" in form.content.decode()
    new = "copper-lantern-orbit"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    u.refresh_from_db()
    assert u.check_password(new)
    again = Client().get(f"/{path}", follow=True)
    assert "This link no longer works" in again.content.decode()


def test_the_reset_page_answers_the_same_for_an_unknown_address() -> None:
    u = user("pat", clinic(), Role.PATIENT)
    known, unknown = _ask_reset(u.email), _ask_reset("nobody@example.org")
    assert known.content == unknown.content
    assert known.redirect_chain == unknown.redirect_chain
    assert Notification.objects.filter(kind=Kind.PASSWORD_RESET).count() == 1


def test_a_reset_link_expires(settings: Any, smtp: Inbox) -> None:
    settings.PASSWORD_RESET_TIMEOUT = 3600
    u = user("pat", clinic(), Role.PATIENT)
    _ask_reset(u.email)
    (queued,) = Notification.objects.filter(kind=Kind.PASSWORD_RESET)
    assert "for 60 minutes" in queued.text
    path = re.search(r"/accounts/reset/\S+/", queued.text)
    assert path is not None
    settings.PASSWORD_RESET_TIMEOUT = -1  # the hour has passed: every token is too old
    page = Client().get(path.group(0), follow=True)
    assert "This link no longer works" in page.content.decode()


def test_the_admins_sign_in_is_throttled_too(settings: Any) -> None:
    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            "/admin/login/", {"username": "root", "password": "wrong"}, REMOTE_ADDR="10.9.9.9"
        )
    answer = Client().post(
        "/admin/login/", {"username": "root", "password": PASSWORD}, REMOTE_ADDR="10.9.9.8"
    )
    assert answer.status_code == 429
    assert "Retry-After" in answer


def test_behind_a_proxy_the_forwarded_address_is_counted(settings: Any) -> None:
    settings.VENOWATCH_TRUSTED_PROXIES = 1
    user("victim", clinic(), Role.PATIENT)
    for i in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            LOGIN,
            {"username": f"guess{i}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",  # the proxy
            HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 203.0.113.7",  # the left part is the client's say
        )
    (address,) = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert address == "203.0.113.7"
    other = Client().post(
        LOGIN,
        {"username": "victim", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert other.status_code == 302  # the same proxy, another client: not paused
