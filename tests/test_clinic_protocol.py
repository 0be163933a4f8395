"""The administrator sets the clinic's protocol file in the Django admin; every patient is
re-assessed under it in the same transaction, and a bad file is refused naming the key."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.impact_fixtures import WIDER, save_confirmed
from tests.impact_fixtures import declined_at_60_hours as _declined_at_60_hours
from tests.web_fixtures import clinic
from venowatch.clinic.models import Assessment, Clinic, Task

pytestmark = pytest.mark.django_db


def _admin() -> Client:
    root = User.objects.create_superuser("root", "root@example.org", "a-long-test-password")
    client = Client()
    client.force_login(root)
    return client


def _form(c: Clinic, text: str) -> dict[str, Any]:
    fields = (
        "name", "ir_name", "ir_phone", "oncall_phone", "oncall_email", "time_zone",
        "escalate_after", "resolve_within", "escalation_emails", "reminder_schedule",
        "digest_hour", "earliest_record_date", "checkin_void_window", "missed_checkin_days",
        "language",
    )  # fmt: skip
    return {**{f: getattr(c, f) for f in fields}, "protocol_text": text}


def test_a_new_protocol_reassesses_every_patient_at_once() -> None:
    c = clinic()
    p = _declined_at_60_hours(c)
    assert Assessment.objects.get(patient=p).urgency != "emergency"
    client = _admin()
    # Since issue 14 the save needs a confirmation after the preview (tests/test_impact_admin).
    response = save_confirmed(client, c, WIDER)
    assert "1 patients were re-assessed" in response.content.decode()
    stored = Assessment.objects.get(patient=p)
    assert (stored.pathway, stored.urgency) == ("possible_thrombosis", "emergency")
    assert stored.protocol["version"] == "1.1.0-wide"
    assert stored.protocol["sha256"] == hashlib.sha256(WIDER.encode()).hexdigest()
    assert Task.objects.filter(patient=p, kind="call_patient").exists()
    page = client.get(f"/admin/clinic/clinic/{c.pk}/change/").content.decode()
    assert "ccsvi-restenosis 1.1.0-wide" in page

    crlf = WIDER.replace("\n", "\r\n")  # as a browser sends a text area
    save_confirmed(client, c, crlf.replace("1.1.0-wide", "1.1.1-wide"))
    c.refresh_from_db()
    assert c.protocol_text == WIDER.replace("1.1.0-wide", "1.1.1-wide")

    save_confirmed(client, c, "")
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
