"""The audit log's hash chain: appending rows under one lock, and checking the chain.

A row's hash is SHA-256 over a canonical serialisation of its contents, its place (`seq`) and
the previous row's hash. Appends lock the chain head (SELECT ... FOR UPDATE on PostgreSQL; on
SQLite every transaction takes the database's write lock at BEGIN), in the caller's
transaction: a write that rolls back takes its audit rows with it, and two writers cannot both
append after the same row. `verify` walks the rows in order and names the first that was
edited, deleted or inserted out of place."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction

from venowatch.audit.models import (
    GENESIS,
    Action,
    ActorKind,
    AuditEvent,
    ChainHead,
    Channel,
    Outcome,
)

FIELDS = (
    "seq", "at", "actor_kind", "actor_id", "actor_ref", "role", "patient_id", "clinic_id",
    "action", "resource", "resource_id", "channel", "ip", "outcome", "prev_hash",
)  # fmt: skip
"""What the hash covers, in this order; everything but the hash itself."""


@dataclass(frozen=True, slots=True)
class Draft:
    """A row to append: everything but its place and hashes."""

    at: datetime
    actor_kind: ActorKind
    actor_id: int | None
    actor_ref: str
    role: str
    patient_id: int | None
    clinic_id: int | None
    action: Action
    resource: str
    resource_id: int | None
    channel: Channel
    ip: str | None
    outcome: Outcome


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if hasattr(value, "value"):  # an enum member
        return value.value
    return value


def digest(row: dict[str, Any]) -> str:
    """The hash of a row given as a mapping of FIELDS (as stored or as loaded)."""
    return _digest([_plain(row[name]) for name in FIELDS])


_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True).encode


def _digest(plain: list[Any]) -> str:
    """The hash of a row's FIELDS, each already plain (text, numbers, None)."""
    return hashlib.sha256(_ENCODE(plain).encode("ascii")).hexdigest()


def clean_ip(ip: str | None) -> str | None:
    """The address as the database will give it back, so the hash holds after a round trip
    (PostgreSQL's inet compresses IPv6); anything that is not an address is dropped."""
    if not ip:
        return None
    try:
        return ipaddress.ip_address(ip.strip()).compressed
    except ValueError:
        return None


