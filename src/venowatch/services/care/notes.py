"""Staff notes on a patient. A note changes no decision, so it needs no re-assessment; like
every record it is never edited, only added."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from venowatch.audit.models import Action
from venowatch.clinic import models
from venowatch.services.errors import FieldError
from venowatch.services.security import audit

NOTE_MAX = 4000


def add_note(patient: models.Patient, *, text: str, by: Any, now: datetime) -> models.Note:
    text = text.strip()
    if not text:
        raise FieldError("text", "is empty; write the note before saving it")
    if len(text) > NOTE_MAX:
        raise FieldError("text", f"is too long; keep it under {NOTE_MAX} characters")
    with transaction.atomic():
        note = models.Note.objects.create(patient=patient, author=by, text=text, created_at=now)
        audit.wrote(by, Action.NOTE, patient, note, now)
    return note
