"""Synthetic patient timelines for the benchmark, deterministic from a seed.

Each timeline has one venoplasty and 52 weekly check-ins (a few also have blood and urine
tests), written in a -05:00 or +01:00 offset, with `as_of` one week after the last check-in.
The trajectories are a mixture of what a clinic sees a year after the procedure:

- improving: clearly better all year, with the odd "a little better" week;
- reverting: clearly better for a month or more, then back to how it was before (a few
  only in the last weeks, which is still an adjustment period);
- slight: only a little better, now back to baseline (or, for some, still a little better);
- worsening: worse after the procedure and getting worse (for some only in the last weeks);
- early return: symptoms back within hours of the procedure, then better, then (for some)
  reverting.

Usage: python bench/generate.py [--n 10000] [--seed 20260112] [--out bench/out/timelines]
Importable: `generate(n, seed)` returns the timelines as dicts (the timeline JSON schema).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

DEFAULT_N = 10_000
DEFAULT_SEED = 20260112
DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "timelines"
CHECKINS = 52
FILE_PREFIX = "timeline-"
MANIFEST = "generated.txt"
"""Written next to the timelines (not *.json, so `venowatch assess DIR` does not read it)."""

OFFSETS = (timezone(timedelta(hours=-5)), timezone(timedelta(hours=1)))
TRAJECTORIES: tuple[tuple[str, float], ...] = (
    ("improving", 0.30),
    ("reverting", 0.25),
    ("slight", 0.20),
    ("worsening", 0.15),
    ("early_return", 0.10),
)
VEINS = ("left IJV", "right IJV", "azygos", "left IJV J3", "right IJV J2")
SYMPTOMS = ("fatigue", "brain_fog", "heat_intolerance", "numbness", "balance", "sleep")
NOTES = (
    "Bad night, otherwise fine.",
    "Walked further than last week.",
    "Cold feet again in the evening.",
    "Head feels clearer in the mornings.",
    "Busy week at work, tired.",
    "Started the new supplements.",
)
FINDINGS = ("E. coli > 10^5 CFU/mL", "TSH 6.8 mIU/L", "CRP 42 mg/L", "Vitamin D 9 ng/mL")

Json = dict[str, Any]


def generate(n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> list[Json]:
    """`n` timelines as dicts in the shape of timeline.schema.json; the same for the same
    seed (each timeline has its own random stream, so timeline i does not depend on n)."""
    return [timeline(i, seed) for i in range(n)]


def trajectory(i: int, seed: int = DEFAULT_SEED) -> str:
    """The kind of trajectory of timeline `i` (not written into the file)."""
    return _start(i, seed)[2]


def _start(i: int, seed: int) -> tuple[random.Random, timezone, str]:
    """Timeline `i`'s own random stream, its offset and its kind of trajectory."""
    rng = random.Random(f"venowatch-bench:{seed}:{i}")
    tz = rng.choice(OFFSETS)
    names = [name for name, _ in TRAJECTORIES]
    weights = [weight for _, weight in TRAJECTORIES]
    return rng, tz, rng.choices(names, weights)[0]


def timeline(i: int, seed: int = DEFAULT_SEED) -> Json:
    """Timeline number `i` of the set made from `seed`."""
    rng, tz, kind = _start(i, seed)
    day = datetime(2024, 9, 2, tzinfo=tz) + timedelta(days=rng.randrange(365))
    performed = day.replace(hour=rng.randrange(8, 16), minute=rng.choice((0, 15, 30, 45)))
    times = _checkin_times(rng, performed, early=kind == "early_return")
    pgics, returned = _pgics(rng, kind)
    checkins = [
        _checkin(rng, at, pgic, symptoms_returned=returned[w])
        for w, (at, pgic) in enumerate(zip(times, pgics, strict=True))
    ]
    procedure: Json = {
        "kind": "venoplasty",
        "performed_at": _instant(performed),
        "veins": rng.sample(VEINS, rng.randint(1, 3)),
    }
    if rng.random() < 0.3:
        procedure["note"] = "Balloon angioplasty, no complications."
    record: Json = {
        "patient_id": f"bench-{seed}-{i:05d}",
        "as_of": _instant(times[-1] + timedelta(days=7)),
        "procedures": [procedure],
        "checkins": checkins,
    }
    labs = _labs(rng, kind, times, pgics)
    if labs:
        record["labs"] = labs
    return record


def _checkin_times(rng: random.Random, performed: datetime, *, early: bool) -> list[datetime]:
    """Weekly, at about the same time of the evening, a few hours early or late at times;
    an early return is reported within hours of the procedure instead of after a week."""
    evening = performed.replace(hour=rng.randrange(17, 22), minute=0) + timedelta(days=7)
    times = [
        evening + timedelta(weeks=w, minutes=rng.randrange(-240, 241)) for w in range(CHECKINS)
    ]
    if early:
        times[0] = performed + timedelta(hours=rng.randrange(4, 40), minutes=rng.randrange(60))
    return times


