"""Enrolling a patient: their login, their membership of the clinic, the patient record with its
contact details, optionally the first procedure, and the email inviting them to choose a
password, all in one transaction: a refused detail leaves no account behind, and the email
exists only if the patient does.

The login's username is the email address (what the invitation tells the patient to sign in
with). Its password is random and known to nobody until the patient chooses one through the
invitation, so that "Forgot your password?" can send a new link once the invitation expires."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from venowatch.audit.models import Action
from venowatch.clinic import models
from venowatch.clinic.models import Member, Role
from venowatch.protocol import ProcedureKind
from venowatch.services.care.contacts import ContactDetails, save_contacts
from venowatch.services.care.records import record_procedure
from venowatch.services.care.zones import zone_named
from venowatch.services.errors import FieldError
from venowatch.services.limits import check_lengths
from venowatch.services.notification.account import queue_invitation
from venowatch.services.security import audit


@dataclass(frozen=True, slots=True)
class FirstProcedure:
    kind: ProcedureKind
    performed_at: datetime
    veins: Sequence[str] = ()
    performed_by: Any = None


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What staff enter for a new patient."""

    name: str
    email: str
    time_zone: str
    symptoms: Sequence[str]
    advocate: Any
    contacts: ContactDetails
    procedure: FirstProcedure | None = None


def enrol(
    clinic: models.Clinic,
    entry: Enrolment,
    *,
    by: Any,
    now: datetime,
    invitation_path: Callable[[User], str],
) -> models.Patient:
    """Enrol the patient; FieldError naming the field (as the enrolment form names it) if
    anything is refused, and then nothing is stored. `invitation_path` gives the path of the
    link that lets the new login choose a password (the edge owns its URL and token)."""
    name, email = entry.name.strip(), entry.email.strip().lower()
    _check(clinic, entry, name, email)
    with transaction.atomic():
        first, _sep, last = name.partition(" ")
        user = User.objects.create_user(
            email, email=email, password=secrets.token_urlsafe(32), first_name=first[:150],
            last_name=last[:150],
        )  # fmt: skip
        Member.objects.create(user=user, clinic=clinic, role=Role.PATIENT)
        patient = models.Patient.objects.create(
            clinic=clinic,
            user=user,
            name=name,
            time_zone=entry.time_zone,
            advocate=entry.advocate,
            tracked_symptoms=list(entry.symptoms),
        )
        audit.wrote(by, Action.ENROLMENT, patient, patient, now)
        save_contacts(
            patient, entry.contacts, now.astimezone(zone_named(clinic.time_zone)).date(), by
        )
        if entry.procedure is not None:
            p = entry.procedure
            record_procedure(
                patient, kind=p.kind, performed_at=p.performed_at, veins=list(p.veins),
                performed_by=p.performed_by, by=by, now=now,
            )  # fmt: skip
        queue_invitation(user, invitation_path(user), now, patient)
    return patient


def _check(clinic: models.Clinic, entry: Enrolment, name: str, email: str) -> None:
    if not name:
        raise FieldError("name", _("give the patient's name"))
    check_lengths(models.Patient, {"name": name})
    if not email:
        raise FieldError("email", _("give an email address: the invitation is sent there"))
    try:
        validate_email(email)
    except ValidationError:
        raise FieldError("email", _("is not an email address")) from None
    check_lengths(User, {"username": email}, {"username": "email"})  # it is the username
    if (
        User.objects.filter(username__iexact=email).exists()
        or User.objects.filter(email__iexact=email).exists()
    ):
        raise FieldError("email", _("already belongs to an account"))
    if zone_named(entry.time_zone).key != entry.time_zone:
        raise FieldError("time_zone", _("is not a time zone venowatch knows"))
    if not entry.symptoms:
        raise FieldError("symptoms", _("choose at least one symptom to rate at each check-in"))
    if (
        entry.advocate is not None
        and not Member.objects.filter(
            user=entry.advocate, clinic=clinic, role=Role.ADVOCATE
        ).exists()
    ):
        raise FieldError("advocate", _("is not a patient advocate of this clinic"))
