"""The services' one clock, and reading instants people and systems send. Services take the
instant as an argument; only edges (a request, a command, a worker's loop) read the clock."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_instant(text: str) -> datetime:
    """An RFC 3339 instant with an offset; ValueError says what is wrong."""
    try:
        value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueError(f"{text!r} is not a date-time like 2026-03-01T09:30:00+01:00") from None
    if value.utcoffset() is None:
        raise ValueError(f"{text!r} has no UTC offset; add one, e.g. +01:00 or Z")
    return value
