"""The advocate's daily digest: attention and routine changes among their patients since the
last digest, once a day at the clinic's digest hour. Emergencies and urgent changes are not
waited for here; they went out at once (services.alerts)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from venowatch.clinic import models
from venowatch.notify.models import Digest, Kind
from venowatch.protocol import Urgency
from venowatch.services.care.followed import withdrawn
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.zones import zone_named
from venowatch.services.notification.addresses import addresses_of
from venowatch.services.notification.outbox import queue

_DIGESTED = (Urgency.ATTENTION.value, Urgency.ROUTINE.value)


def send_due_digests(now: datetime) -> int:
    """Queue today's digests for clinics whose digest hour has come; returns how many."""
    sent = 0
    for clinic_id, zone_name, hour, sent_on in models.Clinic.objects.values_list(
        "pk", "time_zone", "digest_hour", "digest_sent_on"
    ):
        today = now.astimezone(zone_named(zone_name))
        if today.hour < hour or sent_on == today.date():
            continue
        with transaction.atomic():
            clinic = (
                models.Clinic.objects.select_for_update(skip_locked=True)
                .filter(pk=clinic_id)
                .first()
            )
            if clinic is None or clinic.digest_sent_on == today.date():
                continue  # another sweeper has it
            sent += _digests_for(clinic, today.date(), now)
            models.Clinic.objects.filter(pk=clinic.pk).update(digest_sent_on=today.date())
    return sent


def _digests_for(clinic: models.Clinic, day: date, now: datetime) -> int:
    titles = clinic_protocol(clinic).pathways
    advocates = User.objects.filter(
        member__clinic=clinic, member__role=models.Role.ADVOCATE, is_active=True
    )
    sent = 0
    for advocate in advocates:
        last = Digest.objects.filter(advocate=advocate).order_by("-until").first()
        since = last.until if last is not None else now - timedelta(days=1)
        changes = (
            models.AssessmentChange.objects.filter(
                patient__advocate=advocate, patient__clinic=clinic, urgency__in=_DIGESTED,
                at__gt=since, at__lte=now,
            )
            .exclude(patient__in=withdrawn())  # their consent is withdrawn: no word of them
            .select_related("patient")
            .order_by("at")
        )  # fmt: skip
        Digest.objects.create(advocate=advocate, day=day, until=now)
        rows = [(c, titles[c.pathway].title.staff) for c in changes]
        if rows and _queue_digest(clinic, advocate, day, rows, now):
            sent += 1
    return sent


def _queue_digest(
    clinic: models.Clinic,
    advocate: User,
    day: date,
    rows: list[tuple[models.AssessmentChange, str]],
    now: datetime,
) -> bool:
    """Queue the digest to each of the advocate's addresses; whether any went in."""
    subject = _("Your daily venowatch digest: %(n)d changes") % {"n": len(rows)}
    context = {"advocate": advocate, "rows": rows, "zone": zone_named(clinic.time_zone)}
    queued = [
        queue(
            clinic=clinic, kind=Kind.DIGEST, to=to, now=now, key=f"digest:{advocate.pk}:{day}",
            subject=subject, context=context,
        )
        for to in addresses_of(advocate)
    ]  # fmt: skip
    return any(queued)
