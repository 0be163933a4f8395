"""The administrator sets the clinic's protocol file in the Django admin; every patient is
re-assessed under it in the same transaction, and a bad file is refused naming the key."""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.web_fixtures import H, clinic, patient, user
from venowatch.clinic.models import Assessment, Clinic, Patient, Role, Task
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care.records import record_checkin, record_procedure

pytestmark = pytest.mark.django_db
SHIPPED = resources.files("venowatch.protocol").joinpath("default.toml").read_text("utf-8")
WIDER = SHIPPED.replace('version = "1.0.0"', 'version = "1.1.0-wide"').replace(
    'thrombosis_window = "48h"', 'thrombosis_window = "72h"'
)


def _admin() -> Client:
    root = User.objects.create_superuser("root", "root@example.org", "a-long-test-password")
    client = Client()
    client.force_login(root)
    return client


def _declined_at_60_hours(c: Clinic) -> Patient:
    """Symptoms back 60 hours after the procedure: a clot only if the window is over 60 h."""
    p = patient("Maria Keller", c, advocate=user("alex", c, Role.ADVOCATE))
    now = timezone.now()
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now - 61 * H, now=now)
    record_checkin(p, at=now - 1 * H, pgic=Pgic.MUCH_WORSE, symptoms_returned=True, now=now)
    return p


def _form(c: Clinic, text: str) -> dict[str, Any]:
    fields = (
        "name", "ir_name", "ir_phone", "oncall_phone", "oncall_email", "time_zone",
        "escalate_after", "resolve_within", "escalation_emails", "reminder_schedule",
        "digest_hour", "earliest_record_date", "checkin_void_window", "missed_checkin_days",
    )  # fmt: skip
    return {**{f: getattr(c, f) for f in fields}, "protocol_text": text}


def test_a_new_protocol_reassesses_every_patient_at_once() -> None:
    c = clinic()
    p = _declined_at_60_hours(c)
    assert Assessment.objects.get(patient=p).urgency != "emergency"
    client = _admin()
    response = client.post(f"/admin/clinic/clinic/{c.pk}/change/", _form(c, WIDER), follow=True)
    assert "1 patients were re-assessed" in response.content.decode()
    stored = Assessment.objects.get(patient=p)
    assert (stored.pathway, stored.urgency) == ("possible_thrombosis", "emergency")
    assert stored.protocol["version"] == "1.1.0-wide"
    assert stored.protocol["sha256"] == hashlib.sha256(WIDER.encode()).hexdigest()
    assert Task.objects.filter(patient=p, kind="call_patient").exists()
    page = client.get(f"/admin/clinic/clinic/{c.pk}/change/").content.decode()
    assert "ccsvi-restenosis 1.1.0-wide" in page

    crlf = WIDER.replace("\n", "\r\n")  # as a browser sends a text area
    client.post(f"/admin/clinic/clinic/{c.pk}/change/", _form(c, crlf))
    c.refresh_from_db()
    assert c.protocol_text == WIDER

    client.post(f"/admin/clinic/clinic/{c.pk}/change/", _form(c, ""))
    stored = Assessment.objects.get(patient=p)
    assert stored.protocol["version"] == "1.0.0"
    assert stored.urgency != "emergency"
    page = client.get("/admin/clinic/clinic/").content.decode()
    assert "ccsvi-restenosis 1.0.0 (shipped with venowatch)" in page


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (
            WIDER.replace('thrombosis_window = "72h"', 'thrombosis_window = "72"'),
            "thrombosis_window",
        ),
        (WIDER.replace("repeats_before_stent = 3", "repeats_before_stents = 3"), "repeats_before"),
        ("[protocol\n", "TOML"),
    ],
    ids=["no-unit", "unknown-key", "not-toml"],
)
def test_a_bad_protocol_file_is_refused_inline_and_nothing_changes(text: str, named: str) -> None:
    c = clinic()
    p = _declined_at_60_hours(c)
    before = Assessment.objects.get(patient=p)
    response = _admin().post(f"/admin/clinic/clinic/{c.pk}/change/", _form(c, text))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This protocol file is refused" in body
    assert named in body
    c.refresh_from_db()
    assert c.protocol_text == ""
    after = Assessment.objects.get(patient=p)
    assert (after.revision, after.protocol) == (before.revision, before.protocol)


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("reminder_schedule", "6h 2x", "&#x27;2x&#x27; is not a time"),
        ("reminder_schedule", "24h 6h", "each later than the one before"),
        ("escalation_emails", "chief@example.org\nnot-an-address", "not-an-address is not an"),
        ("digest_hour", "24", "from 0 to 23"),
    ],
)
def test_bad_alert_settings_are_refused_inline(field: str, value: str, says: str) -> None:
    c = clinic()
    response = _admin().post(f"/admin/clinic/clinic/{c.pk}/change/", {**_form(c, ""), field: value})
    assert response.status_code == 200
    assert says in response.content.decode()
    c.refresh_from_db()
    assert getattr(c, field) != value
