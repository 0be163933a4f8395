"""`venowatch protocol impact NEW.toml`: what a new protocol file would change, before anyone
saves it, for a clinic in the database (`--clinic`) or, offline, for a directory of timeline
files (`--timelines`, against `--current` or the shipped file). docs/protocol-changes.md."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, tzinfo
from typing import Any

import msgspec

from venowatch.cli.errors import UsageError
from venowatch.cli.inputs import instant_option, protocol_option
from venowatch.protocol import Protocol
from venowatch.protocol.message import stamp
from venowatch.services.care.impact import Case, Impact, compare
from venowatch.services.care.impact_words import (
    distinct,
    impact_json,
    onset_words,
    placing_words,
    shift_row,
    target_words,
)
from venowatch.services.clock import utc_now

LISTED = 50
"""Patients listed by name in the readable report; --json lists every one."""


def add_command(protocol: argparse.ArgumentParser) -> None:
    """`impact` under `venowatch protocol` (which, with no action, checks a file)."""
    actions = protocol.add_subparsers(
        metavar="ACTION", required=False, title="actions",
        description="optional; without one, the command checks the file --protocol names",
    )  # fmt: skip
    impact = actions.add_parser(
        "impact", help="what a new protocol file would change, before it is saved",
        description="For every patient, the pathway and urgency now under the current file and "
        "under NEW, the moves between them (patients who become more urgent first), and their "
        "replayed history under both: which courses would have been flagged earlier or later, "
        "and by how much. Nothing is saved.",
    )  # fmt: skip
    impact.add_argument("new", metavar="NEW.toml", help="the protocol file to try")
    where = impact.add_mutually_exclusive_group(required=True)
    where.add_argument("--clinic", metavar="ID_OR_NAME", help="a clinic in the database")
    where.add_argument(
        "--timelines", metavar="DIR", help="offline: a directory of timeline files (JSON)"
    )
    impact.add_argument(
        "--current", metavar="FILE",
        help="with --timelines: the file in use now (default: the one shipped with venowatch)",
    )  # fmt: skip
    impact.add_argument(
        "--as-of", metavar="INSTANT",
        help="with --timelines: compare as of this RFC 3339 instant (default: each timeline's "
        "as_of, else now); a clinic is compared as of now",
    )  # fmt: skip
    impact.add_argument(
        "--now-only",
        action="store_true",
        help="compare the standings now only, without replaying the history (much faster)",
    )
    impact.add_argument("--json", action="store_true", help="one JSON object, with codes")
    impact.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    new = protocol_option("NEW.toml", args.new)
    as_of: datetime | None
    if args.clinic is not None:
        if args.current is not None or args.as_of is not None:
            raise UsageError("--current and --as-of go with --timelines (a clinic has its file)")
        impact, current, zone, as_of = _clinic(args, new)
    else:
        current = protocol_option("--current", args.current)
        as_of = instant_option("--as-of", args.as_of)
        gc.disable()  # as `assess`: a batch of timelines holds no reference cycles
        cases = list(_offline_cases(args.timelines, as_of))
        impact, zone = compare(cases, current, new, replayed=not args.now_only), None
    out = sys.stdout
    if args.json:
        out.write(msgspec.json.encode(impact_json(impact, as_of=as_of)).decode() + "\n")
    else:
        lines = report(impact, current, new, lambda t: stamp(t, zone or t.tzinfo))
        out.write("\n".join(lines) + "\n")
    out.flush()
    return 0


def _clinic(args: argparse.Namespace, new: Protocol) -> tuple[Impact, Protocol, tzinfo, datetime]:
    from venowatch.cli.database import open_database

    open_database()
    from venowatch.cli.fhir import _clinic as clinic_named
    from venowatch.services.care.protocols import clinic_protocol
    from venowatch.services.care.reads import protocol_impact
    from venowatch.services.care.zones import zone_named

    clinic = clinic_named(args.clinic)
    now = utc_now()
    impact = protocol_impact(None, clinic, new, now, replayed=not args.now_only)
    return impact, clinic_protocol(clinic), zone_named(clinic.time_zone), now


def _offline_cases(directory: str, as_of: datetime | None) -> Iterator[Case]:
    from pathlib import Path

    from venowatch.cli.inputs import expand, load_all

    if not Path(directory).is_dir():
        raise UsageError(f"--timelines: {directory} is not a directory")
    sources = list(expand([directory]))
    if not sources:
        raise UsageError(f"--timelines: no timeline files (*.json) in {directory}")
    loaded = load_all(sources)
    if loaded.errors:
        for error in loaded.errors[:50]:
            print(f"venowatch: {error}", file=sys.stderr)
        raise UsageError(
            f"{len(loaded.errors)} of {len(sources)} timelines are invalid; nothing compared"
        )
    now = utc_now()
    for t in loaded.timelines:
        at = as_of or t.as_of or now
        yield Case(t.patient_id, t.patient_id, t, at)


def report(
    impact: Impact, current: Protocol, new: Protocol, when: Callable[[Any], str]
) -> list[str]:
    """The readable report: the files, the moves now, the risers, the replayed history."""
    lines = [
        f"Current file: {_ref(current)}",
        f"New file:     {_ref(new)}",
        "",
    ]
    if impact.same_decisions:
        lines += [
            "The two files decide alike (the same parameters and urgencies): "
            "nobody moves, now or in the history. Only wording differs.",
            "",
        ]
    rises = len(impact.risers)
    moved = impact.moved
    lines.append(
        f"Now: {moved} of {impact.compared} patients {_s(moved, 'moves', 'move')}; "
        f"{rises} {_s(rises, 'becomes', 'become')} more urgent."
    )
    if impact.moves:
        lines += ["", "Moves now (count, from -> to):"]
        for m in impact.moves:
            mark = "  more urgent" if m.rises else ""
            lines.append(
                f"  {m.count:>6}  {placing_words(m.before, current)} -> "
                f"{placing_words(m.after, new)}{mark}"
            )
    lines += _patients(impact, current, new, when)
    lines += _history(impact, new)
    return lines


def _s(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _ref(p: Protocol) -> str:
    return f"{p.ref.id} {p.ref.version}, sha256 {p.ref.sha256[:12]}"


def _patients(
    impact: Impact, current: Protocol, new: Protocol, when: Callable[[Any], str]
) -> list[str]:
    if not impact.patients:
        return []
    lines = ["", "Patients (more urgent first):"]
    for p in impact.patients[:LISTED]:
        now = (
            f"{placing_words(p.current, current)} -> {placing_words(p.new, new)}"
            if p.moved
            else f"stays {placing_words(p.current, current)}"
        )
        lines.append(f"  {p.label}: {now}")
        lines += [f"      {onset_words(o, new, when)}" for o in distinct(p.differences)]
    more = len(impact.patients) - LISTED
    if more > 0:
        lines.append(f"  and {more} more (--json lists every one)")
    return lines


def _history(impact: Impact, new: Protocol) -> list[str]:
    if impact.history is None:
        return ["", "History not replayed (--now-only)."]
    lines = [
        "",
        f"Replayed history: {impact.courses} courses (each from a procedure to the next one "
        "or to now), first reached under the new file:",
        f"  {'reached':<44}{'same':>6}  {'earlier':<24}{'later':<24}{'only new':>9}"
        f"{'only current':>13}",
    ]
    for s in impact.history:
        row = shift_row(s)
        lines.append(
            f"  {target_words(s.target, new):<44.44}{row['same']:>6}  {row['earlier']:<24}"
            f"{row['later']:<24}{row['newly']:>9}{row['no_longer']:>13}"
        )
    lines.append("  (typically: the median shift; only new, only current: reached under one file)")
    return lines
