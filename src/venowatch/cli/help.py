"""`--help` that says every option's default, for every command and subcommand.

argparse's own ArgumentDefaultsHelpFormatter would print "(default: None)" and
"(default: False)"; this one says a default only where there is one worth saying (not for a
flag that is off unless given, nor for an option that is absent unless given, whose help says
what happens then), and not twice where the help already says it. `Parser` carries the
formatter down to every subcommand's parser, so a command added later needs nothing."""

from __future__ import annotations

import argparse
from typing import Any


def default_of(action: argparse.Action) -> str | None:
    """The default as a person types it, or None where there is none worth saying."""
    default = action.default
    if default is None or default is argparse.SUPPRESS or isinstance(default, bool):
        return None
    if not action.option_strings or action.nargs == 0:
        return None
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    if isinstance(default, list | tuple):
        return " ".join(str(d) for d in default) or None
    return str(default)


class DefaultsFormatter(argparse.HelpFormatter):
    def _get_help_string(self, action: argparse.Action) -> str | None:
        help_ = (action.help or "").strip()
        default = default_of(action)
        if default is None or "default" in help_:
            return help_
        said = f"default: {default}".replace("%", "%%")
        return f"{help_} ({said})" if help_ else f"({said})"


class Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", DefaultsFormatter)
        super().__init__(*args, **kwargs)


def seconds(text: str) -> float:
    """An interval of a command's option: a number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value < 86_400:  # NaN too: it compares false
        raise argparse.ArgumentTypeError(f"{text!r}: give seconds above 0 and under a day")
    return value


def port(text: str) -> int:
    """A TCP port to listen on."""
    if not text.isdigit() or not 1 <= int(text) <= 65_535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: give a number from 1 to 65535")
    return int(text)
