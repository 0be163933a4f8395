"""Durability under SIGKILL, at more kills than the test suite's 20 (tests/crash_harness.py
says how): the real server is killed at random moments while clients submit check-ins with
idempotency keys; nothing acknowledged may be lost, nothing stored twice.

Usage: python bench/crash.py [--kills 100] [--clients 3] [--seed N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.crash_harness import run


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    out = run(args.kills, args.clients, args.seed)
    lost = sorted(out.acknowledged - out.stored.keys())
    doubled = sorted(k for k, n in out.stored.items() if n > 1)
    print(
        f"{out.kills} kills in {out.seconds:.0f} s; {len(out.acknowledged)} check-ins "
        f"acknowledged, {out.failed_attempts} requests sent again after a kill; "
        f"lost {len(lost)}, stored twice {len(doubled)}, refused {len(out.refusals)}, "
        f"integrity {out.integrity}"
    )
    print("requests without an answer, by kind:", out.errors)
    return 0 if not (lost or doubled or out.refusals) and out.integrity == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
