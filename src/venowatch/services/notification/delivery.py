"""The delivery worker: sends what the outbox holds, at least once and, while workers keep
their leases, never twice.

A worker claims a batch in a short transaction (SELECT ... FOR UPDATE SKIP LOCKED on
PostgreSQL, so concurrent workers take different rows; SQLite's single writer serialises the
claim), marks it leased, and sends outside any transaction, each notification through the
transport of its channel. Each attempt is an append-only Attempt row. A failure the transport
calls permanent (for email a 5xx or a refused recipient), or too many attempts, ends in FAILED,
which administrators see; a transient one is retried with growing delays.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from venowatch.clinic.models import TaskStatus
from venowatch.notify.models import Attempt, Channel, Kind, Notification, Outcome, State
from venowatch.services.notification.alerts import schedule_escalation
from venowatch.services.notification.transports import TRANSPORTS
from venowatch.services.notification.transports.base import (
    Message,
    PermanentError,
    Transport,
    TransportError,
)

LEASE = timedelta(minutes=5)
"""Longer than any send takes; a worker that died mid-batch releases its rows after this."""
MAX_ATTEMPTS = 12
"""With the delays below, about a day and a half of retrying before giving up."""


def retry_delay(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), timedelta(hours=4))


@dataclass
class Delivered:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def deliver_due(now: datetime, batch: int = 50) -> Delivered:
    """Send everything due at `now`, batch by batch, until nothing due is left unclaimed."""
    done = Delivered()
    worker = worker_name()
    while claimed := _claim(now, batch):
        transports: dict[Channel, Transport] = {}  # opened on first use, one per channel
        try:
            for notification in claimed:
                _deliver(notification, transports, now, worker, done)
        finally:
            for transport in transports.values():
                transport.close()
        if len(claimed) < batch:
            break
    return done


def _claim(now: datetime, batch: int) -> list[Notification]:
    with transaction.atomic():
        free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        ids = list(
            Notification.objects.filter(free, state=State.PENDING, not_before__lte=now)
            .select_for_update(skip_locked=True)
            .order_by("priority", "not_before", "pk")
            .values_list("pk", flat=True)[:batch]
        )
        Notification.objects.filter(pk__in=ids).update(claimed_until=now + LEASE)
    rows = Notification.objects.filter(pk__in=ids).select_related("task__patient__clinic")
    return list(rows.order_by("priority", "not_before", "pk"))


def _deliver(
    n: Notification,
    transports: dict[Channel, Transport],
    now: datetime,
    worker: str,
    done: Delivered,
) -> None:
    if n.kind == Kind.ESCALATION and n.task is not None:
        if n.task.status != TaskStatus.OPEN:
            _record(
                n, Outcome.CANCELLED, f"task {n.task.status} before the escalation", now, worker
            )
            done.cancelled += 1
            return
        # Queued before sending: the chain goes on whatever happens to this message.
        schedule_escalation(n.task, step=n.step + 1, now=now)
    resolved = n.task is not None and n.task.status == TaskStatus.RESOLVED
    if n.kind == Kind.UNRESOLVED and resolved:
        _record(n, Outcome.CANCELLED, "task resolved before the reminder", now, worker)
        done.cancelled += 1
        return
    channel = Channel(n.channel)
    if channel not in transports:
        transports[channel] = TRANSPORTS[channel]()
    try:
        transports[channel].send(_message(n))
    except TransportError as exc:
        _failed(n, str(exc), now, worker, done, permanent=isinstance(exc, PermanentError))
    else:
        _record(n, Outcome.SENT, "", now, worker)
        done.sent += 1


def _message(n: Notification) -> Message:
    urgent = n.kind in (Kind.EMERGENCY, Kind.ESCALATION, Kind.UNRESOLVED)
    return Message(n.pk, n.address, n.subject, n.text, n.html, urgent=urgent)


def _failed(
    n: Notification, why: str, now: datetime, worker: str, done: Delivered, permanent: bool
) -> None:
    done.errors.append(f"{n.address}: {why}")
    if permanent or n.attempts + 1 >= MAX_ATTEMPTS:
        _record(n, Outcome.FAILED, why, now, worker)
        done.failed += 1
    else:
        _record(n, Outcome.RETRY, why, now, worker)
        done.retried += 1


_STATE = {
    Outcome.SENT: State.SENT,
    Outcome.RETRY: State.PENDING,
    Outcome.FAILED: State.FAILED,
    Outcome.CANCELLED: State.CANCELLED,
}


def _record(n: Notification, outcome: Outcome, detail: str, now: datetime, worker: str) -> None:
    attempts = n.attempts + (0 if outcome is Outcome.CANCELLED else 1)
    fields: dict[str, object] = {"state": _STATE[outcome], "attempts": attempts}
    fields["claimed_until"] = None  # released: a retry is for whichever worker comes next
    if outcome is Outcome.SENT:
        fields["sent_at"] = now
    if outcome is Outcome.RETRY:
        fields["not_before"] = now + retry_delay(attempts)
    with transaction.atomic():
        Attempt.objects.create(
            notification=n, at=now, outcome=outcome, detail=detail, worker=worker
        )
        Notification.objects.filter(pk=n.pk).update(**fields)


def undelivered(clinic_id: int) -> int:
    """Notifications of the clinic that failed for good."""
    return Notification.objects.filter(clinic_id=clinic_id, state=State.FAILED).count()
