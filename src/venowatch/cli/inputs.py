"""Reading what the command line names: the timelines (all of them before any is assessed), a
protocol file option and an instant option, each refused with a message naming the option
(exit 2, cli/errors.UsageError)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from venowatch.cli.errors import UsageError
from venowatch.cli.progress import progress
from venowatch.protocol import Protocol, ProtocolError
from venowatch.protocol.model import TimelineRecord
from venowatch.services.care.protocols import load_protocol
from venowatch.services.clock import parse_instant
from venowatch.services.timeline_files import (
    MAX_TIMELINE_BYTES,
    InputError,
    decode_timeline,
    too_large,
)

STDIN = "-"


@dataclass(frozen=True, slots=True)
class Loaded:
    timelines: list[TimelineRecord]
    errors: list[InputError]


def protocol_option(option: str, path: str | None) -> Protocol:
    """The protocol file an option names (None: the one shipped with venowatch)."""
    try:
        return load_protocol(path)
    except ProtocolError as exc:
        raise UsageError(f"{option}: {exc}") from None


def instant_option(option: str, text: str | None) -> datetime | None:
    """The RFC 3339 instant an option gives, or None when it is not given."""
    if text is None:
        return None
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def expand(args: list[str]) -> Iterator[str]:
    """Each argument as given, but a directory becomes the *.json files in it, sorted, so a
    clinic can hand over a whole registry without hitting the shell's argument limit."""
    for arg in args:
        path = Path(arg)
        if arg != STDIN and path.is_dir():
            yield from sorted(str(p) for p in path.glob("*.json") if p.is_file())
        else:
            yield arg


def load_all(sources: list[str]) -> Loaded:
    timelines: list[TimelineRecord] = []
    errors: list[InputError] = []
    stdin_used = False
    for source in progress(sources, "checking"):
        try:
            if source == STDIN:
                if stdin_used:
                    raise InputError("-", "", "standard input can be named only once")
                stdin_used = True
                raw = _read_stream(sys.stdin.buffer)
                name = "<stdin>"
            else:
                raw = _read_file(source)
                name = source
            timelines.append(decode_timeline(raw, name))
        except InputError as exc:
            errors.append(exc)
    return Loaded(timelines, errors)


def _read_file(source: str) -> bytes:
    try:
        with open(source, "rb") as f:
            # Refuse a huge file by its size, without reading it.
            if os.fstat(f.fileno()).st_size > MAX_TIMELINE_BYTES:
                raise too_large(source)
            return f.read()
    except OSError as exc:
        raise InputError(source, "", f"cannot read: {exc.strerror or exc}") from None


def _read_stream(stream: BinaryIO) -> bytes:
    # One byte past the limit tells "too big" to decode_timeline without reading a huge file.
    return stream.read(MAX_TIMELINE_BYTES + 1)
