"""Rate limits: fixed-window counters kept where every process and every machine sees them,
so that three workers or three machines do not triple a limit.

The store is the database unless VENOWATCH_REDIS_URL is set: one row per bucket and window,
incremented in one statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING, on SQLite and on
PostgreSQL alike), so two servers counting the same bucket at the same instant both see the
other's hit. With Redis, INCR and EXPIRE in one transaction. A limit is "count per seconds";
the settings name them (VENOWATCH_RATE_*), the edge's middleware says who is counted."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Protocol

import jwt
from django.conf import settings
from django.db import connection

from venowatch.security.models import ApiToken


class LimitError(ValueError):
    """A limit's setting is not "count/seconds"."""


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    count: int
    seconds: int

    @classmethod
    def parse(cls, name: str, text: str) -> Limit:
        """`text` as "count/seconds", e.g. "20/300": at most 20 in each 5 minutes."""
        count, _, seconds = text.partition("/")
        try:
            limit = cls(name, int(count), int(seconds))
        except ValueError:
            why = f"{name}: give a limit as count/seconds, e.g. 20/300, not {text!r}"
            raise LimitError(why) from None
        if limit.count < 1 or limit.seconds < 1:
            raise LimitError(f"{name}: the count and the seconds must be 1 or more, not {text!r}")
        return limit


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a request may go on, its count in the window, and when the window ends."""

    allowed: bool
    hits: int
    retry_after: int


class Store(Protocol):
    def hit(self, bucket: str, slot: int, ends: int, now: int) -> int: ...

    def peek(self, bucket: str, slot: int) -> int: ...


class DatabaseStore:
    """Counters in the database: the default, shared by whatever shares the database."""

    _HIT = (
        "INSERT INTO api_ratecounter (bucket, slot, hits, ends) VALUES (%s, %s, 1, %s) "
        "ON CONFLICT (bucket, slot) DO UPDATE SET hits = api_ratecounter.hits + 1 "
        "RETURNING hits"
    )

    def hit(self, bucket: str, slot: int, ends: int, now: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(self._HIT, [bucket, slot, ends])
            hits = int(cursor.fetchone()[0])
            if hits == 1:  # a new window: drop the windows that have ended, of every bucket
                cursor.execute("DELETE FROM api_ratecounter WHERE ends < %s", [now])
        return hits

    def peek(self, bucket: str, slot: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT hits FROM api_ratecounter WHERE bucket = %s AND slot = %s", [bucket, slot]
            )
            row = cursor.fetchone()
        return int(row[0]) if row else 0


class RedisStore:
    """Counters in Redis (VENOWATCH_REDIS_URL), each key expiring with its window."""

    def __init__(self, url: str) -> None:
        import redis  # only when configured: the database is the default store

        self.client: Any = redis.Redis.from_url(url, socket_timeout=2)

    def hit(self, bucket: str, slot: int, ends: int, now: int) -> int:
        key = f"venowatch:rate:{bucket}:{slot}"
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(key)
        # Relative to the window's end as this machine sees it: Redis's clock may differ.
        pipe.expire(key, max(1, ends - now) + 1)
        hits, _ = pipe.execute()
        return int(hits)

    def peek(self, bucket: str, slot: int) -> int:
        value = self.client.get(f"venowatch:rate:{bucket}:{slot}")
        return int(value) if value is not None else 0


@cache
def _redis(url: str) -> RedisStore:
    return RedisStore(url)


def store() -> Store:
    url: str = settings.VENOWATCH_REDIS_URL
    return _redis(url) if url else DatabaseStore()


def _window(limit: Limit, now: datetime) -> tuple[int, int, int]:
    """The window `now` falls in: its number, its end (epoch seconds), seconds left."""
    epoch = now.timestamp()
    slot = int(epoch // limit.seconds)
    ends = (slot + 1) * limit.seconds
    return slot, ends, max(1, math.ceil(ends - epoch))


def _bucket(limit: Limit, who: str) -> str:
    # Who is hashed: an IP, a token digest or an issuer's URL need not sit in the table.
    return f"{limit.name}:{hashlib.sha256(who.encode()).hexdigest()[:32]}"


def hit(limit: Limit, who: str, now: datetime) -> Verdict:
    """Count one request of `who` against `limit`; refused once over the limit."""
    slot, ends, left = _window(limit, now)
    hits = store().hit(_bucket(limit, who), slot, ends, int(now.timestamp()))
    return Verdict(hits <= limit.count, hits, left)


def peek(limit: Limit, who: str, now: datetime) -> Verdict:
    """Whether `who` is already at `limit` in this window, counting nothing."""
    slot, _, left = _window(limit, now)
    hits = store().peek(_bucket(limit, who), slot)
    return Verdict(hits < limit.count, hits, left)


def configured(name: str) -> Limit:
    """The limit of that name from the settings (VENOWATCH_RATE_<NAME>)."""
    text: str = settings.VENOWATCH_RATE_LIMITS[name]
    return Limit.parse(name, text)


def live_token(secret: str) -> str | None:
    """The digest of the live API token with this secret (its bucket), None if there is none:
    a request with a made-up token is counted as unauthenticated, by its address."""
    digest = hashlib.sha256(secret.encode()).hexdigest()
    if ApiToken.objects.filter(digest=digest, revoked_at__isnull=True).exists():
        return digest
    return None


def claimed_issuer(token: str | None) -> str | None:
    """The `iss` a CDS Hooks token claims, unverified (the view verifies it): only to count
    the call against its issuer once the view has accepted the token."""
    if not token:
        return None
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    return issuer if isinstance(issuer, str) and issuer else None
