"""The cost of a replay: one patient-year (52 weekly check-ins) replayed, against one `assess`
of the same timeline, in the same run.

A replay finds its changes in one walk over each course (protocol/standings.py) and assesses in
full, with the reasons, where the standing changes; `decided` is the walk alone, which the
impact preview and the outcome facts use. Each is measured as a number of assessments of the
whole year, beside the replay as first written (`assess` at every record's instant and every
`valid_until`).

Both sides run over the same decoded timelines (bench/generate.py, decoding not counted), on
one core where `os.sched_setaffinity` exists, the garbage collector off; each of --repeats
rounds times both, one after the other, and the ratio is the median round's.
The replay runs to the timeline's own as_of (a week after its last check-in).

Usage: python bench/replay.py [--n 500] [--repeats 5]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from generate import DEFAULT_SEED, timeline
from venowatch.protocol import Protocol, TimelineRecord, assess
from venowatch.protocol.replay import decided, replay
from venowatch.services.care.protocols import default_protocol
from venowatch.services.timeline_files import decode_timeline


def _best(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def naive(timeline: TimelineRecord, until: datetime, protocol: Protocol) -> int:
    """The replay as first written: `assess` (its checks, its sort, its reasons) at every
    record's instant and valid_until; kept here as the figure the replay is measured against."""
    instants = sorted(
        {p.performed_at for p in timeline.procedures}
        | {c.at for c in timeline.checkins}
        | {lab.at for lab in timeline.labs}
    )
    pending = [t for t in instants if t <= until]
    changes, last, i = 0, None, 0
    t = pending[0] if pending else None
    while t is not None:
        a = assess(timeline, t, protocol)
        if (a.pathway, a.urgency) != last:
            changes, last = changes + 1, (a.pathway, a.urgency)
        while i < len(pending) and pending[i] <= t:
            i += 1
        candidates = [pending[i]] if i < len(pending) else []
        if a.valid_until is not None and a.valid_until <= until:
            candidates.append(a.valid_until)
        t = min(candidates) if candidates else None
    return changes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="timelines (default 500)")
    parser.add_argument("--repeats", type=int, default=5, help="best of (default 5)")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    protocol = default_protocol()
    timelines: list[TimelineRecord] = [
        decode_timeline(json.dumps(timeline(i, DEFAULT_SEED)).encode(), f"bench-{i}")
        for i in range(args.n)
    ]
    ends: list[datetime] = [t.as_of for t in timelines if t.as_of is not None]
    assert len(ends) == len(timelines)
    checkins = sum(len(t.checkins) for t in timelines) / len(timelines)
    stretches = sum(len(replay(t, e, protocol)) for t, e in zip(timelines, ends, strict=True))
    gc.disable()

    def assess_all() -> None:
        for t, e in zip(timelines, ends, strict=True):
            assess(t, e, protocol)

    def naive_all() -> None:
        for t, e in zip(timelines, ends, strict=True):
            naive(t, e, protocol)

    def replay_all() -> None:
        for t, e in zip(timelines, ends, strict=True):
            replay(t, e, protocol)

    def decided_all() -> None:
        for t, e in zip(timelines, ends, strict=True):
            decided(t, e, protocol)

    # Side by side in each round, so a round's ratio sees the same load on a shared machine;
    # the figure is the median round's.
    rounds = []
    for _ in range(args.repeats):
        timed = (_best(assess_all, 1), _best(replay_all, 1), _best(naive_all, 1))
        rounds.append((*timed, _best(decided_all, 1)))
    assessed = min(r[0] for r in rounds)
    replayed = min(r[1] for r in rounds)
    ratios = sorted(r[1] / r[0] for r in rounds)
    naive_ratios = sorted(r[2] / r[0] for r in rounds)
    decided_ratios = sorted(r[3] / r[0] for r in rounds)
    gc.enable()
    n = len(timelines)
    print(f"{n} timelines, {checkins:.0f} check-ins each, {stretches / n:.1f} stretches each")
    print(f"assess:  {assessed / n * 1e6:8.1f} us per timeline")
    print(f"replay:  {replayed / n * 1e6:8.1f} us per timeline")
    median = ratios[len(ratios) // 2]
    print(f"ratio:   {median:8.1f} (median round; a replay costs this many assessments)")
    walk = decided_ratios[len(decided_ratios) // 2]
    print(f"decided: {walk:8.1f} (median round; the changes alone, without their assessments)")
    first = naive_ratios[len(naive_ratios) // 2]
    print(f"naive:   {first:8.1f} (median round; `assess` at every instant, as first written)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
