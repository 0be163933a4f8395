"""The audit log as rows to export (CSV or JSON), oldest first, with words beside the codes,
for `venowatch audit export` and the admin's export action."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

from django.db.models import QuerySet

from venowatch.audit.models import (
    ACTION_LABELS,
    ACTOR_LABELS,
    CHANNEL_LABELS,
    OUTCOME_LABELS,
    AuditEvent,
)
from venowatch.services.security.audit_chain import FIELDS

COLUMNS = (*FIELDS, "hash", "actor_words", "action_words", "channel_words", "outcome_words")


def selected(
    patient_id: int | None = None, start: datetime | None = None, end: datetime | None = None
) -> QuerySet[AuditEvent]:
    """The rows of one patient (or all), at or after `start` and before `end`, oldest first."""
    rows = AuditEvent.objects.order_by("seq")
    if patient_id is not None:
        rows = rows.filter(patient_id=patient_id)
    if start is not None:
        rows = rows.filter(at__gte=start)
    if end is not None:
        rows = rows.filter(at__lt=end)
    return rows


def as_dicts(rows: Iterable[AuditEvent]) -> Iterator[dict[str, Any]]:
    for row in rows:
        out: dict[str, Any] = {}
        for name in (*FIELDS, "hash"):
            value = getattr(row, name)
            if isinstance(value, datetime):
                value = value.astimezone(UTC).isoformat()
            out[name] = getattr(value, "value", value)
        out["actor_words"] = str(ACTOR_LABELS[row.actor_kind])
        out["action_words"] = str(ACTION_LABELS[row.action])
        out["channel_words"] = str(CHANNEL_LABELS[row.channel])
        out["outcome_words"] = str(OUTCOME_LABELS[row.outcome])
        yield out


def write_csv(rows: Iterable[AuditEvent], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    count = 0
    for row in as_dicts(rows):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
        count += 1
    return count


def write_json(rows: Iterable[AuditEvent], out: IO[str]) -> int:
    """One JSON array, written a row at a time (the log can be long)."""
    count = 0
    out.write("[")
    for row in as_dicts(rows):
        out.write(("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count
