"""Line and branch coverage of each layer, from the data pytest-cov left in .coverage.

coverage's own table gives one figure per file that mixes lines and branches; the goal is
stated for branches of the services and the core, so this prints both apart, per layer, and
the modules of those two layers below the goal. It reports; it does not fail the run.

Usage: .venv/bin/python scripts/coverage_summary.py [DATA_FILE]
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import coverage

GOAL = 90.0
LAYERS = ("venowatch.services", "venowatch.protocol")


@dataclass(frozen=True)
class Counts:
    lines: int = 0
    lines_run: int = 0
    branches: int = 0
    branches_taken: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.lines + other.lines,
            self.lines_run + other.lines_run,
            self.branches + other.branches,
            self.branches_taken + other.branches_taken,
        )

    @property
    def branch_percent(self) -> float:
        return 100.0 * self.branches_taken / self.branches if self.branches else 100.0

    def __str__(self) -> str:
        line = 100.0 * self.lines_run / self.lines if self.lines else 100.0
        return (
            f"lines {line:5.1f}% ({self.lines_run}/{self.lines})  "
            f"branches {self.branch_percent:5.1f}% ({self.branches_taken}/{self.branches})"
        )


def module_name(path: str) -> str | None:
    """`venowatch.x.y` for a file of the package, wherever the checkout is."""
    parts = Path(path).with_suffix("").parts
    if "venowatch" not in parts:
        return None
    start = len(parts) - 1 - parts[::-1].index("venowatch")
    names = parts[start:]
    return ".".join(names[:-1] if names[-1] == "__init__" else names)


def per_module(data_file: str) -> dict[str, Counts]:
    cov = coverage.Coverage(data_file=data_file)
    cov.load()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "coverage.json"
        cov.json_report(outfile=str(out))
        files: dict[str, Any] = json.loads(out.read_text())["files"]
    counts: dict[str, Counts] = {}
    for path, report in files.items():
        name = module_name(path)
        if name is not None:
            s = report["summary"]
            counts[name] = Counts(
                s["num_statements"],
                s["covered_lines"],
                s["num_branches"],
                s["covered_branches"],
            )
    return counts


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def main(argv: list[str]) -> int:
    counts = per_module(argv[0] if argv else ".coverage")
    print(f"{'venowatch (all)':24} {sum(counts.values(), Counts())}")
    for layer in LAYERS:
        inside = {m: c for m, c in counts.items() if within(m, layer)}
        print(f"{layer:24} {sum(inside.values(), Counts())}")
    below = sorted(
        (m, c)
        for m, c in counts.items()
        if any(within(m, layer) for layer in LAYERS) and c.branch_percent < GOAL
    )
    print(f"below {GOAL:.0f}% of branches in {' and '.join(LAYERS)}: {len(below) or 'none'}")
    for name, c in below:
        print(f"  {name:48} {c}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
