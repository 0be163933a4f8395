"""FHIR R4 search parameters, parsed: which each resource type takes, and what a query string
says, as typed values the search service runs. Pure: no Django, no clock, no database.

What venowatch searches by is one table (`PARAMETERS`): the CapabilityStatement is written
from it, so what the server says it serves and what it parses cannot drift apart."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from urllib.parse import urlencode


class Kind(enum.Enum):
    """FHIR search parameter types, by their names in the specification."""

    TOKEN = "token"
    STRING = "string"
    DATE = "date"
    REFERENCE = "reference"
    URI = "uri"


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    kind: Kind
    documentation: str


def _p(name: str, kind: Kind, documentation: str) -> Parameter:
    return Parameter(name, kind, documentation)


_PATIENT = _p("patient", Kind.REFERENCE, "The patient: Patient/<id> or <id>")
PARAMETERS: dict[str, tuple[Parameter, ...]] = {
    "Patient": (
        _p("identifier", Kind.TOKEN, "An identifier, as system|value (or a value alone)"),
        _p(
            "name",
            Kind.STRING,
            "The start of the name or of any word of it, case and accents ignored",
        ),
        _p("birthdate", Kind.DATE, "The date of birth"),
    ),
    "Procedure": (_PATIENT, _p("date", Kind.DATE, "When it was performed")),
    "Observation": (
        _PATIENT,
        _p("category", Kind.TOKEN, "survey (check-ins) or laboratory (labs)"),
        _p("code", Kind.TOKEN, "The Observation's code, as system|code or code"),
        _p("date", Kind.DATE, "When it was made (effectiveDateTime)"),
    ),
    "QuestionnaireResponse": (
        _PATIENT,
        _p("authored", Kind.DATE, "When the check-in was answered"),
        _p("questionnaire", Kind.REFERENCE, "The Questionnaire's canonical URL"),
    ),
    "RiskAssessment": (_PATIENT,),
    "Questionnaire": (_p("url", Kind.URI, "The Questionnaire's canonical URL"),),
}
"""Every search venowatch serves, by resource type."""

RESULT = frozenset({"_count", "_offset"})
"""Result parameters venowatch honours; `_format` is the edge's (JSON only)."""
DEFAULT_COUNT = 50
MAX_COUNT = 500
PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")
SERVED_PREFIXES = frozenset({"eq", "gt", "lt", "ge", "le"})


class QueryError(ValueError):
    """A search parameter the server cannot answer: `parameter` is its name as sent."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True, slots=True)
class Token:
    system: str | None  # None: any system; "": no system
    code: str | None  # None: any code of the system


@dataclass(frozen=True, slots=True)
class Span:
    """A date parameter as an interval of instants: a record matches when its instant lies in
    [start, end); either end may be open."""

    start: datetime | None
    end: datetime | None


@dataclass(frozen=True, slots=True)
class Criterion:
    """One parameter as sent: every criterion of a query must hold (AND); the values of one
    criterion are alternatives (a comma-separated OR)."""

    name: str
    values: tuple[Token | Span | str, ...]
    raw: str


@dataclass(frozen=True, slots=True)
class Query:
    resource_type: str
    criteria: tuple[Criterion, ...]
    count: int
    offset: int
    ignored: tuple[str, ...]
    """Parameters left out, unknown to this server: not in the `self` link."""

    def values(self, name: str) -> list[tuple[Token | Span | str, ...]]:
        return [c.values for c in self.criteria if c.name == name]

    def pairs(self) -> list[tuple[str, str]]:
        """The query string a link repeats: what was used, without the paging."""
        return [(c.name, c.raw) for c in self.criteria]


def parse(
    resource_type: str, raw: Iterable[tuple[str, str]], zone: tzinfo, *, strict: bool = False
) -> Query:
    """The query `raw` (name, value pairs as sent) asks of `resource_type`; dates without an
    offset are read in `zone`. Unknown parameters are left out, or refused when `strict`
    (`Prefer: handling=strict`)."""
    known = {p.name: p for p in PARAMETERS.get(resource_type, ())}
    criteria: list[Criterion] = []
    ignored: list[str] = []
    count, offset = DEFAULT_COUNT, 0
    for name, value in raw:
        base, _, modifier = name.partition(":")
        if name == "_count":
            count = _number(name, value, MAX_COUNT)
        elif name == "_offset":
            offset = _number(name, value, None)
        elif base in known:
            if modifier:
                raise QueryError(name, f"the modifier :{modifier} is not supported here")
            criteria.append(Criterion(base, _values(known[base], value, zone), value))
        elif strict:
            raise QueryError(name, f"{resource_type} is not searched by {name!r} here")
        else:
            ignored.append(name)
    return Query(resource_type, tuple(criteria), count, offset, tuple(ignored))


def _number(name: str, value: str, most: int | None) -> int:
    if not value.isdigit():
        raise QueryError(name, f"expected a whole number, got {value!r}")
    n = int(value)
    if most is not None and n > most:
        raise QueryError(name, f"at most {most} entries are served per page")
    return n


def _values(p: Parameter, raw: str, zone: tzinfo) -> tuple[Token | Span | str, ...]:
    if raw == "":
        raise QueryError(p.name, "the parameter has no value")
    if "\x00" in raw:  # no stored text holds one, and PostgreSQL refuses to compare with it
        raise QueryError(p.name, "the value holds a NUL character")
    if p.kind is Kind.DATE:
        return (date_span(p.name, raw, zone),)  # a comma in a date is not an OR
    parts = [part.replace("\\,", ",") for part in re.split(r"(?<!\\),", raw)]
    if p.kind is Kind.TOKEN:
        return tuple(_token(p.name, part) for part in parts)
    if p.kind is Kind.REFERENCE and p.name == "patient":
        return tuple(_patient(part) for part in parts)
    return tuple(parts)


def _token(name: str, raw: str) -> Token:
    if "|" not in raw:
        return Token(None, raw)
    system, _, code = raw.partition("|")
    if not system and not code:
        raise QueryError(name, "a token is system|code, not a lone '|'")
    return Token(system, code or None)


def _patient(raw: str) -> str:
    """The patient's id in `Patient/<id>`, a full URL ending so, or `<id>`."""
    return raw.rstrip("/").rsplit("/", 1)[-1] if "Patient/" in raw else raw


