"""Where protocol files come from: the one shipped in the package, or a clinic's own copy."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from venowatch.protocol import Protocol, ProtocolError, parse_protocol

if TYPE_CHECKING:  # the CLI loads protocols without Django set up
    from venowatch.clinic import models


@functools.cache
def default_protocol() -> Protocol:
    text = resources.files("venowatch.protocol").joinpath("default.toml").read_text("utf-8")
    return parse_protocol(text)


def load_protocol(path: str | Path | None) -> Protocol:
    """The protocol at `path`, or the default one; errors name the file and the key."""
    if path is None:
        return default_protocol()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProtocolError("", f"{path}: cannot read: {_reason(exc)}") from None
    try:
        return parse_protocol(text)
    except ProtocolError as exc:
        raise ProtocolError(exc.key, f"{exc.problem} (in {path})") from None


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def clinic_protocol(clinic: models.Clinic) -> Protocol:
    """The protocol the clinic's administrator chose (see services.clinics), else the shipped
    one. Parsed once per process for each text."""
    return _parsed(clinic.protocol_text) if clinic.protocol_text else default_protocol()


@functools.lru_cache(maxsize=8)
def _parsed(text: str) -> Protocol:
    return parse_protocol(text)


def parsed_text(text: str) -> Protocol:
    """A stored protocol text, parsed once per process (services.care.protocol_archive)."""
    return _parsed(text)
