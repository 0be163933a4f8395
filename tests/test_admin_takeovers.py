"""Take-overs in the admin: listed and readable, never added, changed or deleted there."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.web_fixtures import clinic, patient, user
from venowatch.clinic.models import Role, Takeover
from venowatch.services.care.takeovers import take_over

pytestmark = pytest.mark.django_db


@pytest.fixture
def taken() -> Takeover:
    c = clinic("Clinic A")
    jordan, alex = user("jordan", c, Role.ADVOCATE), user("alex", c, Role.ADVOCATE)
    p = patient("Maria Keller", c, advocate=jordan)
    return take_over(p, by=alex, reason="Jordan is off sick this week.", now=timezone.now())


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    return client


def test_the_admin_lists_take_overs_and_why(taken: Takeover, admin_client: Client) -> None:
    page = admin_client.get(reverse("admin:clinic_takeover_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Maria Keller" in text
    assert "Jordan is off sick this week." in text
    found = admin_client.get(reverse("admin:clinic_takeover_changelist"), {"q": "sick"})
    assert "Maria Keller" in found.content.decode()


def test_a_take_over_is_read_only_in_the_admin(taken: Takeover, admin_client: Client) -> None:
    change = reverse("admin:clinic_takeover_change", args=[taken.pk])
    page = admin_client.get(change)
    assert page.status_code == 200
    assert 'name="reason"' not in page.content.decode()  # shown, not a field to edit
    assert admin_client.post(change, {"reason": "Changed."}).status_code == 403
    assert admin_client.get(reverse("admin:clinic_takeover_add")).status_code == 403
    delete = reverse("admin:clinic_takeover_delete", args=[taken.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    taken.refresh_from_db()
    assert taken.reason == "Jordan is off sick this week."
