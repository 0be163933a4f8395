"""Putting notifications in the outbox. Callers are inside the transaction of the event that
causes the notification, so the two commit or vanish together; the delivery worker
(services.notification.delivery) sends them later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from venowatch.clinic import models
from venowatch.notify.models import Kind, Notification
from venowatch.services.care.followed import TO_THE_PATIENT, is_withdrawn
from venowatch.services.notification.addresses import Address
from venowatch.services.notification.transports import TRANSPORTS

_PRIORITY = {Kind.EMERGENCY: 0, Kind.ESCALATION: 0, Kind.UNRESOLVED: 0, Kind.URGENT: 1}


def queue(
    *,
    clinic: models.Clinic,
    kind: Kind,
    to: Address,
    key: str,
    subject: str,
    context: dict[str, Any],
    now: datetime,
    patient: models.Patient | None = None,
    task: models.Task | None = None,
    not_before: datetime | None = None,
    step: int = 0,
) -> Notification | None:
    """Queue one notification to `to`, rendered from `venowatch/<channel>/<kind>.txt` and, on
    a channel that carries HTML, `.html`. An event can reach the same code twice (a retried
    transaction, two sweepers): the key, per channel, makes it once. A message to a patient
    who withdrew their consent is not queued (services.care.followed)."""
    if patient is not None and kind in TO_THE_PATIENT and is_withdrawn(patient):
        return None
    context = {**context, "base_url": settings.VENOWATCH_BASE_URL, "clinic": clinic}
    templates = f"venowatch/{to.channel.value}/{kind.value}"
    text = render_to_string(f"{templates}.txt", context)
    html = render_to_string(f"{templates}.html", context) if TRANSPORTS[to.channel].html else ""
    try:
        with transaction.atomic():  # a savepoint: a duplicate must not abort the caller's work
            return Notification.objects.create(
                clinic=clinic,
                patient=patient,
                task=task,
                kind=kind,
                channel=to.channel,
                address=to.value,
                key=key,
                step=step,
                priority=_PRIORITY.get(kind, 2),
                subject=subject,
                text=text,
                html=html,
                created_at=now,
                not_before=not_before or now,
            )
    except IntegrityError:
        return None
