"""Previewing and confirming a clinic's new protocol file in the admin, for the tests."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

from django.test import Client
from django.utils import timezone

from tests.web_fixtures import H, patient, user
from venowatch.clinic.models import Clinic, Patient, Role
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care.records import record_checkin, record_procedure

SHIPPED = resources.files("venowatch.protocol").joinpath("default.toml").read_text("utf-8")
WIDER = SHIPPED.replace('version = "1.0.0"', 'version = "1.1.0-wide"').replace(
    'thrombosis_window = "48h"', 'thrombosis_window = "72h"'
)
"""The clot window widened from 48 to 72 hours: moves exactly the patients whose symptoms came
back between the two."""

_TOKEN = re.compile(r'name="_protocol_confirmed" value="([0-9a-f]+)"')
_FIELDS = (
    "name", "ir_name", "ir_phone", "oncall_phone", "oncall_email", "time_zone",
    "escalate_after", "resolve_within", "escalation_emails", "reminder_schedule",
    "digest_hour", "earliest_record_date", "checkin_void_window", "missed_checkin_days", "language",
)  # fmt: skip


def declined_at_60_hours(c: Clinic) -> Patient:
    """Symptoms back 60 hours after the procedure: a clot only if the window is over 60 h."""
    p = patient("Maria Keller", c, advocate=user("alex", c, Role.ADVOCATE))
    now = timezone.now()
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now - 61 * H, now=now)
    record_checkin(p, at=now - 1 * H, pgic=Pgic.MUCH_WORSE, symptoms_returned=True, now=now)
    return p


def form_of(c: Clinic, text: str) -> dict[str, Any]:
    """The clinic's change form as the admin posts it, with `text` as its protocol file."""
    return {**{f: getattr(c, f) for f in _FIELDS}, "protocol_text": text}


def change_url(c: Clinic) -> str:
    return f"/admin/clinic/clinic/{c.pk}/change/"


def preview(client: Client, c: Clinic, text: str, **more: str) -> str:
    """Post a new file; the answer must be the preview, with nothing saved."""
    response = client.post(change_url(c), {**form_of(c, text), **more})
    assert response.status_code == 200
    body: str = response.content.decode()
    assert "What the new protocol file changes" in body
    return body


def token_of(body: str) -> str:
    found = _TOKEN.search(body)
    assert found is not None, "the preview offers no confirmation"
    return found[1]


def save_confirmed(client: Client, c: Clinic, text: str) -> Any:
    """Preview, then confirm: what an administrator does to change the file."""
    body = preview(client, c, text)
    return client.post(
        change_url(c), {**form_of(c, text), "_protocol_confirmed": token_of(body)}, follow=True
    )
