"""The cost of a replay: one patient-year (52 weekly check-ins) replayed, against one `assess`
of the same timeline, in the same run.

A replay assesses at every record's instant and every `valid_until` up to its end, so its cost
is a number of assessments; the ratio says how many, and whether the replay's own bookkeeping
adds to them. The outcomes figures replay every patient of a registry, so this is their cost.

Both sides run over the same decoded timelines (bench/generate.py, decoding not counted), on
one core where `os.sched_setaffinity` exists, best of --repeats, the garbage collector off.
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
from venowatch.protocol import TimelineRecord, assess
from venowatch.protocol.replay import replay
from venowatch.services.care.protocols import default_protocol
from venowatch.services.timeline_files import decode_timeline


def _best(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


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

    def replay_all() -> None:
        for t, e in zip(timelines, ends, strict=True):
            replay(t, e, protocol)

    assessed = _best(assess_all, args.repeats)
    replayed = _best(replay_all, args.repeats)
    gc.enable()
    n = len(timelines)
    print(f"{n} timelines, {checkins:.0f} check-ins each, {stretches / n:.1f} stretches each")
    print(f"assess:  {assessed / n * 1e6:8.1f} us per timeline")
    print(f"replay:  {replayed / n * 1e6:8.1f} us per timeline")
    print(f"ratio:   {replayed / assessed:8.1f} (a replay costs this many assessments)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
