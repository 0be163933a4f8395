"""Staff accounts need a second factor before they see anything (web.signin_middleware). The
tests of everything else sign staff in with the test client's login() or force_login(): here
that sign-in also gives the session a confirmed authenticator, as a person typing their code
would. Tests of the second factor itself mark themselves `second_factor_as_is`."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from venowatch.services.security.second_factor import needs_second_factor


def verify_session(client: Client, user: Any) -> None:
    """Mark the client's session as having given the user's second factor."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def _staff_sessions_have_their_second_factor(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if request.node.get_closest_marker("second_factor_as_is"):
        return
    login = Client._login  # type: ignore[attr-defined]  # private: where both sign-ins pass

    def login_with_second_factor(self: Client, user: Any, backend: str | None = None) -> None:
        login(self, user, backend)
        if needs_second_factor(user):
            verify_session(self, user)

    monkeypatch.setattr(Client, "_login", login_with_second_factor)


def current_code(username: str) -> str:
    """A code the user's authenticator would show now and the server has not yet accepted: the
    server refuses a code twice, and two sign-ins of one person can fall in one 30 s step, so
    this takes the next step the server's tolerance allows, or waits for one."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    while True:
        now = int(time.time())
        step = (now - device.t0) // device.step
        lowest = max(step + device.drift - device.tolerance, device.last_t + 1)
        if lowest <= step + device.drift + device.tolerance:
            return f"{hotp(device.bin_key, lowest, digits=device.digits):0{device.digits}d}"
        time.sleep(device.step - (now - device.t0) % device.step)
