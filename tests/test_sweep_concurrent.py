"""Two sweepers at once on PostgreSQL, sharing the work through SKIP LOCKED: every alert and
reminder goes out exactly once, and every expired patient is re-assessed exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection

from tests.alert_fixtures import NOW, Staffed, clot
from tests.smtp import Inbox
from venowatch.clinic.models import Assessment, AssessmentChange
from venowatch.notify.models import Kind, Notification, Reminder, State
from venowatch.services.sweep import Swept, sweep

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def test_two_sweepers_send_everything_once_and_miss_nothing(smtp: Inbox) -> None:
    s = Staffed()
    for i in range(12):
        clot(s.operated(f"Clot {i:02d}"))
    waiting = [s.operated(f"Quiet {i:02d}", ago=72) for i in range(12)]
    Assessment.objects.update(valid_until=NOW + timedelta(days=1))
    Assessment.objects.filter(patient__in=waiting).update(valid_until=NOW - timedelta(hours=1))
    Reminder.objects.update(due_at=NOW + timedelta(days=1))
    Reminder.objects.filter(patient__in=waiting).update(due_at=NOW - timedelta(minutes=1))
    changes_before = AssessmentChange.objects.count()

    start = threading.Barrier(2)
    results: list[Swept] = []
    failures: list[BaseException] = []

    def sweeper() -> None:
        try:
            start.wait()
            results.append(sweep(NOW, batch=3))
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures

    assert sum(r.reassessed for r in results) == 12
    assert sum(r.reminders for r in results) == 12
    due = Notification.objects.filter(not_before__lte=NOW)
    # Clot alerts (3 staff, 1 patient), reminders, and the advocate's digest of the quiet
    # patients' changes: one, though both sweepers found it due.
    assert due.exclude(kind=Kind.DIGEST).count() == 12 * 4 + 12
    assert due.filter(kind=Kind.DIGEST).count() == 1
    assert set(due.values_list("state", flat=True)) == {State.SENT}
    delivered = Counter(m["X-Venowatch-Notification"] for m in smtp.messages)
    assert set(delivered.values()) == {1}  # none twice
    assert sorted(map(int, delivered)) == sorted(due.values_list("pk", flat=True))  # none missed
    assert sum(r.delivered.sent for r in results) == len(smtp.messages)
    # The quiet patients' re-assessment changed nothing twice: at most one change each.
    added = AssessmentChange.objects.count() - changes_before
    assert added <= 12
