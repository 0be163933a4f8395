"""Erasing a patient: their login, membership, records, notifications, identifiers, phones,
notes, tasks and consent go, in one transaction, and nothing else in the database still names
them (tests/test_privacy.py dumps the whole database afterwards and looks).

Rows that are not the patient's own but could carry their name are found and cut too: a
digest to an advocate lists patients by name, the admin's history names the rows it changed,
and a stored idempotent answer may hold the patient's record. What remains is the patient's
integer id, which the audit keeps as a pseudonym (the id is never reused)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q

from venowatch.audit.models import Action
from venowatch.clinic import models
from venowatch.notify.models import Notification
from venowatch.security.models import IdempotentRequest
from venowatch.services.security import audit

PSEUDONYM = "patient #{pk} (erased)"


@dataclass(frozen=True, slots=True)
class Erased:
    """What an erasure removed: the patient's id (their pseudonym from now on) and counts."""

    patient_id: int
    rows: int
    redacted: int

    @property
    def pseudonym(self) -> str:
        return PSEUDONYM.format(pk=self.patient_id)


def _identifying(patient: models.Patient) -> list[str]:
    """The strings that identify the patient, longest first (a name inside an email)."""
    found = {patient.name}
    if patient.user is not None:
        user = patient.user
        found |= {user.username, user.email, user.get_full_name()}
    found |= set(patient.identifiers.values_list("value", flat=True))
    found |= set(patient.phones.values_list("number", flat=True))
    return sorted((s for s in found if len(s.strip()) >= 3), key=len, reverse=True)


def _redact(text: str, names: list[str], pseudonym: str) -> str:
    for name in names:
        text = text.replace(name, pseudonym)
    return text


def _redact_others(patient: models.Patient, names: list[str], pseudonym: str) -> int:
    """Cut the patient's identifiers out of rows that are not theirs; how many were changed."""
    changed = 0
    named = Q()
    for name in names:
        named |= Q(subject__contains=name) | Q(text__contains=name) | Q(html__contains=name)
    for n in Notification.objects.filter(named, clinic_id=patient.clinic_id):
        n.subject = _redact(n.subject, names, pseudonym)[:200]
        n.text = _redact(n.text, names, pseudonym)
        n.html = _redact(n.html, names, pseudonym)
        n.save(update_fields=["subject", "text", "html"])
        changed += 1
    kinds = ContentType.objects.get_for_models(models.Patient, User, models.Member)
    log = LogEntry.objects.filter(
        Q(content_type=kinds[models.Patient], object_id=str(patient.pk))
        | Q(content_type=kinds[User], object_id=str(patient.user_id))
    )
    changed += log.update(object_repr=pseudonym)
    named_log = Q()
    for name in names:
        named_log |= Q(object_repr__contains=name) | Q(change_message__contains=name)
    changed += LogEntry.objects.filter(named_log).update(object_repr=pseudonym, change_message="")
    for answer in IdempotentRequest.objects.filter(user__member__clinic_id=patient.clinic_id):
        text = json.dumps(answer.body)
        if any(name in text for name in names) or f'"patient": {patient.pk}' in text:
            answer.delete()
            changed += 1
    return changed


def _end_sessions(user_id: int) -> int:
    """The patient's sessions (their ids sit inside each session's encoded data)."""
    mine = str(user_id)
    gone = [s.pk for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == mine]
    return Session.objects.filter(pk__in=gone).delete()[0]


def _forget_sign_ins(username: str) -> int:
    """django-axes keeps every sign-in attempt under the username typed (an email address,
    often): the patient's go with them."""
    return sum(
        log.objects.filter(username=username).delete()[0]
        for log in (AccessAttempt, AccessLog, AccessFailureLog)
    )


def erase_patient(patient: models.Patient, by: Any = None) -> Erased:
    """Erase `patient` and their login for good (see the module's docstring); `by` who asked
    (None: the clinic's retention setting, through the sweep)."""
    with transaction.atomic():
        pk = patient.pk
        locked = models.Patient.objects.select_for_update(of=("self",))
        patient = locked.select_related("user").get(pk=pk)
        names = _identifying(patient)
        # The log keeps the patient's number only: the erasure itself is its last row of them.
        audit.wrote(by, Action.ERASURE, patient)
        pseudonym = PSEUDONYM.format(pk=pk)
        # A correction protects the row it replaces; both go, so the links go first.
        for rows in (patient.procedures, patient.checkins, patient.labs):
            rows.exclude(replaces=None).update(replaces=None)
        redacted = _redact_others(patient, names, pseudonym)
        count = Notification.objects.filter(patient=patient).delete()[0]
        count += patient.delete()[0]
        if patient.user is not None:
            count += _end_sessions(patient.user.pk)
            count += _forget_sign_ins(patient.user.username)
            count += patient.user.delete()[0]  # the membership, tokens and answers with it
    return Erased(patient_id=pk, rows=count, redacted=redacted)
