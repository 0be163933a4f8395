"""Counts in words for what the commands print: "1 patient", "3 patients", never "0patient"."""

from __future__ import annotations

_IRREGULAR = {"patient": "patients", "reminder": "reminders", "digest": "digests"}


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """`n` and the noun, singular for one, plural otherwise (English: "0 patients")."""
    if n == 1:
        return f"1 {singular}"
    return f"{n} {plural or _IRREGULAR.get(singular, singular + 's')}"
