"""Putting notifications in the outbox. Callers are inside the transaction of the event that
causes the notification, so the two commit or vanish together; the delivery worker
(services.delivery) sends them later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from venowatch.clinic import models
from venowatch.notify.models import Kind, Notification

_PRIORITY = {Kind.EMERGENCY: 0, Kind.ESCALATION: 0, Kind.URGENT: 1}


def queue(
    *,
    clinic: models.Clinic,
    kind: Kind,
    to: str,
    key: str,
    subject: str,
    context: dict[str, Any],
    now: datetime,
    patient: models.Patient | None = None,
    task: models.Task | None = None,
    not_before: datetime | None = None,
    step: int = 0,
) -> Notification | None:
    """Queue one email rendered from `venowatch/email/<kind>.txt` and `.html`. An event can
    reach the same code twice (a retried transaction, two sweepers): the key makes it once."""
    if not to:
        return None
    context = {**context, "base_url": settings.VENOWATCH_BASE_URL, "clinic": clinic}
    try:
        with transaction.atomic():  # a savepoint: a duplicate must not abort the caller's work
            return Notification.objects.create(
                clinic=clinic,
                patient=patient,
                task=task,
                kind=kind,
                to=to,
                key=key,
                step=step,
                priority=_PRIORITY.get(kind, 2),
                subject=subject,
                text=render_to_string(f"venowatch/email/{kind.value}.txt", context),
                html=render_to_string(f"venowatch/email/{kind.value}.html", context),
                created_at=now,
                not_before=not_before or now,
            )
    except IntegrityError:
        return None
