"""What the engine says, kept as data: a template and its values, so that an edge can write it
out in the reader's language, and the English the engine writes it in.

Templates are English with %(name)s placeholders. Each is marked where it is written, with
gettext_noop, or ngettext_noop when a count chooses its form: Django's makemessages finds the
first by name, and the project's command (venowatch.web) adds the second, so the engine's
wording reaches the translation catalogs while the engine imports only the standard library.
Values that are words are messages themselves; a plain str is only for what is not translated
(codes shown to staff, text someone typed).

One walk over a message (`render`) serves every language; a `Language` says how templates,
instants and numbers are written. `ENGLISH` holds the engine's own wording for each audience.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Protocol


def gettext_noop(template: str) -> str:
    """Marks a template for the catalogs; it is translated where it is written out."""
    return template


def ngettext_noop(singular: str, plural: str) -> tuple[str, str]:
    """Marks a counted template, chosen by its `count` and the language's plural rules."""
    return singular, plural


class Audience(enum.Enum):
    PATIENT = "patient"
    STAFF = "staff"


class Unit(enum.Enum):
    WEEKS = "weeks"
    DAYS = "days"
    HOURS = "hours"

    # Plain attributes set once below: read for every span written out.
    length: timedelta
    whole: tuple[str, str]
    """A whole amount, in the language's plural forms."""
    fraction: str
    """An amount with a tenth, in one form, as fractions take in most languages ("1.5 days",
    "1,5 Tage", "1,5 дня")."""


Unit.WEEKS.length = timedelta(weeks=1)
Unit.WEEKS.whole = ngettext_noop("%(count)s week", "%(count)s weeks")
Unit.WEEKS.fraction = gettext_noop("%(amount)s weeks")
Unit.DAYS.length = timedelta(days=1)
Unit.DAYS.whole = ngettext_noop("%(count)s day", "%(count)s days")
Unit.DAYS.fraction = gettext_noop("%(amount)s days")
Unit.HOURS.length = timedelta(hours=1)
Unit.HOURS.whole = ngettext_noop("%(count)s hour", "%(count)s hours")
Unit.HOURS.fraction = gettext_noop("%(amount)s hours")


@dataclass(frozen=True, slots=True)
class Span:
    """A length of time as people read it: in days or hours, whole where whole, otherwise
    rounded down to a tenth, so a span shown never looks as if it reached a threshold it has
    not."""

    length: timedelta
    unit: Unit


@dataclass(frozen=True, slots=True)
class Message:
    """A template and its values. With `plural`, the message is counted: its int param `count`
    chooses between `template` (singular) and `plural` as the language's rules say."""

    template: str
    params: tuple[tuple[str, Param], ...] = ()
    plural: str | None = None

    @property
    def count(self) -> int:
        for name, value in self.params:
            if name == "count" and type(value) is int:
                return value
        raise ValueError(f"counted message without an int count: {self.template!r}")


Param = Message | datetime | Span | int | str


def say(template: str, **params: Param) -> Message:
    return Message(template, tuple(params.items()))


def counted(forms: tuple[str, str], count: int, **params: Param) -> Message:
    """A message that depends on a number. Where English says the same for one as for many,
    both forms are the same text: other languages may still need their own."""
    return Message(forms[0], (("count", count), *params.items()), forms[1])


class Language(Protocol):
    """How one language writes templates, instants and numbers for one audience."""

    def text(self, template: str) -> str: ...
    def counted(self, singular: str, plural: str, count: int) -> str: ...
    def instant(self, t: datetime) -> str: ...
    def number(self, value: int) -> str: ...
    def tenths(self, tenths: int) -> str: ...


def render(message: Message, language: Language) -> str:
    """The message in `language`. As with gettext, only a template with params goes through
    %, so a lone % in one without needs no doubling."""
    if message.plural is None:
        template = language.text(message.template)
    else:
        template = language.counted(message.template, message.plural, message.count)
    if not message.params:
        return template
    # Most frequent first: this runs for every reason read in English, including every line
    # of `assess --json`.
    values: dict[str, str] = {}
    for name, value in message.params:
        if isinstance(value, datetime):
            values[name] = language.instant(value)
        elif isinstance(value, Span):
            values[name] = _span(value, language)
        elif isinstance(value, Message):
            values[name] = render(value, language)
        elif isinstance(value, str):
            values[name] = value
        else:
            values[name] = language.number(value)
    return template % values


def _span(span: Span, language: Language) -> str:
    unit = span.unit
    # The epsilon keeps 3 days from reading 2.9 through float error.
    tenths = math.floor(span.length / unit.length * 10 + 1e-9)
    if tenths % 10:
        return language.text(unit.fraction) % {"amount": language.tenths(tenths)}
    n = tenths // 10
    singular, plural = unit.whole
    return language.counted(singular, plural, n) % {"count": language.number(n)}


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip
# Dates are most of the cost of writing a reason out (several per reason, two wordings each,
# for every line of `assess --json`), so the parts are looked up rather than formatted.
_TWO_DIGITS = tuple(f"{n:02d}" for n in range(60))
_OFFSETS: dict[timedelta | None, str] = {}
"""' -05:00' for each UTC offset met so far: a few per registry."""


def when(t: datetime) -> str:
    """A date and time the way a patient reads it: 'Monday 12 January 2026 at 10:00'."""
    weekday, month = _WEEKDAYS[t.weekday()], _MONTHS[t.month - 1]
    return f"{weekday} {t.day} {month} {t.year} at {_TWO_DIGITS[t.hour]}:{_TWO_DIGITS[t.minute]}"


def stamp(t: datetime, tz: tzinfo | None) -> str:
    """A date and time for staff, in any language: '2026-01-12 10:00 -05:00'."""
    return _stamp(t.astimezone(tz))


def _stamp(t: datetime) -> str:
    offset = t.utcoffset()
    text = _OFFSETS.get(offset)
    if text is None:
        text = _OFFSETS[offset] = " " + t.isoformat(" ", "minutes")[16:]
    two = _TWO_DIGITS
    return f"{t.year:04d}-{two[t.month]}-{two[t.day]} {two[t.hour]}:{two[t.minute]}{text}"


class English:
    """The engine's wording for patients: templates as written, instants in the offset they
    carry, written out in full."""

    @staticmethod
    def text(template: str) -> str:
        return template

    @staticmethod
    def counted(singular: str, plural: str, count: int) -> str:
        return singular if count == 1 else plural

    instant = staticmethod(when)

    @staticmethod
    def number(value: int) -> str:
        return str(value)

    @staticmethod
    def tenths(tenths: int) -> str:
        return f"{tenths / 10:.1f}"


class EnglishForStaff(English):
    """Staff read instants as stamps, the same in every language."""

    instant = staticmethod(_stamp)


ENGLISH: dict[Audience, Language] = {
    Audience.PATIENT: English(),
    Audience.STAFF: EnglishForStaff(),
}
