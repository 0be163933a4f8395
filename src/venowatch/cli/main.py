"""`venowatch` entry point. Bad input ends with a message and exit status 2, never a traceback."""

from __future__ import annotations

import argparse
import contextvars
import gc
import sys
from collections.abc import Sequence
from typing import NoReturn

import msgspec

from venowatch import __version__
from venowatch.cli import audit, impact, outcomes, replay
from venowatch.cli.errors import USAGE_ERROR, UsageError
from venowatch.cli.help import Parser, port, seconds
from venowatch.cli.inputs import expand, instant_option, load_all, protocol_option
from venowatch.cli.progress import progress
from venowatch.cli.render import render_batch
from venowatch.cli.words import value_in_words
from venowatch.env import EnvError
from venowatch.protocol.message import Audience
from venowatch.services.care.assessing import assess_timeline, assessment_json

MAX_ERRORS_SHOWN = 50


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        # In a context of its own: the audit origin a command sets ends with it (main() is
        # also called in-process, by tests).
        result: int = contextvars.copy_context().run(args.run, args)
    except (UsageError, EnvError) as exc:
        # EnvError: a setting the operator gave is wrong; settings.py's message names it.
        _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (`| head`) went away: not an error of ours, and nothing left to tell.
        sys.stderr.close()
        return 0
    return result


def _fail(message: str) -> NoReturn:
    print(f"venowatch: {message}", file=sys.stderr)
    sys.exit(USAGE_ERROR)


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="venowatch",
        description="Follow-up after venoplasty: what the clinic's restenosis guidance says to "
        "do now. Decision support only; in an emergency call your IR or the emergency room.",
    )
    parser.add_argument("--version", action="version", version=f"venowatch {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    assess = commands.add_parser(
        "assess",
        help="assess patient timelines (JSON files)",
        description="Assess each timeline and print what to do now and why. Every file is "
        "checked before any result is printed.",
    )
    assess.add_argument(
        "paths", nargs="+", metavar="PATH", help="timeline file, directory of them, or - for stdin"
    )
    assess.add_argument(
        "--as-of",
        metavar="INSTANT",
        help="assess as of this RFC 3339 instant (default: each timeline's as_of, else now)",
    )
    assess.add_argument("--json", action="store_true", help="one JSON line per timeline")
    assess.add_argument(
        "--protocol", metavar="FILE",
        help="a clinic's own protocol file (default: the one shipped with venowatch)",
    )  # fmt: skip
    assess.add_argument(
        "--for", dest="audience", choices=[a.value for a in Audience], default="staff",
        help="whose wording to use in readable output (default: staff)",
    )  # fmt: skip
    assess.set_defaults(run=_assess)

    protocol = commands.add_parser(
        "protocol", help="check a protocol file and show its parameters",
        description="Check a protocol file (default: the one shipped) and print what it sets.",
    )  # fmt: skip
    protocol.add_argument(
        "--protocol", metavar="FILE",
        help="the file to check (default: the one shipped with venowatch)",
    )  # fmt: skip
    protocol.set_defaults(run=_protocol)
    impact.add_command(protocol)

    serve = commands.add_parser(
        "serve", help="run the web application",
        description="Apply migrations and serve the web application with gunicorn. Data lives in "
        "VENOWATCH_DATA_DIR (default ./var) unless DATABASE_URL says otherwise.",
    )  # fmt: skip
    serve.add_argument("--demo", action="store_true", help="create a demo clinic with patients")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=port, default=8000,
        help="port (default 8000); links in emails and SMS, and FHIR's URLs, use it unless "
        "VENOWATCH_BASE_URL is set",
    )  # fmt: skip
    serve.set_defaults(run=_serve)

    sweep = commands.add_parser(
        "sweep", help="one pass of the scheduled work (serve runs it every minute)",
        description="Re-assess the patients whose assessment has expired, queue due check-in "
        "reminders and digests, and deliver the outbox. Safe to run from several machines at "
        "once on PostgreSQL.",
    )  # fmt: skip
    sweep.add_argument("--verbose", action="store_true", help="progress bar and a summary")
    sweep.set_defaults(run=_sweep)

    worker = commands.add_parser(
        "worker", help="run the sweep in a loop (serve starts one)",
        description="Deliver the outbox every few seconds and sweep every minute, until stopped.",
    )  # fmt: skip
    worker.add_argument(
        "--deliver-every", type=seconds, default=1.0, metavar="SECONDS",
        help="how often to deliver the outbox",
    )  # fmt: skip
    worker.add_argument(
        "--sweep-every", type=seconds, default=60.0, metavar="SECONDS",
        help="how often to run the whole sweep",
    )  # fmt: skip
    worker.set_defaults(run=_worker)

    export = commands.add_parser(
        "export", help="write a patient's record as a FHIR R4 Bundle",
        description="Write everything venowatch holds on one patient (and their current "
        "assessment, as a RiskAssessment) as a FHIR R4 searchset Bundle, as "
        "GET /fhir/r4/Patient/{id}/$everything does.",
    )  # fmt: skip
    export.add_argument("patient", metavar="PATIENT", help="the patient's venowatch id")
    export.add_argument("--out", metavar="FILE", help="write here (default: standard output)")
    export.set_defaults(run=_export)

    import_ = commands.add_parser(
        "import", help="import a FHIR R4 Bundle into a clinic",
        description="Import the patients, venoplasties and stents, check-ins and blood and urine "
        "tests of a FHIR R4 Bundle, and report what was skipped and why. All or nothing: any "
        "error stores nothing. Records already stored are not stored twice.",
    )  # fmt: skip
    import_.add_argument("file", metavar="FILE", help="the Bundle (JSON)")
    import_.add_argument(
        "--clinic", required=True, metavar="ID_OR_NAME", help="the clinic to import into"
    )
    import_.add_argument(
        "--as", dest="as_user", metavar="USERNAME",
        help="the staff member recorded as having imported (default: nobody in particular)",
    )  # fmt: skip
    import_.set_defaults(run=_import)

    token = commands.add_parser(
        "token", help="API tokens for integrations",
        description="Make, list or revoke API tokens. A token acts as its user, within their role "
        "and clinic, until it expires (VENOWATCH_TOKEN_DAYS, default 90) or is revoked.",
    )  # fmt: skip
    token_commands = token.add_subparsers(required=True, metavar="ACTION")
    create = token_commands.add_parser("create", help="make a token and print its secret once")
    create.add_argument("user", help="the username the token acts as")
    create.add_argument("--name", required=True, help="what uses it, e.g. 'EHR bridge'")
    create.add_argument(
        "--scope", choices=("read", "write"), default="read", help="what the token may do"
    )
    create.set_defaults(run=_token_create)
    listing = token_commands.add_parser("list", help="every token, whose it is, and its state")
    listing.set_defaults(run=_token_list)
    revoke = token_commands.add_parser("revoke", help="stop a token working, at once")
    revoke.add_argument("token", metavar="ID_OR_PREFIX", help="the token's id or prefix")
    revoke.set_defaults(run=_token_revoke)
    _add_backup(commands)
    audit.add_commands(commands)
    replay.add_command(commands)
    outcomes.add_command(commands)
    return parser


