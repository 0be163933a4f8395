"""The feedback endpoint of CDS Hooks 2.0: the EHR reports what a clinician did with a card
(accepted it, with which suggestions, or overrode it, and why). Stored as sent, for the
clinic's administrators to read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from venowatch.integration.models import MAX_CARD_ID, Feedback, FeedbackOutcome, TrustedIssuer
from venowatch.services.clock import parse_instant
from venowatch.services.integration.cds.patient_view import BadRequestError
from venowatch.services.limits import check_lengths
from venowatch.services.wire import read_json

MAX_ENTRIES = 100
"""Feedback entries in one request: an EHR reports a chart's few cards at a time."""

_Short = Field(min_length=1, max_length=500)


class _Open(BaseModel):
    # The spec lets every object carry extensions; they are not read.
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class _Suggestion(_Open):
    id: str = _Short


class _Coding(_Open):
    code: str = _Short
    system: str | None = Field(None, max_length=500)
    display: str | None = Field(None, max_length=500)


class _OverrideReason(_Open):
    reason: _Coding | None = None
    user_comment: str | None = Field(None, alias="userComment", max_length=4000)


class _Entry(_Open):
    card: str = Field(min_length=1, max_length=MAX_CARD_ID)
    outcome: FeedbackOutcome
    accepted_suggestions: list[_Suggestion] = Field(
        default_factory=list, alias="acceptedSuggestions", max_length=MAX_ENTRIES
    )
    override_reason: _OverrideReason | None = Field(None, alias="overrideReason")
    outcome_timestamp: datetime = Field(alias="outcomeTimestamp")

    @field_validator("outcome_timestamp", mode="before")
    @classmethod
    def _instant(cls, value: Any) -> datetime:
        if not isinstance(value, str):
            raise ValueError("give an instant like 2026-03-01T09:30:00Z")
        return parse_instant(value)


class _Request(_Open):
    feedback: list[_Entry] = Field(min_length=1, max_length=MAX_ENTRIES)


def record_feedback(issuer: TrustedIssuer, service: str, body: bytes, now: datetime) -> int:
    """Store each feedback entry of `body` from `issuer` about `service`'s cards; how many.
    Raises wire.BodyError or BadRequestError; nothing is stored unless every entry is good."""
    data = read_json(body)
    if not isinstance(data, Mapping):
        raise BadRequestError("the request body must be a JSON object with a feedback list")
    try:
        request = _Request.model_validate(data)
    except ValidationError as exc:
        raise BadRequestError("; ".join(_problem(e) for e in exc.errors())) from None
    rows = [_row(issuer, service, entry, now) for entry in request.feedback]
    for n, row in enumerate(rows):
        fields = {"card": row.card, "user_comment": row.user_comment, "service": row.service}
        check_lengths(Feedback, fields, prefix=f"feedback.{n}.")
    with transaction.atomic():
        Feedback.objects.bulk_create(rows)
    return len(rows)


def _row(issuer: TrustedIssuer, service: str, entry: _Entry, now: datetime) -> Feedback:
    reason = entry.override_reason
    coding = reason.reason if reason is not None else None
    return Feedback(
        issuer=issuer,
        service=service,
        card=entry.card,
        outcome=entry.outcome,
        accepted_suggestions=[s.id for s in entry.accepted_suggestions],
        override_reason=coding.model_dump(exclude_none=True) if coding is not None else None,
        user_comment=(reason.user_comment or "") if reason is not None else "",
        outcome_at=entry.outcome_timestamp,
        received_at=now,
    )


def _problem(error: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "body"
    return f"{where}: {error['msg']}"
