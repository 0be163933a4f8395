"""Timeline files (shared/spec/timeline.schema.json): decoding, checking, and the domain form.

msgspec checks the schema while it decodes, in one pass and faster than `json.loads` alone;
its errors carry the JSON path, which is rewritten here into words a clinic's staff can act on.
The decoded records are frozen and use the domain's enums, so they go to the engine as they
are (it reads them through `TimelineRecord`): a registry of thousands is not copied twice.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import msgspec

from venowatch.protocol import LabKind, LabResult, Pgic, ProcedureKind
from venowatch.protocol.model import TimelineRecord

MAX_TIMELINE_BYTES = 8 * 1024 * 1024
"""A timeline of ten years of daily check-ins is about 1 MiB; anything far larger is a
mistake (a wrong file, a dump) and would only slow a whole batch down."""

Instant = Annotated[datetime, msgspec.Meta(tz=True)]
Text = Annotated[str, msgspec.Meta(max_length=4000)]
Rating = Annotated[int, msgspec.Meta(ge=0, le=10)]


# gc=False: these hold no reference cycles, and a batch keeps thousands of them alive at once;
# tracking them only makes the collector walk them again and again.
class ProcedureIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, gc=False):
    kind: ProcedureKind
    performed_at: Instant
    veins: tuple[str, ...] = ()
    note: Text = ""


class CheckInIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, gc=False):
    at: Instant
    pgic: Pgic
    symptoms_returned: bool = False
    symptoms: dict[str, Rating] = {}
    note: Text = ""


class LabIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, gc=False):
    at: Instant
    kind: LabKind
    result: LabResult
    finding: Text = ""


class TimelineIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, gc=False):
    patient_id: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    procedures: tuple[ProcedureIn, ...]
    checkins: tuple[CheckInIn, ...]
    labs: tuple[LabIn, ...] = ()
    as_of: Instant | None = None


_DECODER = msgspec.json.Decoder(TimelineIn)


@dataclass(frozen=True, slots=True)
class InputError(Exception):
    """A timeline that cannot be read: where it came from, the JSON path, and what is wrong."""

    source: str
    path: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.source}: {self.path}" if self.path else self.source
        return f"{where}: {self.problem}"


def too_large(source: str) -> InputError:
    most = f"{MAX_TIMELINE_BYTES:,}"
    return InputError(source, "", f"is larger than {most} bytes, the most a timeline may be")


def decode_timeline(raw: bytes, source: str) -> TimelineRecord:
    """Decode and check one timeline file's bytes, or raise InputError."""
    if len(raw) > MAX_TIMELINE_BYTES:
        raise too_large(source)
    if not raw.strip():
        raise InputError(source, "", "is empty; expected a JSON timeline object")
    try:
        timeline: TimelineIn = _DECODER.decode(raw)
    except msgspec.ValidationError as exc:
        path, problem = _explain_validation(str(exc))
        raise InputError(source, path, problem) from None
    except msgspec.DecodeError as exc:
        raise InputError(source, "", _explain_decode(str(exc), raw)) from None
    return timeline


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
    kind: type[enum.Enum]
    if name == "pgic":
        kind = Pgic
    elif name == "result":
        kind = LabResult
    elif path.startswith("$.labs"):
        kind = LabKind
    else:
        kind = ProcedureKind
    return ", ".join(str(member.value) for member in kind)


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
