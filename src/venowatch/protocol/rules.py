"""The protocol as data: parameters, clause summaries, pathways and action wording.

`parse_protocol` turns the text of a protocol file into a `Protocol` and rejects anything it
does not understand, naming the key, so that a clinic's edited copy never silently changes a
decision.
"""

from __future__ import annotations

import enum
import hashlib
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType
from typing import Any, TypeVar

from venowatch.protocol.model import (
    Action,
    Clause,
    Pathway,
    Pgic,
    PgicClass,
    ProtocolRef,
    Urgency,
)


class ProtocolError(ValueError):
    """A protocol file that cannot be used; `key` is the dotted path of the offending entry."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}" if key else problem)
        self.key = key
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Parameters:
    thrombosis_window: timedelta
    thrombosis_worse_from: Pgic
    thrombosis_alert_for: timedelta
    lab_lookback: timedelta
    adjustment_min_wait: timedelta
    noticeable_min: timedelta
    reverted_min: timedelta
    worsening_min: timedelta
    tune_up_min_wait: timedelta
    repeats_before_stent: int
    checkin_overdue_after: timedelta


@dataclass(frozen=True, slots=True)
class Wording:
    patient: str
    staff: str


@dataclass(frozen=True, slots=True)
class PathwayRule:
    urgency: Urgency
    actions: tuple[Action, ...]
    clauses: tuple[Clause, ...]
    title: Wording


@dataclass(frozen=True, slots=True)
class Protocol:
    ref: ProtocolRef
    title: str
    source: str
    parameters: Parameters
    clauses: Mapping[Clause, str]
    pathways: Mapping[Pathway, PathwayRule]
    actions: Mapping[Action, Wording]


_DURATION = re.compile(r"(-?)(\d+)(m|h|d|w)")
_UNIT = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
_UNIT["w"] = 7 * _UNIT["d"]
_DURATION_PARAMS = tuple(
    name
    for name, kind in Parameters.__annotations__.items()
    if kind == "timedelta"  # annotations are strings under `from __future__ import annotations`
)
_SECTIONS = ("protocol", "parameters", "clauses", "pathways", "actions")

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")


def parse_protocol(text: str) -> Protocol:
    """Parse and validate a protocol file's text; raise ProtocolError naming the bad key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError("", f"not valid TOML: {exc}") from None
    _only_keys(data, "", _SECTIONS, required=_SECTIONS)
    head = _table(data, "protocol")
    _only_keys(head, "protocol", ("id", "version", "title", "source"), required=("id", "version"))
    ref = ProtocolRef(
        id=_text(head, "protocol", "id"),
        version=_text(head, "protocol", "version"),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    return Protocol(
        ref=ref,
        title=_text(head, "protocol", "title", default=ref.id),
        source=_text(head, "protocol", "source", default=ref.id),
        parameters=_parameters(_table(data, "parameters")),
        clauses=_per_member(_table(data, "clauses"), "clauses", Clause, _clause_text),
        pathways=_per_member(_table(data, "pathways"), "pathways", Pathway, _pathway),
        actions=_per_member(_table(data, "actions"), "actions", Action, _wording),
    )


def parse_duration(key: str, value: object) -> timedelta:
    if not isinstance(value, str):
        raise ProtocolError(key, f'must be a duration such as "48h" or "7d", not {value!r}')
    match = _DURATION.fullmatch(value.strip())
    if match is None:
        raise ProtocolError(
            key,
            f"{value!r} is not a duration: write a whole number and one of the units "
            'm (minutes), h (hours), d (days), w (weeks), e.g. "48h"',
        )
    if match[1]:
        raise ProtocolError(key, f"{value!r} is negative; a duration must be 0 or more")
    return int(match[2]) * _UNIT[match[3]]


def _parameters(table: dict[str, Any]) -> Parameters:
    names = tuple(Parameters.__annotations__)
    _only_keys(table, "parameters", names, required=names)
    values: dict[str, Any] = {
        n: parse_duration(f"parameters.{n}", table[n]) for n in _DURATION_PARAMS
    }
    worse = _member(table["thrombosis_worse_from"], "parameters.thrombosis_worse_from", Pgic)
    if worse.klass is not PgicClass.WORSE:
        raise ProtocolError(
            "parameters.thrombosis_worse_from",
            f"{worse.value!r} is not a 'worse' answer; use minimally_worse, much_worse or "
            "very_much_worse",
        )
    values["thrombosis_worse_from"] = worse
    repeats = table["repeats_before_stent"]
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 0:
        raise ProtocolError("parameters.repeats_before_stent", "must be a whole number, 0 or more")
    values["repeats_before_stent"] = repeats
    return Parameters(**values)


def _clause_text(value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProtocolError(key, "must be a non-empty text")
    return value


def _wording(value: object, key: str) -> Wording:
    table = _as_table(value, key)
    _only_keys(table, key, ("patient", "staff"), required=("patient", "staff"))
    return Wording(patient=_text(table, key, "patient"), staff=_text(table, key, "staff"))


def _pathway(value: object, key: str) -> PathwayRule:
    table = _as_table(value, key)
    fields = ("urgency", "actions", "clauses", "patient", "staff")
    _only_keys(table, key, fields, required=fields)
    actions = _list(table, key, "actions", Action)
    if len(set(actions)) != len(actions):
        raise ProtocolError(f"{key}.actions", "lists an action twice")
    return PathwayRule(
        urgency=_member(table["urgency"], f"{key}.urgency", Urgency),
        actions=actions,
        clauses=_list(table, key, "clauses", Clause),
        title=Wording(patient=_text(table, key, "patient"), staff=_text(table, key, "staff")),
    )


def _per_member(
    table: dict[str, Any], key: str, kind: type[E], parse: Callable[[object, str], T]
) -> Mapping[E, T]:
    names = tuple(str(m.value) for m in kind)
    _only_keys(table, key, names, required=names)
    return MappingProxyType({kind(name): parse(table[name], f"{key}.{name}") for name in names})


def _member(value: object, key: str, kind: type[E]) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in kind)
        raise ProtocolError(key, f"{value!r} is not one of: {allowed}") from None


def _list(table: dict[str, Any], key: str, name: str, kind: type[E]) -> tuple[E, ...]:
    value = table[name]
    if not isinstance(value, list):
        raise ProtocolError(f"{key}.{name}", "must be a list")
    return tuple(_member(v, f"{key}.{name}[{i}]", kind) for i, v in enumerate(value))


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    return _as_table(data[name], name)


def _as_table(value: object, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProtocolError(key, "must be a table")
    return value


def _text(table: dict[str, Any], key: str, name: str, default: str | None = None) -> str:
    value = table.get(name, default)
    if not isinstance(value, str) or not value.strip():
        raise ProtocolError(f"{key}.{name}", "must be a non-empty text")
    return value


def _only_keys(
    table: dict[str, Any], key: str, allowed: tuple[str, ...], required: tuple[str, ...]
) -> None:
    prefix = f"{key}." if key else ""
    for name in table:
        if name not in allowed:
            raise ProtocolError(
                f"{prefix}{name}", f"unknown key; expected one of: {', '.join(allowed)}"
            )
    for name in required:
        if name not in table:
            raise ProtocolError(f"{prefix}{name}", "is missing")
