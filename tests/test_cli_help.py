"""Every command's `--help` says every option's default: a walk of every argparse parser of
`venowatch` (a command added later is walked too)."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest

from venowatch.cli.help import default_of
from venowatch.cli.main import _parser


def _parsers(
    parser: argparse.ArgumentParser, name: str = "venowatch"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, child in action.choices.items():
                yield from _parsers(child, f"{name} {sub}")


PARSERS = list(_parsers(_parser()))
NOT_OPTIONS = (argparse._HelpAction, argparse._VersionAction, argparse._SubParsersAction)


def _options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if a.option_strings and not isinstance(a, NOT_OPTIONS)]


def _required_in_a_group(parser: argparse.ArgumentParser, action: argparse.Action) -> bool:
    return any(action in g._group_actions and g.required for g in parser._mutually_exclusive_groups)


def _help_of(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    """The option's help as `--help` prints it, on one line."""
    text = parser._get_formatter()._expand_help(action)  # what format_help prints
    return " ".join(text.split())


def test_the_walk_reaches_every_command() -> None:
    names = {name for name, _ in PARSERS}
    for command in ("assess", "serve", "sweep", "worker", "token create", "audit export"):
        assert f"venowatch {command}" in names, names


@pytest.mark.parametrize(("name", "parser"), PARSERS, ids=[n for n, _ in PARSERS])
def test_every_option_says_its_default(name: str, parser: argparse.ArgumentParser) -> None:
    for action in _options(parser):
        option = "/".join(action.option_strings)
        assert action.help, f"{name} {option} has no help"
        said = _help_of(parser, action)
        default = default_of(action)
        if default is not None:
            assert re.search(rf"default:? {re.escape(default)}\b", said), f"{name} {option}: {said}"
        elif action.nargs != 0 and not action.required and not _required_in_a_group(parser, action):
            # Left out, the option still means something: the help says what.
            assert "default" in said, f"{name} {option} does not say what happens without it"


@pytest.mark.parametrize(("name", "parser"), PARSERS, ids=[n for n, _ in PARSERS])
def test_no_help_shows_a_python_value(name: str, parser: argparse.ArgumentParser) -> None:
    text = parser.format_help()
    for word in ("None", "False", "True", "60.0", "1.0"):
        assert not re.search(rf"\b{re.escape(word)}\b", text), f"{name}: {word} in {text}"


def test_worker_help_shows_its_defaults() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "venowatch", "worker", "--help"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    flat = " ".join(shown.split())
    assert "how often to deliver the outbox (default: 1)" in flat
    assert "how often to run the whole sweep (default: 60)" in flat
