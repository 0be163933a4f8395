"""The sweep: what has to happen because time passed, not because someone wrote something.

It re-assesses exactly the patients whose stored assessment has expired (`valid_until <= now`,
an index serves it), queues due reminders and digests, reminds whoever acknowledged an
emergency still unresolved (services.notification.unresolved), and delivers the outbox. Each part
claims its rows with SELECT ... FOR UPDATE SKIP LOCKED, so sweepers on several machines share
the work on PostgreSQL; on SQLite the single writer serialises them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from venowatch.clinic import models
from venowatch.services.care.consent import erase_past_retention
from venowatch.services.care.reassessing import reassess_many
from venowatch.services.notification.delivery import Delivered, deliver_due
from venowatch.services.notification.digests import send_due_digests
from venowatch.services.notification.reminders import send_due_reminders
from venowatch.services.notification.unresolved import remind_unresolved

Progress = Callable[[int], None]


@dataclass
class Swept:
    reassessed: int = 0
    reminders: int = 0
    digests: int = 0
    unresolved: int = 0
    erased: int = 0
    delivered: Delivered = field(default_factory=Delivered)


def expired_count(now: datetime) -> int:
    return models.Assessment.objects.filter(valid_until__lte=now).count()


def sweep(now: datetime, progress: Progress | None = None, batch: int = 200) -> Swept:
    swept = Swept()
    swept.reassessed = reassess_expired(now, batch=batch, progress=progress)
    swept.reminders = send_due_reminders(now, batch=batch)
    swept.digests = send_due_digests(now)
    swept.unresolved = remind_unresolved(now, batch=batch)
    swept.erased = erase_past_retention(now)
    swept.delivered = deliver_due(now, batch=batch)
    return swept


def reassess_expired(now: datetime, batch: int = 200, progress: Progress | None = None) -> int:
    """Re-assess, batch by batch, every patient whose stored assessment expired by `now`."""
    done = 0
    stuck: set[int] = set()  # an answer that expires at once again must not loop forever
    while True:
        with transaction.atomic():
            expired = list(
                models.Assessment.objects.filter(valid_until__lte=now)
                .exclude(pk__in=stuck)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("patient__clinic", "patient__advocate", "patient__user")
                .order_by("valid_until", "pk")[:batch]
            )
            locked = {stored.patient_id: stored for stored in expired}
            for current in reassess_many([stored.patient for stored in expired], now, locked):
                if current.valid_until is not None and current.valid_until <= now:
                    stuck.add(current.pk)
        done += len(expired)
        if progress is not None and expired:
            progress(len(expired))
        if len(expired) < batch:
            return done
