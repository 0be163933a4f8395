"""The outcome figures against the full re-assessment of the same registry (issue 14).

The registry is bench/generate.py's: --patients timelines, each a venoplasty and 52 weekly
check-ins (some with tests), with known trajectories. In one run:

  floor    re-assessing every patient (`reassess_many` in batches, as a new protocol does);
  build    replaying every patient's records into stored episode facts (what the worker does
           for the patients whose records changed; here, for all of them at once);
  figures  the figures from the stored facts: curves with lifelines, the impression of
           change, repeats (what the page and `venowatch outcomes` compute on each view).

Goals: figures at most 3x the floor (the page answers from stored facts, never replaying),
and, reported beside it, build + figures over the floor: the cost of the figures from nothing.
Each timing is the best of --repeats. SQLite in a temporary directory unless DATABASE_URL is set.

    .venv/bin/python bench/outcomes.py [--patients 10000] [--repeats 3]

Writes bench/out/outcomes.json and prints a table.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from registry import django_in_a_temporary_directory, populate_timelines, write_out
from sweep import BATCH, _reassess_only

NOW = datetime(2026, 9, 10, 12, 0, tzinfo=UTC)  # after every registry timeline's last check-in


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with django_in_a_temporary_directory("venowatch-bench-outcomes-"):
        results = _run(args)
    write_out("outcomes", results)
    _report(results)
    return 0


def _run(args: argparse.Namespace) -> dict[str, Any]:
    from venowatch.clinic.models import Patient

    started = time.perf_counter()
    populate_timelines(args.patients, NOW)
    print(f"populated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    _reassess_only(ids)  # the first pass stores what the placeholders lacked; then steady
    r: dict[str, Any] = {"patients": len(ids), "checkins_each": 52, "repeats": args.repeats}
    floor, build, figures = [], [], []
    for _ in range(args.repeats):
        floor.append(_reassess_only(ids))
        build.append(_build(ids))
        figures.append(_figures())
    r["floor_s"], r["build_s"], r["figures_s"] = min(floor), min(build), min(figures)
    r["figures_over_floor"] = round(r["figures_s"] / r["floor_s"], 3)
    r["build_and_figures_over_floor"] = round((r["build_s"] + r["figures_s"]) / r["floor_s"], 2)
    r["goal"] = 3.0
    return r


def _build(ids: list[int]) -> float:
    from venowatch.clinic.models import Patient
    from venowatch.services.outcomes.facts import refresh

    t = time.perf_counter()
    for start in range(0, len(ids), BATCH):
        refresh(Patient.objects.filter(pk__in=ids[start : start + BATCH]).select_related("clinic"),
                NOW)  # fmt: skip
    return time.perf_counter() - t


def _figures() -> float:
    from venowatch.services.outcomes.facts import cohort_figures

    t = time.perf_counter()
    f, _episodes = cohort_figures(None, NOW)
    elapsed = time.perf_counter() - t
    assert f.episodes > 0, f
    return elapsed


def _report(r: dict[str, Any]) -> None:
    met = {True: "met", False: "NOT met"}
    print(f"\noutcomes benchmark: {r['patients']:,} patients x {r['checkins_each']} check-ins, "
          f"best of {r['repeats']}")  # fmt: skip
    print(f"  full re-assessment (floor): {r['floor_s']:.2f} s")
    ratio = r["figures_over_floor"]
    print(f"  figures from stored facts: {r['figures_s']:.2f} s; ratio {ratio:.3f} "
          f"(goal <= 3: {met[ratio <= 3]})")  # fmt: skip
    print(f"  replay into stored facts: {r['build_s']:.2f} s; build + figures over the floor "
          f"{r['build_and_figures_over_floor']:.2f}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
