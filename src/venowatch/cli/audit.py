"""`venowatch audit verify` and `venowatch audit export`: the audit log's chain checked, and
the log (or one patient's part of it) written as CSV or JSON."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, time, timedelta
from typing import Any

from venowatch.cli.database import open_database
from venowatch.cli.errors import UsageError

BROKEN = 1


def add_commands(commands: Any) -> None:
    audit = commands.add_parser(
        "audit", help="check or export the audit log",
        description="The audit log records who read, changed or was refused which patient's "
        "record, when and from where. It is append-only and hash-chained.",
    )  # fmt: skip
    actions = audit.add_subparsers(required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify", help="check the hash chain",
        description="Check every row of the audit log against its hash and the row before it. "
        "Exit 0 if the chain is intact; 1 naming the first row edited, deleted or inserted "
        "out of place.",
    )  # fmt: skip
    verify.set_defaults(run=run_verify)
    export = actions.add_parser(
        "export", help="write the audit log as CSV or JSON",
        description="Write the audit log's rows, oldest first: ids and codes as stored (so the "
        "hashes can be checked again), with words beside the codes.",
    )  # fmt: skip
    export.add_argument(
        "--patient",
        type=int,
        metavar="ID",
        help="only this patient's rows (default: every patient's)",
    )
    export.add_argument(
        "--from",
        dest="start",
        metavar="DATE",
        help="from this day or instant (default: the first row)",
    )
    export.add_argument(
        "--to", dest="end", metavar="DATE", help="up to this day, included (default: the last row)"
    )
    export.add_argument("--out", metavar="FILE", help="write here (default: standard output)")
    form = export.add_mutually_exclusive_group(required=True)
    form.add_argument("--csv", action="store_true", help="CSV with a header row")
    form.add_argument("--json", action="store_true", help="one JSON array")
    export.set_defaults(run=run_export)


def run_verify(args: argparse.Namespace) -> int:
    open_database()
    from venowatch.services.security.audit_chain import verify

    result = verify()
    if result.broken is None:
        print(f"audit log intact: {result.rows} rows, each following the one before")
        return 0
    print(
        f"audit log broken at row {result.broken.seq}: {result.broken.why} "
        f"({result.rows} rows before it check)",
        file=sys.stderr,
    )
    return BROKEN


def instant(option: str, text: str | None, *, end: bool) -> datetime | None:
    """A day (YYYY-MM-DD, UTC; as an end, the whole day counts) or an RFC 3339 instant."""
    if text is None:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        pass
    else:
        start = datetime.combine(day, time(), UTC)
        return start + timedelta(days=1) if end else start
    from venowatch.services.clock import parse_instant

    try:
        return parse_instant(text)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}; or give a day like 2026-03-01") from None


def run_export(args: argparse.Namespace) -> int:
    start = instant("--from", args.start, end=False)
    end = instant("--to", args.end, end=True)
    if start is not None and end is not None and end <= start:
        raise UsageError("--to: is before --from; nothing would be exported")
    open_database()
    from venowatch.services.security.audit_export import selected, write_csv, write_json

    rows = selected(args.patient, start, end).iterator(5000)
    write = write_csv if args.csv else write_json
    if args.out is None:
        write(rows, sys.stdout)
        sys.stdout.flush()
        return 0
    try:
        with open(args.out, "w", encoding="utf-8", newline="") as out:
            count = write(rows, out)
    except OSError as exc:
        raise UsageError(f"--out: cannot write {args.out}: {exc.strerror}") from None
    print(f"{count} audit rows written to {args.out}", file=sys.stderr)
    return 0
