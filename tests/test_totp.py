"""The second factor: required for staff and admins before any patient data (pages, the admin,
the API by session), set up with a QR code and a typed secret, recovery codes shown once and
spent once, optional for patients; API tokens unaffected; the demo's fixed secrets."""

from __future__ import annotations

import re
import time
from base64 import b32decode
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.signin_fixtures import current_code
from tests.web_fixtures import PASSWORD, clinic, patient, user
from venowatch.clinic.models import Role
from venowatch.security.models import Scope
from venowatch.services.demo import DEMO_PASSWORD, DEMO_STAFF, create_demo, demo_totp_secret
from venowatch.services.security import tokens

pytestmark = [pytest.mark.django_db, pytest.mark.second_factor_as_is]
SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/"


def _password(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    answer = client.post("/accounts/login/", {"username": username, "password": password})
    assert answer.status_code == 302, answer.content.decode()[:500]
    return client


def _secret(page: Any) -> str:
    found = re.search(r'id="totp-secret">(.*?)</p>', page.content.decode(), re.S)
    assert found is not None
    return re.sub(r"<[^>]+>|\s", "", found.group(1))


def _code(secret: str) -> str:
    return f"{TOTP(b32decode(secret)).token():06d}"


def _enrolled(client: Client) -> list[str]:
    """Set up an authenticator from the page, as a person with an app would; the codes shown."""
    secret = _secret(client.get(SETUP))
    shown = client.post(SETUP, {"code": _code(secret), "next": "/"})
    assert shown.status_code == 200
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown.content.decode())


@pytest.fixture
def advocate() -> User:
    return user("nurse", clinic(), Role.ADVOCATE)


def test_staff_with_only_a_password_see_no_patient_page(advocate: User) -> None:
    p = patient("Pat One", advocate.member.clinic, advocate=advocate)
    client = _password("nurse")
    for path in ("/staff/", f"/staff/patients/{p.pk}/", "/", "/accounts/"):
        answer = client.get(path)
        assert answer.status_code == 302, path
        assert answer["Location"].startswith(f"{VERIFY}?next="), path
    # Nothing set up yet: on to setting up, still bound for the page first asked for.
    assert client.get(f"{VERIFY}?next=/staff/")["Location"] == f"{SETUP}?next=%2Fstaff%2F"


def test_an_unverified_staff_session_opens_no_api(advocate: User) -> None:
    client = _password("nurse")
    assert client.get("/api/v1/patients").status_code == 401
    _enrolled(client)
    assert client.get("/api/v1/patients").status_code == 200


def test_a_superuser_needs_the_second_factor_for_the_admin_too() -> None:
    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client = _password("root")
    answer = client.get("/admin/")
    assert answer["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    _enrolled(client)
    assert client.get("/admin/").status_code == 200


def test_setting_up_shows_a_qr_code_and_the_secret_and_refuses_a_wrong_code(
    advocate: User,
) -> None:
    client = _password("nurse")
    page = client.get(SETUP)
    html = page.content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="qr"' in html
    assert "<script" not in html
    secret = _secret(page)
    assert len(secret) == 32
    assert _secret(client.get(SETUP)) == secret  # a reload keeps the secret scanned
    wrong = client.post(SETUP, {"code": "000000" if _code(secret) != "000000" else "111111"})
    assert "That code does not match" in wrong.content.decode()
    assert client.get("/staff/").status_code == 302
    assert not TOTPDevice.objects.filter(user=advocate, confirmed=True).exists()


def test_ten_recovery_codes_are_shown_once_and_each_works_once(advocate: User) -> None:
    first = _password("nurse")
    codes = _enrolled(first)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert first.get("/staff/").status_code == 200
    assert first.get(SETUP)["Location"] == "/accounts/"  # set up: never shown again
    phone_lost = _password("nurse")
    used = phone_lost.post(VERIFY, {"code": codes[0], "next": "/staff/"})
    assert used["Location"] == "/staff/"
    assert phone_lost.get("/staff/").status_code == 200
    again = _password("nurse").post(VERIFY, {"code": codes[0]})
    assert "That code does not match" in again.content.decode()


def test_a_code_from_the_app_signs_in_and_cannot_be_used_twice(advocate: User) -> None:
    _enrolled(_password("nurse"))
    code = current_code("nurse")
    first = _password("nurse")
    assert first.post(VERIFY, {"code": code, "next": "/staff/"})["Location"] == "/staff/"
    replay = _password("nurse").post(VERIFY, {"code": code})
    assert replay.status_code == 200
    assert "That code does not match" in replay.content.decode()


def test_the_code_gives_a_new_session_id(advocate: User) -> None:
    _enrolled(_password("nurse"))
    client = _password("nurse")
    before = client.cookies["sessionid"].value
    client.post(VERIFY, {"code": current_code("nurse")})
    assert client.cookies["sessionid"].value != before


def test_an_empty_code_is_refused_naming_the_field(advocate: User) -> None:
    _enrolled(_password("nurse"))
    page = _password("nurse").post(VERIFY, {"code": ""})
    assert 'id="id_code_error"' in page.content.decode()
    assert "Type the code from your authenticator app." in page.content.decode()


def test_staff_cannot_turn_it_off(advocate: User) -> None:
    client = _password("nurse")
    _enrolled(client)
    refused = client.post("/accounts/two-factor/off/", {"code": current_code("nurse")})
    assert refused.status_code == 422
    assert "Staff accounts need a second factor" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=advocate, confirmed=True).exists()


