"""The demo tells its own story (issue 15): every login `serve --demo` prints signs in with the
demo password (and, for staff, its authenticator), each says its role and what it shows, and
every demo patient is reachable from at least one printed staff login."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from venowatch.clinic.models import Member, Patient, Role
from venowatch.services.demo import DEMO_CLINIC, DEMO_PASSWORD, create_demo, demo_totp_secret

pytestmark = pytest.mark.django_db


def _worklist_names(client: Client) -> set[str]:
    """Every patient name on every page of the worklist."""
    names: set[str] = set()
    url: str | None = reverse("worklist")
    while url:
        page = client.get(url).content.decode()
        names |= set(re.findall(r'class="row-link" href="[^"]+">([^<]+)</a>', page))
        following = re.search(r'rel="next" href="([^"]+)"', page)
        url = reverse("worklist") + following.group(1).replace("&amp;", "&") if following else None
    return names


def test_every_printed_login_signs_in_and_every_patient_is_reachable_from_staff() -> None:
    logins = create_demo(timezone.now())
    printed = [login for login, _ in logins]
    members = Member.objects.filter(clinic__name=DEMO_CLINIC).select_related("user")
    assert sorted(printed) == sorted(m.user.username for m in members)  # nobody left out
    reached: set[str] = set()
    for login, words in logins:
        member = members.get(user__username=login)
        assert words.lower().startswith(str(Role(member.role).label).lower()), (login, words)
        assert "None" not in words
        client = Client()
        # The test client's sign-in, as the fixtures give it the second factor a person
        # types (tests/signin_fixtures.py); the password is the one printed.
        assert client.login(username=login, password=DEMO_PASSWORD), login
        home = client.get("/", follow=True)
        assert home.status_code == 200, login
        if member.role == Role.PATIENT:
            assert demo_totp_secret(login) is None
            assert home.redirect_chain[-1][0] == reverse("patient-status")
            continue
        assert demo_totp_secret(login) is not None  # printed beside it
        reached |= _worklist_names(client)
    everyone = set(Patient.objects.filter(clinic__name=DEMO_CLINIC).values_list("name", flat=True))
    assert reached == everyone
    # ...and not only through the administrator: each patient has a printed advocate.
    advocates = {m.user_id for m in members if m.role == Role.ADVOCATE}
    assert all(p.advocate_id in advocates for p in Patient.objects.filter(clinic__name=DEMO_CLINIC))


def test_the_readme_lists_every_printed_login() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for login, words in create_demo(timezone.now()):
        assert f"| `{login}` | {words} |" in readme, login
