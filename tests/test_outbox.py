"""The outbox keeps every notification until a mail server takes it: the server down and back,
a recipient refused for good, leases, and the order of delivery."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from tests.alert_fixtures import NOW, ONCALL, Staffed, clot
from tests.smtp import Inbox
from venowatch.clinic.models import Patient
from venowatch.notify.models import Attempt, Channel, Kind, Notification, Outcome, State
from venowatch.services.notification.addresses import Address
from venowatch.services.notification.delivery import (
    LEASE,
    MAX_ATTEMPTS,
    _claim,
    deliver_due,
    retry_delay,
)
from venowatch.services.notification.outbox import queue

pytestmark = pytest.mark.django_db
S = timedelta(seconds=1)
BY_EMAIL = Address(Channel.EMAIL, ONCALL)


def test_nothing_is_lost_while_the_mail_server_is_down(smtp: Inbox) -> None:
    p = Staffed().operated()
    clot(p)
    smtp.stop()
    down = deliver_due(NOW)
    assert (down.sent, down.retried) == (0, 4)
    assert Notification.objects.filter(state=State.PENDING, not_before__lte=NOW).count() == 0
    assert (
        Notification.objects.filter(state=State.PENDING).exclude(kind=Kind.ESCALATION).count() == 4
    )
    assert deliver_due(NOW + 10 * S).retried == 0  # backing off, not hammering
    smtp.start()
    back = deliver_due(NOW + retry_delay(1))
    assert back.sent == 4
    assert len(smtp.messages) == 4  # each once
    outcomes = set(Attempt.objects.values_list("notification_id", "outcome"))
    for n in Notification.objects.exclude(kind=Kind.ESCALATION):
        assert {(n.pk, Outcome.RETRY), (n.pk, Outcome.SENT)} <= outcomes
        assert (n.state, n.attempts) == (State.SENT, 2)


def test_retries_back_off_and_end_in_a_failure_admins_see(
    smtp: Inbox, admin_client: Client
) -> None:
    s = Staffed()
    smtp.stop()
    queue(clinic=s.clinic, kind=Kind.URGENT, to=BY_EMAIL, key="k", subject="s",
          context={"patient": s.patient(), "title": "t"}, now=NOW)  # fmt: skip
    at = NOW
    delays = []
    for _ in range(MAX_ATTEMPTS):
        deliver_due(at)
        n = Notification.objects.get()
        delays.append(n.not_before - at)
        at = n.not_before
    assert n.state == State.FAILED
    assert delays[:3] == [30 * S, 60 * S, 120 * S]
    assert max(delays[:-1]) == timedelta(hours=4)
    page = admin_client.get("/admin/notify/notification/?state__exact=failed").content.decode()
    assert ONCALL in page
    staff = Client()
    staff.force_login(s.admin)
    assert "1 email could not be delivered" in staff.get("/staff/").content.decode()
    staff.force_login(s.advocate)
    assert "could not be delivered" not in staff.get("/staff/").content.decode()


def test_a_recipient_refused_for_good_fails_at_once_and_the_rest_go(smtp: Inbox) -> None:
    p = Staffed().operated()
    clot(p)
    smtp.refuse.add(ONCALL)
    done = deliver_due(NOW)
    assert (done.sent, done.failed) == (3, 1)
    failed = Notification.objects.get(state=State.FAILED)
    assert failed.address == ONCALL
    assert "550" in Attempt.objects.get(notification=failed).detail or "refused" in (
        Attempt.objects.get(notification=failed).detail
    )


def test_a_claimed_notification_is_not_claimed_again_until_its_lease_ends() -> None:
    p = Staffed().operated()
    clot(p)
    first = _claim(NOW, batch=10)
    assert len(first) == 4
    assert _claim(NOW + S, batch=10) == []  # another worker gets nothing while the lease holds
    again = _claim(NOW + LEASE + S, batch=10)  # the first worker died: the rows come back
    assert sorted(n.pk for n in again) == sorted(n.pk for n in first)


def test_clot_alerts_go_before_older_routine_mail() -> None:
    s = Staffed()
    for i in range(3):
        to = Address(Channel.EMAIL, f"r{i}@example.org")
        queue(clinic=s.clinic, kind=Kind.REMINDER, to=to, key=f"r{i}", subject="s",
              context={"patient": s.patient(f"P {i}")}, now=NOW - 60 * S)  # fmt: skip
    clot(s.operated())
    kinds = [n.kind for n in _claim(NOW, batch=3)]
    assert kinds == [Kind.EMERGENCY] * 3


def test_the_same_event_is_queued_once() -> None:
    s = Staffed()
    made = [
        queue(clinic=s.clinic, kind=Kind.URGENT, to=BY_EMAIL, key="same", subject="s",
              context={"patient": s.patient(f"P {i}"), "title": "t"}, now=NOW)
        for i in range(2)
    ]  # fmt: skip
    assert made[0] is not None
    assert made[1] is None
    assert Notification.objects.count() == 1
    assert Patient.objects.count() == 2  # the duplicate rolled back only itself