def test_a_patient_signs_in_without_it_and_may_turn_it_on_and_off() -> None:
    p = patient("Pat One", clinic())
    assert p.user is not None
    client = _password(p.user.username)
    assert client.get("/me/").status_code == 200
    assert "Off: you sign in with your password alone." in client.get("/accounts/").content.decode()
    _enrolled(client)
    assert client.get("/me/").status_code == 200  # this session gave the code
    other = _password(p.user.username)
    assert other.get("/me/")["Location"].startswith(VERIFY)  # now needed everywhere
    off = client.post("/accounts/two-factor/off/", {"code": current_code(p.user.username)})
    assert off["Location"] == "/accounts/"
    assert _password(p.user.username).get("/me/").status_code == 200


def test_an_api_token_needs_no_second_factor(advocate: User) -> None:
    _, secret = tokens.issue(advocate, name="integration", scope=Scope.READ)
    answer = Client().get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code == 200


def test_the_demo_staff_have_fixed_secrets_that_sign_in() -> None:
    create_demo(timezone.now())
    for username in DEMO_STAFF:
        secret = demo_totp_secret(username)
        assert secret is not None
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        assert b32decode(secret) == device.bin_key
    assert demo_totp_secret("maria") is None
    client = _password("alex", DEMO_PASSWORD)
    code = _code(demo_totp_secret("alex") or "")
    assert client.post(VERIFY, {"code": code, "next": "/staff/"})["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_an_older_demo_gets_its_secrets_when_served_again() -> None:
    create_demo(timezone.now())
    TOTPDevice.objects.all().delete()
    create_demo(timezone.now())
    assert TOTPDevice.objects.filter(confirmed=True).count() == len(DEMO_STAFF)


def test_the_readme_prints_the_demo_secrets_the_demo_uses() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for username in DEMO_STAFF:
        assert f"| `{username}` |" in readme
        assert f"`{demo_totp_secret(username)}`" in readme


def test_the_code_page_sends_nowhere_off_the_site(advocate: User) -> None:
    _enrolled(_password("nurse"))
    client = _password("nurse")
    answer = client.post(VERIFY, {"code": current_code("nurse"), "next": "https://evil.example/"})
    assert answer["Location"] == "/"


def test_the_admin_shows_no_secret_and_no_recovery_code() -> None:
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client = _password("root")
    codes = _enrolled(client)
    device = TOTPDevice.objects.get(user=root)
    pages = [
        client.get("/admin/otp_totp/totpdevice/"),
        client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/"),
        client.get("/admin/otp_static/staticdevice/"),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert device.key not in html
        assert not any(code in html for code in codes)
    removed = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert removed.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()


def test_wrong_codes_slow_the_next_try_and_say_so(advocate: User) -> None:
    _enrolled(_password("nurse"))
    client = _password("nurse")
    client.post(VERIFY, {"code": "12345x"})
    assert TOTPDevice.objects.get(user=advocate).throttling_failure_count == 1
    # Two more wrong codes, each after its wait, the last one just now: the next waits 4 s.
    TOTPDevice.objects.filter(user=advocate).update(
        throttling_failure_count=3, throttling_failure_timestamp=timezone.now()
    )
    refused = client.post(VERIFY, {"code": current_code("nurse")})  # right, but too soon
    assert "Too many wrong codes" in refused.content.decode()
    assert client.get("/staff/").status_code == 302


def test_new_recovery_codes_replace_the_old_for_a_code_from_the_app(advocate: User) -> None:
    client = _password("nurse")
    old = _enrolled(client)
    refused = client.post("/accounts/two-factor/codes/", {"code": old[0]})
    assert refused.status_code == 422
    assert 'id="codes_code_error"' in refused.content.decode()  # beside its own field
    time.sleep(1.1)  # a wrong code holds the next try for a second
    made = client.post("/accounts/two-factor/codes/", {"code": current_code("nurse")})
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", made.content.decode())
    assert len(new) == 10
    assert (
        "That code does not match"
        in _password("nurse").post(VERIFY, {"code": old[1]}).content.decode()
    )
    time.sleep(1.1)
    assert _password("nurse").post(VERIFY, {"code": new[0]}).status_code == 302
