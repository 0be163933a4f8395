"""Helpers for the audit tests: the log's rows as tuples, and tampering with them in SQL."""

from __future__ import annotations

from typing import Any

from django.db import connection

from venowatch.audit.models import AuditEvent

TABLE = AuditEvent._meta.db_table
TRIGGER = "audit_auditevent_append_only"


def rows(**filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(**filters).order_by("seq"))


def raw(sql: str, *params: Any) -> None:
    """Tamper as someone with database access would, round the application. On PostgreSQL the
    trigger refusing UPDATE and DELETE is dropped first (as only the table's owner could)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}")
        cursor.execute(sql, params)
