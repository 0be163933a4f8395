"""Which cohort the outcome figures are of: a clinic (or every one) and a period of
venoplasties, read from the words of a request or a command line. One reading for the API's
query and `venowatch outcomes`' options, so that both take exactly the same values; a value
refused is a FieldError naming the parameter (`clinic`, `from`, `to`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from venowatch.services.errors import FieldError
from venowatch.services.outcomes.facts import clinic_names


@dataclass(frozen=True, slots=True)
class Cohort:
    clinics: list[int] | None  # None: every clinic
    start: date | None
    end: date | None


def day(field: str, text: str | None) -> date | None:
    if text is None or text == "":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FieldError(field, f"{text!r} is not a day like 2026-03-01") from None


def cohort(
    clinic: int | None, start: str | None, end: str | None, allowed: list[int] | None = None
) -> Cohort:
    """The cohort asked for; without a clinic, the `allowed` ones (None: every clinic). A
    caller asking for a clinic outside what they may see is refused before this, by the edge
    (services.security.access.outcome_clinics), as it refuses anything out of reach."""
    first, last = day("from", start), day("to", end)
    if first is not None and last is not None and last < first:
        raise FieldError("to", "the period ends before it starts; no venoplasty would count")
    if clinic is not None and clinic not in clinic_names([clinic]):
        raise FieldError("clinic", f"no clinic has the id {clinic}")
    return Cohort(allowed if clinic is None else [clinic], first, last)
