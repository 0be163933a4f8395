"""Requests that are safe to retry: a client that sends an Idempotency-Key gets, for the same
key and the same request, the answer the first one got, and the work is done once. A network
that drops the answer to a check-in must not make the patient's check-in count twice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from venowatch.security.models import IdempotentRequest


@dataclass(frozen=True, slots=True)
class KeyReusedError(Exception):
    """The key was used before for a different request."""

    key: str


def fingerprint(method: str, path: str, body: Any) -> str:
    """The same request whatever the order of its JSON keys or its whitespace."""
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def once(
    user: Any,
    key: str,
    request_fingerprint: str,
    run: Callable[[], tuple[int, dict[str, Any]]],
    now: datetime,
) -> tuple[int, dict[str, Any]]:
    """`run()`'s status and body, kept under `key`; or, for a key already used by this user for
    this request, the kept answer. Only successful answers are kept: a refused request stored
    nothing, so it may be corrected and sent again under its key."""
    try:
        with transaction.atomic():
            kept = _kept(user, key, request_fingerprint)
            if kept is not None:
                return kept
            status, body = run()
            if 200 <= status < 300:
                IdempotentRequest.objects.create(
                    user=user, key=key, fingerprint=request_fingerprint,
                    status=status, body=body, created_at=now,
                )  # fmt: skip
                return status, body
    except Exception:
        # The same key was being answered concurrently (on this machine or another) and won:
        # our insert of the key failed, or our work was refused as a repeat of the winner's
        # (a check-in a second after the same check-in). Its answer stands; ours was rolled
        # back with the transaction.
        kept = _kept(user, key, request_fingerprint)
        if kept is None:
            raise
        return kept
    # Refused: nothing kept, unless a concurrent request with the key succeeded meanwhile.
    return _kept(user, key, request_fingerprint) or (status, body)


def _kept(user: Any, key: str, request_fingerprint: str) -> tuple[int, dict[str, Any]] | None:
    row = IdempotentRequest.objects.filter(user=user, key=key).first()
    if row is None:
        return None
    if row.fingerprint != request_fingerprint:
        raise KeyReusedError(key)
    return row.status, row.body
