"""`venowatch replay PATIENT|FILE`: every standing the protocol held over a patient's course,
what changed it, and (for a patient in the database) how it compares with the stored history.
A timeline file works offline, as `venowatch assess` does."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from venowatch.cli.errors import UsageError
from venowatch.cli.help import Parser
from venowatch.cli.inputs import instant_option, protocol_option
from venowatch.protocol import Protocol
from venowatch.services.clock import utc_now

if TYPE_CHECKING:
    from venowatch.services.care.replay_values import PatientReplay


def add_command(commands: argparse._SubParsersAction[Parser]) -> None:
    replay = commands.add_parser(
        "replay", help="every standing a patient's records gave over time",
        description="Replay a patient's course: each pathway and urgency the protocol held, "
        "from when to when, and the record or the passing of time that changed it. For a "
        "patient in the database, under the protocol the clinic had in force at each moment "
        "(or --protocol), compared with the assessment history stored at the time.",
    )  # fmt: skip
    replay.add_argument(
        "target", metavar="PATIENT|FILE",
        help="a patient's venowatch id, or a timeline file (JSON), read offline",
    )  # fmt: skip
    replay.add_argument(
        "--protocol", metavar="FILE",
        help="replay under this protocol file (default: the clinic's of each moment; for a "
        "file, the one shipped)",
    )  # fmt: skip
    replay.add_argument(
        "--until", metavar="INSTANT",
        help="replay up to this RFC 3339 instant (default: a file's as_of, else now)",
    )  # fmt: skip
    replay.add_argument("--json", action="store_true", help="one JSON object, enum values")
    replay.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Without --protocol, the clinic's of each moment (or, for a file, the shipped one).
    protocol = None if args.protocol is None else protocol_option("--protocol", args.protocol)
    until = instant_option("--until", args.until)
    path = Path(args.target)
    if args.target.isdigit() and not path.is_file():
        done, zone = _from_database(int(args.target), until or utc_now(), protocol)
    elif path.is_file():
        done, zone = _from_file(path, until, protocol)
    else:
        raise UsageError(f"{args.target!r} is neither a patient id nor a timeline file")
    _settings_for_words()
    if args.json:
        from venowatch.services.care.replay_values import replay_json

        sys.stdout.write(json.dumps(replay_json(done), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(_readable(done, zone))
    return 0


def _from_database(
    pk: int, until: datetime, protocol: Protocol | None
) -> tuple[PatientReplay, Any]:
    from venowatch.cli.database import open_database

    open_database()
    from venowatch.services.care.reads import replay_by_id

    found = replay_by_id(None, pk, until, protocol=protocol)
    if found is None:
        raise UsageError(f"no patient with id {pk}")
    return found, found.zone


def _from_file(
    path: Path, until: datetime | None, protocol: Protocol | None
) -> tuple[PatientReplay, Any]:
    from venowatch.cli.inputs import load_all
    from venowatch.services.care.protocols import default_protocol
    from venowatch.services.care.replay_values import timeline_replay

    loaded = load_all([str(path)])
    if loaded.errors:
        raise UsageError(str(loaded.errors[0]))
    (timeline,) = loaded.timelines
    end = until or timeline.as_of or utc_now()
    return timeline_replay(timeline, end, protocol or default_protocol()), None


def _settings_for_words() -> None:
    """The words are Django's translations; offline, English without any settings."""
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)


def _readable(done: PatientReplay, zone: Any) -> str:
    from venowatch.services.care.replay_words import difference_words, steps_in_words

    if done.then:
        used = ", then ".join(f"{p.id} {p.version}" for p in done.protocols)
        lines = [f"Under the protocol in force at each moment: {used}."]
    else:
        (p,) = done.protocols
        lines = [f"Under protocol {p.id} {p.version}."]
    if not done.steps:
        lines.append("No records before then: nothing to replay.")
    for step in steps_in_words(done, zone):
        lines.append(f"- {step.title} ({step.urgency_words.lower()}), {step.span}")
        lines.append(f"    because: {step.because}")
    c = done.comparison
    if c.stored or c.differences:
        lines.append(
            f"\nStored history: {_n(c.stored, 'change')}; {len(c.agreements)} agree with the "
            f"replay, {_n(len(c.differences), 'difference')}."
        )
        lines += [f"- {difference_words(d, done, zone)}" for d in c.differences]
    for p in done.unknown:
        lines.append(
            f"\nThe history names protocol {p.id} {p.version}, whose file venowatch does not "
            "hold: that time is replayed under the clinic's protocol."
        )
    return "\n".join(lines) + "\n"


def _n(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
