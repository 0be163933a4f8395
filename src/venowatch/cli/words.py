"""Counts in words for what the commands print: "1 patient", "3 patients", never "0patient"."""

from __future__ import annotations

from datetime import timedelta

from venowatch.protocol import Pgic

_IRREGULAR = {"patient": "patients", "reminder": "reminders", "digest": "digests"}


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """`n` and the noun, singular for one, plural otherwise (English: "0 patients")."""
    if n == 1:
        return f"1 {singular}"
    return f"{n} {plural or _IRREGULAR.get(singular, singular + 's')}"


def duration(span: timedelta) -> str:
    """A protocol's interval as a person says it: "2 days", "36 hours", "90 minutes"."""
    minutes = int(span.total_seconds() // 60)
    if minutes % (24 * 60) == 0 and minutes:
        return counted(minutes // (24 * 60), "day")
    if minutes % 60 == 0 and minutes:
        return counted(minutes // 60, "hour")
    return counted(minutes, "minute")


def value_in_words(value: object) -> str:
    """A protocol parameter's value for the terminal: intervals and answers in words."""
    if isinstance(value, timedelta):
        return duration(value)
    if isinstance(value, Pgic):
        return f"{value.value.replace('_', ' ')} (on the PGIC scale)"
    return str(value)
