"""Taking back messages that are no longer needed, when what they were about ends: an
escalation of a clot alert once someone acknowledged or resolved its task. Delivery would drop
it when it fell due anyway (services.notification.delivery); cancelling it at once means the
outbox says so at once, instead of "Waiting to be sent" for an alert already answered."""

from __future__ import annotations

from datetime import datetime

from venowatch.clinic.models import Task
from venowatch.notify.models import Attempt, Kind, Notification, Outcome, State


def cancel_escalations(task: Task, why: str, now: datetime) -> int:
    """Cancel the task's pending escalations, each with an Attempt row saying why; how many.
    Call it in the transaction that moved the task."""
    pending = list(
        Notification.objects.select_for_update().filter(
            task=task, kind=Kind.ESCALATION, state=State.PENDING
        )
    )
    for n in pending:
        Notification.objects.filter(pk=n.pk).update(state=State.CANCELLED, claimed_until=None)
        Attempt.objects.create(
            notification=n, at=now, outcome=Outcome.CANCELLED, detail=why, worker="tasks"
        )
    return len(pending)