_DATE = re.compile(
    r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?"
)


def date_span(name: str, raw: str, zone: tzinfo) -> Span:
    """A date parameter (`ge2024-03-01`, `2024-03`, `lt2024-03-01T10:00:00+01:00`) as an
    interval: the value stands for its whole precision (a day, a month), and the prefix takes
    the side of it the spec says."""
    prefix = raw[:2] if raw[:2].isalpha() else "eq"
    if prefix not in PREFIXES:
        raise QueryError(name, f"{raw!r} is not a FHIR date (expected e.g. ge2024-03-01)")
    if prefix not in SERVED_PREFIXES:
        raise QueryError(name, f"the prefix {prefix} is not supported (use eq, gt, lt, ge, le)")
    value = raw[2:] if raw[:2].isalpha() else raw
    start, end = _interval(name, value, zone)
    return {
        "eq": Span(start, end),
        "ge": Span(start, None),
        "gt": Span(end, None),
        "le": Span(None, end),
        "lt": Span(None, start),
    }[prefix]


def _interval(name: str, value: str, zone: tzinfo) -> tuple[datetime, datetime]:
    found = _DATE.fullmatch(value)
    if found is None:
        raise QueryError(name, f"{value!r} is not a FHIR date (expected e.g. 2024-03-01)")
    y, m, d = int(found["y"]), int(found["m"] or 1), int(found["d"] or 1)
    try:
        day = date(y, m, d)
        if found["time"] is not None:
            offset = (found["tz"] or "").replace("Z", "+00:00")
            at = datetime.fromisoformat(f"{value[:10]}T{found['time']}{offset}")
            at = at if at.tzinfo is not None else at.replace(tzinfo=zone)
            seconds = found["time"].count(":") == 2
            return at, at + (timedelta(seconds=1) if seconds else timedelta(minutes=1))
    except ValueError:
        raise QueryError(name, f"{value!r} is not a date on the calendar") from None
    start = datetime.combine(day, time(), zone)
    if found["d"] is not None:
        return start, start + timedelta(days=1)
    if found["m"] is not None:
        following = date(y + m // 12, m % 12 + 1, 1)
        return start, datetime.combine(following, time(), zone)
    return start, datetime.combine(date(y + 1, 1, 1), time(), zone)


def page_links(
    base: str, query: Query, total: int, extra: Sequence[tuple[str, str]] = ()
) -> list[dict[str, str]]:
    """The Bundle's `self`, `next` and `previous` links: the query as used (unknown
    parameters left out, so a client sees what was ignored), with `_count` and `_offset`."""
    used = query.pairs() + list(extra)

    def url(offset: int) -> str:
        pairs = [*used, ("_count", str(query.count)), ("_offset", str(offset))]
        return f"{base}/{query.resource_type}?{urlencode(pairs)}"

    links = [{"relation": "self", "url": url(query.offset)}]
    if query.count and query.offset + query.count < total:
        links.append({"relation": "next", "url": url(query.offset + query.count)})
    if query.offset > 0:
        links.append({"relation": "previous", "url": url(max(0, query.offset - query.count))})
    return links
