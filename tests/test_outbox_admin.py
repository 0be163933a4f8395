"""The admin's outbox in clinic time, and an answered alert's escalation in words (issue 15)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from tests.staff_fixtures import signed_in, text
from tests.web_fixtures import clinic, patient, user
from venowatch.clinic.models import Role, Task, TaskKind, TaskStatus
from venowatch.notify.models import Channel, Kind, Notification, State

pytestmark = pytest.mark.django_db
AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # 07:00 in New York


def _outbox() -> tuple[Client, Notification]:
    c = clinic()
    admin = user("admin", c, Role.ADMIN)
    admin.is_staff = True
    admin.save()
    p = patient("Maria Keller", c)
    task = Task.objects.create(
        patient=p, kind=TaskKind.CALL_PATIENT, reason="call", created_at=AT,
        status=TaskStatus.ACKNOWLEDGED, emergency=True,
    )  # fmt: skip
    n = Notification.objects.create(
        clinic=c, patient=p, task=task, kind=Kind.ESCALATION, channel=Channel.EMAIL,
        address="chief@example.org", subject="s", text="t", html="", key="k",
        created_at=AT, not_before=AT, state=State.PENDING,
    )  # fmt: skip
    return signed_in(Client(), admin), n


def test_the_outbox_list_shows_clinic_time_and_answered_escalations_in_words() -> None:
    client, _n = _outbox()
    page = text(client.get("/admin/notify/notification/"))
    start = page.index('id="result_list"')
    rows = page[start : page.index("</table>", start)]
    assert "1 Dec 2026, 07:00 EST" in rows
    assert "No longer needed: someone answered the alert" in rows
    assert "Waiting to be sent" not in rows  # only in the filter beside it


def test_one_notifications_page_shows_clinic_time() -> None:
    client, n = _outbox()
    page = text(client.get(f"/admin/notify/notification/{n.pk}/change/"))
    assert "7 a.m." in page
    assert "noon" not in page
