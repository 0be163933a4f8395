"""Timeline files (shared/spec/timeline.schema.json): decoding, checking, and the domain form.

msgspec checks the schema while it decodes, in one pass and faster than `json.loads` alone;
its errors carry the JSON path, which is rewritten here into words a clinic's staff can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from venowatch.protocol import (
    CheckIn,
    Lab,
    LabKind,
    LabResult,
    Pgic,
    Procedure,
    ProcedureKind,
    Timeline,
)

MAX_TIMELINE_BYTES = 8 * 1024 * 1024
"""A timeline of ten years of daily check-ins is about 1 MiB; anything far larger is a
mistake (a wrong file, a dump) and would only slow a whole batch down."""

Instant = Annotated[datetime, msgspec.Meta(tz=True)]
Text = Annotated[str, msgspec.Meta(max_length=4000)]
Rating = Annotated[int, msgspec.Meta(ge=0, le=10)]
PgicValue = Literal[
    "very_much_improved",
    "much_improved",
    "minimally_improved",
    "no_change",
    "minimally_worse",
    "much_worse",
    "very_much_worse",
]


class _ProcedureIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    kind: Literal["venoplasty", "stent"]
    performed_at: Instant
    veins: tuple[str, ...] = ()
    note: Text = ""


class _CheckInIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    at: Instant
    pgic: PgicValue
    symptoms_returned: bool = False
    symptoms: dict[str, Rating] = {}
    note: Text = ""


class _LabIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    at: Instant
    kind: Literal["blood", "urine"]
    result: Literal["normal", "abnormal"]
    finding: Text = ""


class _TimelineIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    patient_id: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    procedures: tuple[_ProcedureIn, ...]
    checkins: tuple[_CheckInIn, ...]
    labs: tuple[_LabIn, ...] = ()
    as_of: Instant | None = None


_DECODER = msgspec.json.Decoder(_TimelineIn)
_PGIC = {p.value: p for p in Pgic}
_PROCEDURE = {k.value: k for k in ProcedureKind}
_LAB_KIND = {k.value: k for k in LabKind}
_LAB_RESULT = {r.value: r for r in LabResult}


@dataclass(frozen=True, slots=True)
class InputError(Exception):
    """A timeline that cannot be read: where it came from, the JSON path, and what is wrong."""

    source: str
    path: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.source}: {self.path}" if self.path else self.source
        return f"{where}: {self.problem}"


def decode_timeline(raw: bytes, source: str, limit: int = MAX_TIMELINE_BYTES) -> Timeline:
    """Decode one timeline file's bytes into the domain form, or raise InputError."""
    if len(raw) > limit:
        raise InputError(source, "", f"is larger than {limit:,} bytes, the most a timeline may be")
    if not raw.strip():
        raise InputError(source, "", "is empty; expected a JSON timeline object")
    try:
        wire = _DECODER.decode(raw)
    except msgspec.ValidationError as exc:
        path, problem = _explain_validation(str(exc))
        raise InputError(source, path, problem) from None
    except msgspec.DecodeError as exc:
        raise InputError(source, "", _explain_decode(str(exc), raw)) from None
    return _domain(wire)


def _domain(t: _TimelineIn) -> Timeline:
    return Timeline(
        patient_id=t.patient_id,
        as_of=t.as_of,
        procedures=tuple(
            Procedure(_PROCEDURE[p.kind], p.performed_at, p.veins, p.note) for p in t.procedures
        ),
        checkins=tuple(
            CheckIn(c.at, _PGIC[c.pgic], c.symptoms_returned, tuple(c.symptoms.items()), c.note)
            for c in t.checkins
        ),
        labs=tuple(
            Lab(lab.at, _LAB_KIND[lab.kind], _LAB_RESULT[lab.result], lab.finding) for lab in t.labs
        ),
    )


_AT = re.compile(r"^(?P<msg>.*) - at `(?P<path>[^`]*)`$", re.DOTALL)
_FIELD = re.compile(r"^Object (?P<what>contains unknown|missing required) field `(?P<name>[^`]*)`$")
_EXAMPLE = "2026-03-01T09:30:00+01:00"


def _explain_validation(message: str) -> tuple[str, str]:
    match = _AT.match(message)
    msg, path = (match["msg"], match["path"]) if match else (message, "$")
    field = _FIELD.match(msg)
    if field:
        path = f"{path}.{field['name']}"
        if field["what"] == "contains unknown":
            return path, "unknown field (not in the timeline schema)"
        return path, "required field is missing"
    if msg.startswith("Invalid enum value"):
        return path, f"{msg.removeprefix('Invalid enum value ')} is not one of: {_allowed(path)}"
    if "with a timezone component" in msg:
        return path, f"the instant has no UTC offset; write it like {_EXAMPLE} (or end with Z)"
    if "RFC3339" in msg:
        return path, f"not an RFC 3339 date-time; write it like {_EXAMPLE}"
    return path, msg[0].lower() + msg[1:]


def _allowed(path: str) -> str:
    name = path.rsplit(".", 1)[-1]
    if name == "pgic":
        values: list[str] = list(_PGIC)
    elif name == "result":
        values = list(_LAB_RESULT)
    elif path.startswith("$.labs"):
        values = list(_LAB_KIND)
    else:
        values = list(_PROCEDURE)
    return ", ".join(values)


_BYTE = re.compile(r"\(byte (\d+)\)")


def _explain_decode(message: str, raw: bytes) -> str:
    """msgspec says where JSON broke as a byte offset; people look for a line and a column."""
    found = _BYTE.search(message)
    text = message.removeprefix("JSON is malformed: ")
    if found is None:
        return f"not valid JSON: {text}"
    offset = int(found[1])
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    text = _BYTE.sub("", text).strip()
    return f"not valid JSON: {text} at line {line}, column {column}"