def _pgics(rng: random.Random, kind: str) -> tuple[list[str], list[bool]]:
    """The answer of each week, and whether the patient said the old symptoms were back."""
    returned = [False] * CHECKINS
    if kind == "improving":
        pgics = [_noticeable(rng, slip=0.12) for _ in range(CHECKINS)]
        pgics[-1] = _noticeable(rng, slip=0.0)
        if rng.random() < 0.15:  # wax and wane: a week at baseline somewhere in the year
            pgics[rng.randrange(4, CHECKINS - 2)] = "no_change"
    elif kind == "reverting":
        better = rng.randint(5, 9)  # weeks: 5 x 7 d noticeable is more than a month
        if rng.random() < 0.2:  # reverts only at the very end: still adjusting
            better = CHECKINS - rng.randint(1, 2)
        pgics = [_noticeable(rng, slip=0.1) for _ in range(better)]
        pgics += [_baseline(rng) for _ in range(CHECKINS - better)]
    elif kind == "slight":
        pgics = [
            "minimally_improved" if rng.random() < 0.8 else "no_change" for _ in range(CHECKINS)
        ]
        pgics[0] = "minimally_improved"
        pgics[-1] = "no_change" if rng.random() < 0.7 else "minimally_improved"
    elif kind == "worsening":
        onset = rng.randint(0, 30)
        if rng.random() < 0.2:  # worse only for the last weeks: too soon to retest
            onset = CHECKINS - rng.randint(2, 4)
        easing = rng.random() < 0.3
        pgics = [_baseline(rng) for _ in range(onset)]
        for w in range(onset, CHECKINS):
            progress = (w - onset) / max(1, CHECKINS - 1 - onset)
            pgics.append(_worse(progress, easing))
    else:  # early return
        returned[0] = True
        pgics = [rng.choice(("no_change", "minimally_worse", "much_worse"))]
        reverts = rng.random() < 0.5
        better = rng.randint(6, 12) if reverts else CHECKINS - 1
        pgics += [_noticeable(rng, slip=0.1) for _ in range(better)]
        pgics += [_baseline(rng) for _ in range(CHECKINS - 1 - better)]
        if not reverts:
            pgics[-1] = _noticeable(rng, slip=0.0)
    return pgics, returned


def _noticeable(rng: random.Random, slip: float) -> str:
    if rng.random() < slip:
        return "minimally_improved"
    return "much_improved" if rng.random() < 0.7 else "very_much_improved"


def _baseline(rng: random.Random) -> str:
    return "no_change" if rng.random() < 0.85 else "minimally_worse"


def _worse(progress: float, easing: bool) -> str:
    if easing and progress > 0.8:
        return "minimally_worse"
    if progress < 0.4:
        return "minimally_worse"
    return "much_worse" if progress < 0.85 else "very_much_worse"


def _checkin(rng: random.Random, at: datetime, pgic: str, *, symptoms_returned: bool) -> Json:
    c: Json = {"at": _instant(at), "pgic": pgic}
    if symptoms_returned:
        c["symptoms_returned"] = True
    if rng.random() < 0.6:
        c["symptoms"] = {s: rng.randint(0, 10) for s in rng.sample(SYMPTOMS, rng.randint(2, 4))}
    if rng.random() < 0.1:
        c["note"] = rng.choice(NOTES)
    return c


def _labs(
    rng: random.Random, kind: str, times: Sequence[datetime], pgics: Sequence[str]
) -> list[Json]:
    """Some patients who are not improving have blood and urine tests after the decline; a
    few of them find an infection or an imbalance."""
    if kind in ("improving", "early_return") or rng.random() < 0.6:
        return []
    improved = ("very_much_improved", "much_improved", "minimally_improved")
    onset = next(
        (w for w in range(CHECKINS) if all(p not in improved for p in pgics[w:])), CHECKINS - 1
    )
    labs: list[Json] = []
    for lab_kind in ("blood", "urine") if rng.random() < 0.7 else (rng.choice(("blood", "urine")),):
        at = times[onset] + timedelta(days=rng.randint(-3, 10), hours=rng.randint(-3, 3))
        lab: Json = {"at": _instant(at), "kind": lab_kind, "result": "normal"}
        if rng.random() < 0.15:
            lab["result"] = "abnormal"
            lab["finding"] = rng.choice(FINDINGS)
        labs.append(lab)
    return labs


def _instant(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def write(timelines: Sequence[Json], out: Path) -> list[Path]:
    """Write one file per timeline into `out`, first removing files an earlier run left there
    (only ours, by name), so that a directory always holds exactly one set."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(f"{FILE_PREFIX}*.json"):
        old.unlink()
    paths = []
    for i, t in enumerate(timelines):
        path = out / f"{FILE_PREFIX}{i:05d}.json"
        path.write_text(json.dumps(t), encoding="utf-8")
        paths.append(path)
    return paths


def manifest(n: int, seed: int) -> str:
    """What a directory made by `make` says about itself: count, seed and generator version."""
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return f"n={n} seed={seed} generator={code}\n"


def make(n: int, seed: int, out: Path) -> list[Path]:
    """Generate and write `n` timelines into `out`, with the manifest."""
    paths = write(generate(n, seed), out)
    (out / MANIFEST).write_text(manifest(n, seed), encoding="utf-8")
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="how many timelines")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="directory to write into")
    args = parser.parse_args(argv)
    make(args.n, args.seed, args.out)
    counts: dict[str, int] = {}
    for i in range(args.n):
        kind = trajectory(i, args.seed)
        counts[kind] = counts.get(kind, 0) + 1
    mix = ", ".join(f"{counts.get(name, 0)} {name}" for name, _ in TRAJECTORIES)
    print(f"wrote {args.n} timelines to {args.out} (seed {args.seed}): {mix}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
