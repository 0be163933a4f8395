"""Messages about a person's own account, sent through the outbox like every other message
(so a reset email survives a restart and is retried like an alert)."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User as AuthUser
from django.utils.translation import gettext as _

from venowatch.clinic import models
from venowatch.clinic.models import Patient
from venowatch.notify.models import Channel, Kind, Notification
from venowatch.services.care.languages import for_patient, for_staff
from venowatch.services.notification.addresses import Address
from venowatch.services.notification.outbox import queue
from venowatch.services.security.access import member_of


def queue_password_reset(user: AuthUser, path: str, now: datetime) -> Notification | None:
    """Queue the email with the reset link (`path` on the site). Nothing for an account
    without a clinic (an installation operator) or without an email address: such an
    operator resets with `django-admin changepassword`, and the page says the same either way."""
    member = member_of(user)
    if member is None or not user.email:
        return None
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    patient = models.Patient.objects.filter(user=user).select_related("clinic").first()
    with for_staff() if patient is None else for_patient(patient):
        return _queue(user, member.clinic, path, minutes, now)


def _queue(
    user: AuthUser, clinic: models.Clinic, path: str, minutes: int, now: datetime
) -> Notification | None:
    return queue(
        clinic=clinic,
        kind=Kind.PASSWORD_RESET,
        to=Address(Channel.EMAIL, user.email),
        key=f"password-reset:{user.pk}:{secrets.token_hex(8)}",  # every request is its own
        subject=_("Reset your venowatch password"),
        context={"user": user, "link": f"{settings.VENOWATCH_BASE_URL}{path}", "minutes": minutes},
        now=now,
    )


def queue_invitation(
    user: AuthUser, path: str, now: datetime, patient: Patient
) -> Notification | None:
    """Queue the email inviting a newly enrolled patient to choose their password (`path`:
    the link's path on the site; it works once, for VENOWATCH_INVITATION_DAYS days)."""
    member = member_of(user)
    if member is None or not user.email:
        return None
    return queue(
        clinic=member.clinic,
        kind=Kind.INVITATION,
        to=Address(Channel.EMAIL, user.email),
        key=f"invitation:{user.pk}:{secrets.token_hex(8)}",
        subject=_("Your venowatch account at %(clinic)s") % {"clinic": member.clinic.name},
        context={
            "user": user,
            "link": f"{settings.VENOWATCH_BASE_URL}{path}",
            "days": settings.VENOWATCH_INVITATION_DAYS,
        },
        now=now,
        patient=patient,
    )