def _add_backup(commands: argparse._SubParsersAction[Parser]) -> None:
    backup = commands.add_parser(
        "backup", help="copy the SQLite database while the site runs",
        description="Write a consistent copy of the SQLite database to PATH with SQLite's online "
        "backup, while check-ins go on. For PostgreSQL use pg_dump (docs/security.md).",
    )  # fmt: skip
    backup.add_argument("path", metavar="PATH", help="the file to write (must not exist)")
    backup.set_defaults(run=_backup)
    restore = commands.add_parser(
        "restore", help="bring a backup back (stop the site first)",
        description="Replace the SQLite database with the backup at PATH. Refuses a database "
        "that holds data unless --force.",
    )  # fmt: skip
    restore.add_argument("path", metavar="PATH", help="a file `venowatch backup` wrote")
    restore.add_argument("--force", action="store_true", help="overwrite a database with data")
    restore.set_defaults(run=_restore)


def _export(args: argparse.Namespace) -> int:
    from venowatch.cli.fhir import export

    return export(args)


def _import(args: argparse.Namespace) -> int:
    from venowatch.cli.fhir import import_

    return import_(args)


def _sweep(args: argparse.Namespace) -> int:
    from venowatch.cli.sweep import sweep_once

    return sweep_once(args)


def _worker(args: argparse.Namespace) -> int:
    from venowatch.cli.sweep import work

    return work(args)


def _token_create(args: argparse.Namespace) -> int:
    from venowatch.cli.tokens import create

    return create(args)


def _token_list(args: argparse.Namespace) -> int:
    from venowatch.cli.tokens import list_

    return list_(args)


def _token_revoke(args: argparse.Namespace) -> int:
    from venowatch.cli.tokens import revoke

    return revoke(args)


def _backup(args: argparse.Namespace) -> int:
    from venowatch.cli.backup import backup

    return backup(args)


def _restore(args: argparse.Namespace) -> int:
    from venowatch.cli.backup import restore

    return restore(args)


def _serve(args: argparse.Namespace) -> int:
    from venowatch.cli.serve import serve

    return serve(args)


def _assess(args: argparse.Namespace) -> int:
    protocol = protocol_option("--protocol", args.protocol)
    as_of = instant_option("--as-of", args.as_of)
    # A batch holds every timeline until all are checked; none of them forms a reference cycle,
    # so the cyclic collector would only walk the growing heap over and over (a third of the run).
    gc.disable()
    sources = list(expand(args.paths))
    if not sources:
        raise UsageError("no timeline files found in " + ", ".join(args.paths))
    loaded = load_all(sources)
    if loaded.errors:
        for error in loaded.errors[:MAX_ERRORS_SHOWN]:
            print(f"venowatch: {error}", file=sys.stderr)
        more = len(loaded.errors) - MAX_ERRORS_SHOWN
        tail = f" ({more} more not shown)" if more > 0 else ""
        _fail(
            f"{len(loaded.errors)} of {len(sources)} timelines are invalid{tail}; nothing assessed"
        )
    results = [
        assess_timeline(t, protocol, as_of=as_of) for t in progress(loaded.timelines, "assessing")
    ]
    out = sys.stdout.buffer
    if args.json:
        encode = msgspec.json.Encoder().encode
        out.write(b"".join(encode(assessment_json(a)) + b"\n" for a in results))
    else:
        out.write(render_batch(results, protocol, Audience(args.audience)).encode())
    out.flush()
    return 0


def _protocol(args: argparse.Namespace) -> int:
    protocol = protocol_option("--protocol", args.protocol)
    ref = protocol.ref
    print(
        f"{ref.id} {ref.version}\nsha256 {ref.sha256}\n{protocol.title}\nSource: {protocol.source}"
    )
    print("\nParameters:")
    for name in protocol.parameters.__dataclass_fields__:
        value = getattr(protocol.parameters, name)
        print(f"  {name:<24}{value_in_words(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
