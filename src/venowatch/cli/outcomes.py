"""`venowatch outcomes`: the outcome figures of one clinic or of every clinic, in words, or
de-identified as JSON or CSV (services.outcomes.export)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from venowatch.cli.database import open_database
from venowatch.cli.errors import UsageError


def add_command(commands: Any) -> None:
    outcomes = commands.add_parser(
        "outcomes", help="how patients fare after a venoplasty: curves, impressions, repeats",
        description="The outcome figures from the stored episode facts, first bringing up to "
        "date those of patients whose records changed. No control group, self-reported "
        "impressions, a small self-selected cohort: see docs/outcomes.md.",
    )  # fmt: skip
    outcomes.add_argument("--clinic", type=int, metavar="ID",
                          help="only this clinic (default: every clinic)")  # fmt: skip
    outcomes.add_argument(
        "--from", dest="start", metavar="DATE",
        help="venoplasties from this day, YYYY-MM-DD (default: the first)",
    )  # fmt: skip
    outcomes.add_argument(
        "--to", dest="end", metavar="DATE",
        help="venoplasties up to this day, included (default: today)",
    )  # fmt: skip
    form = outcomes.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="the figures and episodes as JSON")
    form.add_argument("--csv", action="store_true", help="one row per episode, as CSV")
    outcomes.set_defaults(run=run)


def _day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option}: {text!r} is not a day like 2026-03-01") from None


def run(args: argparse.Namespace) -> int:
    start, end = _day("--from", args.start), _day("--to", args.end)
    if start is not None and end is not None and end < start:
        raise UsageError("--to: is before --from; no venoplasty would count")
    open_database()
    from django.conf import settings

    from venowatch.services.clock import utc_now
    from venowatch.services.outcomes import export, facts

    clinics = None
    if args.clinic is not None:
        if args.clinic not in facts.clinic_names([args.clinic]):
            raise UsageError(f"--clinic: no clinic has the id {args.clinic}")
        clinics = [args.clinic]
    now = utc_now()
    refreshed = facts.refresh_stale(now)
    if refreshed:
        print(f"brought {refreshed} patients' figures up to date", file=sys.stderr)
    figures, episodes = facts.cohort_figures(clinics, now, start, end)
    if args.json:
        json.dump(export.as_json(figures, episodes, settings.SECRET_KEY), sys.stdout, indent=1)
        print()
    elif args.csv:
        sys.stdout.write(export.as_csv(episodes, settings.SECRET_KEY))
    else:
        from venowatch.services.outcomes.readable import readable

        print(readable(figures))
    return 0
