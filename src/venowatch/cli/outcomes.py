"""`venowatch outcomes`: the outcome figures of one clinic or of every clinic, in words, or
de-identified as JSON or CSV (services.outcomes.export)."""

from __future__ import annotations

import argparse
import json
import sys
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


def run(args: argparse.Namespace) -> int:
    open_database()
    from django.conf import settings

    from venowatch.services.care.reads import outcome_figures
    from venowatch.services.clock import utc_now
    from venowatch.services.errors import FieldError
    from venowatch.services.outcomes import export, facts
    from venowatch.services.outcomes.cohort import cohort
    from venowatch.services.outcomes.wording import left_out_words

    try:  # read as the API reads its query: one reading, the option named as it is typed
        chosen = cohort(args.clinic, args.start, args.end)
    except FieldError as exc:
        raise UsageError(f"--{exc.field}: {exc.message}") from None
    now = utc_now()
    refreshed = facts.refresh_stale(now)
    if refreshed:
        print(f"brought {refreshed} patients' figures up to date", file=sys.stderr)
    figures, episodes = outcome_figures(None, chosen.clinics, now, chosen.start, chosen.end)
    if args.json:
        json.dump(export.as_json(figures, episodes, settings.SECRET_KEY), sys.stdout, indent=1)
        print()
    elif args.csv:
        sys.stdout.write(export.as_csv(episodes, settings.SECRET_KEY))
        # The file stays one row per episode; who was left out is said beside it.
        print(left_out_words(figures.left_out_withdrawn), file=sys.stderr)
    else:
        from venowatch.services.outcomes.readable import readable

        print(readable(figures))
    return 0
