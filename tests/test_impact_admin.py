"""In the admin, a new protocol file is previewed (who moves now, risers first, the replayed
history) and saved only once that preview is confirmed (issue 14)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.impact_fixtures import WIDER, change_url, preview, save_confirmed, token_of
from tests.impact_fixtures import declined_at_60_hours as _declined_at_60_hours
from tests.impact_fixtures import form_of as _form
from tests.web_fixtures import H, clinic, patient
from venowatch.audit.models import Action, AuditEvent
from venowatch.clinic.models import Assessment, Clinic, Patient
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care.records import record_checkin, record_procedure

pytestmark = pytest.mark.django_db


def _admin(name: str = "root") -> Client:
    root = User.objects.create_superuser(name, f"{name}@example.org", "a-long-test-password")
    client = Client()
    client.force_login(root)
    return client


def _fine(c: Clinic, name: str) -> Patient:
    p = patient(name, c)
    now = timezone.now()
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now - 61 * H, now=now)
    record_checkin(p, at=now - 1 * H, pgic=Pgic.MUCH_IMPROVED, now=now)
    return p


def test_the_preview_lists_the_patients_who_move_and_saves_nothing() -> None:
    c = clinic()
    moving = _declined_at_60_hours(c)
    _fine(c, "Ola Fine")
    before = Assessment.objects.get(patient=moving)
    body = preview(_admin(), c, WIDER)
    assert "Now: 1 of 2 patients moves" in body
    assert "1 becomes more urgent" in body
    assert "Maria Keller" in body
    assert "Ola Fine" not in body  # she stays where she is: not listed
    assert "Possible thrombosis (emergency)" in body
    assert "The replayed history under both files" in body
    assert "an emergency (possible blood clot)" in body
    c.refresh_from_db()
    assert c.protocol_text == ""
    after = Assessment.objects.get(patient=moving)
    assert (after.revision, after.urgency) == (before.revision, before.urgency)
    # The read is audited once, for the clinic, not once per patient.
    (row,) = AuditEvent.objects.filter(action=Action.PROTOCOL_IMPACT)
    assert (row.clinic_id, row.patient_id) == (c.pk, None)


def test_confirming_the_preview_saves_and_reassesses() -> None:
    c = clinic()
    moving = _declined_at_60_hours(c)
    response = save_confirmed(_admin(), c, WIDER)
    assert "1 patients were re-assessed" in response.content.decode()
    c.refresh_from_db()
    assert c.protocol_text == WIDER
    assert Assessment.objects.get(patient=moving).urgency == "emergency"


def test_a_file_changed_after_the_preview_is_previewed_again_not_saved() -> None:
    c = clinic()
    _declined_at_60_hours(c)
    client = _admin()
    token = token_of(preview(client, c, WIDER))
    edited = WIDER.replace('thrombosis_window = "72h"', 'thrombosis_window = "96h"')
    body = preview(client, c, edited, _protocol_confirmed=token)
    assert "The file changed since the preview you confirmed" in body
    c.refresh_from_db()
    assert c.protocol_text == ""
    # The new preview's own token saves the edited file.
    client.post(change_url(c), {**_form(c, edited), "_protocol_confirmed": token_of(body)})
    c.refresh_from_db()
    assert c.protocol_text == edited


def test_another_save_between_preview_and_confirmation_is_previewed_again() -> None:
    c = clinic()
    _declined_at_60_hours(c)
    mine, theirs = _admin("root"), _admin("other")
    token = token_of(preview(mine, c, WIDER))
    other = WIDER.replace('version = "1.1.0-wide"', 'version = "1.1.0-theirs"')
    save_confirmed(theirs, c, other)
    body = preview(mine, c, WIDER, _protocol_confirmed=token)
    assert "The file changed since the preview you confirmed" in body
    c.refresh_from_db()
    assert c.protocol_text == other


def test_a_token_is_bound_to_whoever_previewed() -> None:
    c = clinic()
    token = token_of(preview(_admin("root"), c, WIDER))
    preview(_admin("other"), c, WIDER, _protocol_confirmed=token)
    c.refresh_from_db()
    assert c.protocol_text == ""


def test_other_settings_save_at_once_and_the_same_file_needs_no_preview() -> None:
    c = clinic()
    client = _admin()
    response = client.post(change_url(c), {**_form(c, ""), "ir_name": "Dr. New"}, follow=True)
    assert "What the new protocol file changes" not in response.content.decode()
    c.refresh_from_db()
    assert c.ir_name == "Dr. New"
    save_confirmed(client, c, WIDER)
    crlf = WIDER.replace("\n", "\r\n")  # the same file as a browser sends it
    response = client.post(change_url(c), {**_form(c, crlf), "ir_name": "Dr. Newer"}, follow=True)
    assert "What the new protocol file changes" not in response.content.decode()
    c.refresh_from_db()
    assert (c.ir_name, c.protocol_text) == ("Dr. Newer", WIDER)


def test_the_preview_carries_the_other_fields_into_the_save() -> None:
    c = clinic()
    client = _admin()
    body = preview(client, c, WIDER, ir_name="Dr. Carried")
    assert 'name="ir_name" value="Dr. Carried"' in body
    client.post(
        change_url(c),
        {**_form(c, WIDER), "ir_name": "Dr. Carried", "_protocol_confirmed": token_of(body)},
    )
    c.refresh_from_db()
    assert (c.ir_name, c.protocol_text) == ("Dr. Carried", WIDER)


def test_a_bad_file_is_refused_inline_before_any_preview() -> None:
    c = clinic()
    bad = WIDER.replace('thrombosis_window = "72h"', 'thrombosis_window = "72"')
    response = _admin().post(change_url(c), _form(c, bad))
    body = response.content.decode()
    assert "This protocol file is refused" in body
    assert "thrombosis_window" in body
    assert "What the new protocol file changes" not in body
    assert not AuditEvent.objects.filter(action=Action.PROTOCOL_IMPACT).exists()


def test_going_back_to_the_shipped_file_is_previewed_too() -> None:
    c = clinic()
    _declined_at_60_hours(c)
    client = _admin()
    save_confirmed(client, c, WIDER)
    body = preview(client, c, "")
    assert "New file: ccsvi-restenosis 1.0.0" in body
    assert "0 become more urgent" in body
    assert "Maria Keller" in body
    save_confirmed(client, c, "")
    c.refresh_from_db()
    assert c.protocol_text == ""
    assert Assessment.objects.get(patient__clinic=c).protocol["version"] == "1.0.0"


def test_the_preview_is_in_words() -> None:
    c = clinic()
    _declined_at_60_hours(c)
    body = preview(_admin(), c, WIDER)
    text = re.sub(r"<(script|style|textarea)\b.*?</\1>|<[^>]+>", " ", body, flags=re.S)
    words = set(re.findall(r"[A-Za-z_]+", text))
    assert not words & {"None", "emergency_", "possible_thrombosis", "worsening_watch", "urgent_"}


def test_a_large_clinic_is_previewed_now_and_told_where_to_get_the_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from venowatch.clinic import admin_protocol

    monkeypatch.setattr(admin_protocol, "REPLAY_AT_MOST", 0)
    c = clinic()
    _declined_at_60_hours(c)
    body = preview(_admin(), c, WIDER)
    assert "Now: 1 of 1 patients moves" in body
    assert "Left out: this page replays the history of at most 0 patients" in body
    assert f"venowatch protocol impact NEW.toml --clinic {c.pk}" in body
    assert "an emergency (possible blood clot)" not in body