_INSERT = (
    "INSERT INTO audit_auditevent (seq, at, actor_kind, actor_id, actor_ref, role, patient_id, "
    "clinic_id, action, resource, resource_id, channel, ip, outcome, prev_hash, hash) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
"""The columns of FIELDS and the hash. One statement for all the rows: a worklist page logs 50
at once, and Django's bulk_create made a model per row (a third of the audit's cost there)."""


_HEAD = "SELECT last_seq, last_hash FROM audit_chainhead WHERE id = 1"
_HEAD_FOR_UPDATE = _HEAD + " FOR UPDATE"
_MOVE = "UPDATE audit_chainhead SET last_seq = %s, last_hash = %s WHERE id = 1"


def append(drafts: Sequence[Draft]) -> tuple[int, str] | None:
    """Append these rows at the end of the chain, in the current transaction; the last row's
    place and hash (None if there were none).

    Three statements (and BEGIN and COMMIT in a transaction of its own): the head read under
    its lock, one insert for all the rows, the head moved. Plain SQL, not the ORM: the
    ORM's building of the two head queries (and get_or_create's savepoint on the first append)
    was paid on every read."""
    if not drafts:
        return None
    # No savepoint of its own: if the append fails, so does the write it records.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        seq, prev = _lock_head(cursor)
        rows = []
        for draft in drafts:
            seq += 1
            prev, row = _row(seq, prev, draft)
            rows.append(row)
        cursor.executemany(_INSERT, rows)
        cursor.execute(_MOVE, [seq, prev])
    return seq, prev


def _lock_head(cursor: Any) -> tuple[int, str]:
    """The head's place and hash, locked until the transaction ends (FOR UPDATE on
    PostgreSQL; on SQLite the transaction already holds the database's write lock)."""
    head = _HEAD_FOR_UPDATE if connection.features.has_select_for_update else _HEAD
    cursor.execute(head)
    found = cursor.fetchone()
    if found is None:  # the first append ever: the head is made, then locked as above
        ChainHead.objects.get_or_create(pk=1)
        cursor.execute(head)
        found = cursor.fetchone()
    return int(found[0]), str(found[1])


def _row(seq: int, prev: str, draft: Draft) -> tuple[str, tuple[Any, ...]]:
    """The row's hash and the row as inserted (FIELDS' order, then the hash): the hash is over
    exactly what verify reads back."""
    ops = connection.ops
    ip = clean_ip(draft.ip)
    plain = [
        seq, _plain(draft.at), draft.actor_kind.value, draft.actor_id, draft.actor_ref,
        draft.role, draft.patient_id, draft.clinic_id, draft.action.value,
        draft.resource, draft.resource_id, draft.channel.value, ip,
        draft.outcome.value, prev,
    ]  # fmt: skip
    hashed = _digest(plain)
    plain[1] = ops.adapt_datetimefield_value(draft.at)
    plain[12] = ops.adapt_ipaddressfield_value(ip)
    return hashed, (*plain, hashed)


def stored(mark: tuple[int, str]) -> bool:
    """Whether the rows an append ended with (its place and hash) were committed."""
    seq, last_hash = mark
    return AuditEvent.objects.filter(seq=seq, hash=last_hash).exists()


# --- checking -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Broken:
    """The first row at fault, and why, in words."""

    seq: int
    why: str


@dataclass(frozen=True, slots=True)
class Verified:
    rows: int
    broken: Broken | None


def _rows() -> Iterator[dict[str, Any]]:
    names = (*FIELDS, "hash")
    for values in AuditEvent.objects.order_by("seq").values_list(*names).iterator(5000):
        yield dict(zip(names, values, strict=True))


def verify() -> Verified:
    """Walk the chain from its first row; stop at the first row at fault."""
    expected_seq, expected_prev, count = 1, GENESIS, 0
    for row in _rows():
        seq = row["seq"]
        if seq > expected_seq:
            missing = f"row {expected_seq}" if seq == expected_seq + 1 else (
                f"rows {expected_seq} to {seq - 1}"
            )  # fmt: skip
            return Verified(count, Broken(expected_seq, f"deleted: {missing} missing"))
        if seq < expected_seq:
            return Verified(count, Broken(seq, "inserted out of place: before row 1"))
        if digest(row) != row["hash"]:
            why = "edited: its contents no longer match its hash"
            return Verified(count, Broken(seq, why))
        if row["prev_hash"] != expected_prev:
            why = (
                f"inserted out of place: it does not follow row {seq - 1} (its previous hash is "
                f"not that row's hash; or row {seq - 1} was edited and hashed again)"
            )
            return Verified(count, Broken(seq, why))
        expected_seq, expected_prev, count = seq + 1, row["hash"], count + 1
    return Verified(count, _head_fault(expected_seq - 1, expected_prev))


def _head_fault(last_seq: int, last_hash: str) -> Broken | None:
    """Rows cut off the end leave a chain that checks; the head still names the last row."""
    head = ChainHead.objects.filter(pk=1).first()
    if head is None:
        return None if last_seq == 0 else Broken(last_seq, "inserted out of place: no head")
    if head.last_seq > last_seq:
        first = last_seq + 1
        return Broken(first, f"deleted: the chain ends at row {last_seq}, its head at row "
                      f"{head.last_seq}")  # fmt: skip
    if head.last_seq < last_seq:
        return Broken(head.last_seq + 1, "inserted out of place: after the chain's last row")
    if head.last_hash != last_hash:
        return Broken(last_seq, "edited: its hash is not the one the chain's head keeps")
    return None
