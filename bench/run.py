"""Throughput of venowatch: the engine in process, and the `assess --json` command end to end.

Each figure is set against a floor measured in the same run on the same machine, because the
machine is shared and noisy: absolute figures move from run to run, ratios much less.

(a) In process, on one core where `os.sched_setaffinity` exists: all files are decoded first
    (not part of the figure), then `assess` runs over every timeline; best of --repeats.
    Floor: a loop that only reads each check-in's `at` and `pgic`. Goal: >= 10,000/s.
(b) The command line, `venowatch assess --json DIR > /dev/null`, as a subprocess, wall time,
    best of --cli-repeats. Floor: the same interpreter running a minimal script that reads
    each file, `json.loads` it and parses every instant with `datetime.fromisoformat` (only
    parsing, interpreter start-up included). Goal: <= 2.0 times the floor.

Usage: python bench/run.py [--n 10000] [--out bench/out] [--profile]
Timelines come from <out>/timelines (bench/generate.py), made there if missing. Results go
to <out>/results.json; --profile also writes cProfile reports (profile-*.txt) to <out>.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib.metadata
import io
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from generate import DEFAULT_SEED, FILE_PREFIX, MANIFEST, make, manifest
from venowatch.protocol import Assessment, TimelineRecord, assess
from venowatch.services.care.assessing import assessment_json
from venowatch.services.care.protocols import default_protocol
from venowatch.services.timeline_files import decode_timeline

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
GOAL_PER_SECOND = 10_000
GOAL_CLI_RATIO = 2.0

FLOOR_SCRIPT = """\
import json
import sys
from datetime import datetime
from pathlib import Path

parse = datetime.fromisoformat
n = 0
for path in sorted(str(p) for p in Path(sys.argv[1]).glob("*.json") if p.is_file()):
    with open(path, "rb") as f:
        t = json.loads(f.read())
    if "as_of" in t:
        parse(t["as_of"])
    for p in t["procedures"]:
        parse(p["performed_at"])
    for c in t["checkins"]:
        parse(c["at"])
    for lab in t.get("labs", ()):
        parse(lab["at"])
    n += 1
print(n)
"""

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Timing:
    """Seconds of each repeat; `best` is what the figures use."""

    runs: list[float]

    @property
    def best(self) -> float:
        return min(self.runs)

    def json(self) -> Json:
        return {"best_s": round(self.best, 6), "runs_s": [round(t, 6) for t in self.runs]}


def best_of(repeats: int, work: Callable[[], object]) -> Timing:
    runs = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        work()
        runs.append(time.perf_counter() - start)
    return Timing(runs)


# --- machine ---------------------------------------------------------------------------------


def machine() -> Json:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Hardware", "cpu model"):
                    model = value.strip()
                    break
    except OSError:
        pass
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu_model": model,
        "cpu_count": os.cpu_count(),
        "cpus_available": affinity,
        "python": sys.version.split()[0],
        "python_build": sys.version,
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "msgspec": importlib.metadata.version("msgspec"),
        "venowatch": importlib.metadata.version("venowatch"),
        "commit": _commit(),
        "loadavg_start": _loadavg(),
    }


def _commit() -> str | None:
    """The checked-out commit, and whether src/ differs from it (read-only git calls)."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout.strip()
        clean = subprocess.run(
            ["git", "diff", "--quiet", "HEAD", "--", "src"], cwd=ROOT, check=False, env=env
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return head if clean.returncode == 0 else f"{head} (src/ modified)"


def _loadavg() -> list[float] | None:
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


# --- data ------------------------------------------------------------------------------------


def ensure_data(data: Path, n: int, seed: int) -> tuple[list[Path], str]:
    """The timeline files in `data` and their manifest; made with bench/generate.py unless
    `n` of them from the current generator are there already (any seed)."""
    files = sorted(data.glob("*.json")) if data.is_dir() else []
    try:
        made = (data / MANIFEST).read_text(encoding="utf-8")
    except OSError:
        made = ""
    have, want = _fields(made), _fields(manifest(n, seed))
    same_generator = all(have.get(k) == want[k] for k in ("n", "generator"))
    if (
        len(files) != n
        or not same_generator
        or any(not f.name.startswith(FILE_PREFIX) for f in files)
    ):
        print(f"generating {n} timelines into {data} (seed {seed}) ...", flush=True)
        make(n, seed, data)
        files = sorted(data.glob("*.json"))
        made = manifest(n, seed)
    if len(files) != n:
        raise SystemExit(f"{data} holds {len(files)} *.json files, expected {n}")
    return files, made.strip()


def _fields(text: str) -> dict[str, str]:
    return dict(part.partition("=")[::2] for part in text.split())


# --- (a) in process --------------------------------------------------------------------------


def pin_one_core() -> tuple[int | None, set[int] | None]:
    """Pin this process to one CPU (the last one it may use) if the OS allows; return it and
    the previous affinity so that it can be restored."""
    if not hasattr(os, "sched_setaffinity"):
        return None, None
    before = os.sched_getaffinity(0)
    cpu = max(before)
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:
        return None, None
    return cpu, before


def in_process(files: Sequence[Path], repeats: int) -> tuple[Json, list[TimelineRecord]]:
    cpu, before = pin_one_core()
    try:
        protocol = default_protocol()
        raws = [(f.read_bytes(), str(f)) for f in files]
        timelines = [decode_timeline(raw, name) for raw, name in raws]
        pairs: list[tuple[TimelineRecord, datetime]] = []
        for t in timelines:
            if t.as_of is None:
                raise SystemExit(f"{t.patient_id}: no as_of in the file")
            pairs.append((t, t.as_of))
        checkins = sum(len(t.checkins) for t in timelines)

        def decode_all() -> None:
            for raw, name in raws:
                decode_timeline(raw, name)

        def assess_all() -> None:
            for t, as_of in pairs:
                assess(t, as_of, protocol)

        def touch_checkins() -> None:
            for t in timelines:
                for c in t.checkins:
                    _at = c.at
                    _pgic = c.pgic

        results: list[Assessment] = [assess(t, as_of, protocol) for t, as_of in pairs]
        encoder = json_encoder()

        def encode_all() -> None:
            for a in results:
                encoder(assessment_json(a))

        assessing = best_of(repeats, assess_all)
        floor = best_of(repeats, touch_checkins)
        decoding = best_of(min(repeats, 3), decode_all)
        encoding = best_of(min(repeats, 3), encode_all)
    finally:
        if before is not None:
            os.sched_setaffinity(0, before)
    n = len(pairs)
    rate = n / assessing.best
    report: Json = {
        "pinned_cpu": cpu,
        "timelines": n,
        "checkins": checkins,
        "repeats": repeats,
        "gc": "enabled (gc.collect() before each repeat)",
        "assess": assessing.json(),
        "assess_per_s": round(rate),
        "floor_touch_checkins": floor.json(),
        "assess_over_floor": round(assessing.best / floor.best, 2),
        "goal_per_s": GOAL_PER_SECOND,
        "goal_met": rate >= GOAL_PER_SECOND,
        "decode_not_in_figure": decoding.json(),
        "decode_per_s": round(n / decoding.best),
        "assessment_json_encode": encoding.json(),
        "assessment_json_encode_per_s": round(n / encoding.best),
        "pathways": dict(Counter(a.pathway.value for a in results).most_common()),
    }
    return report, timelines


def json_encoder() -> Callable[[object], bytes]:
    return msgspec.json.Encoder().encode


# --- (b) command line ------------------------------------------------------------------------


def interpreter_of(script: Path) -> str:
    """The interpreter a console script runs under (its #! line), so that the floor starts
    the very same Python with the same site-packages."""
    try:
        with open(script, "rb") as f:
            first = f.readline().decode().strip()
    except OSError:
        return sys.executable
    if first.startswith("#!") and " " not in first[2:].strip():
        return first[2:].strip()
    return sys.executable


@dataclass(frozen=True, slots=True)
class Child:
    wall: float
    cpu: float


def run_child(cmd: Sequence[str], stdout: int | None = subprocess.DEVNULL) -> Child:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} ... failed ({done.returncode}):\n{done.stderr!r}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Child(wall, cpu)


def command_line(data: Path, n: int, repeats: int, venowatch: Path) -> Json:
    python = interpreter_of(venowatch)
    commands = {
        "startup": [python, "-c", "pass"],
        "import_cli": [python, "-c", "import venowatch.cli.main"],
        "floor": [python, "-c", FLOOR_SCRIPT, str(data)],
        "cli": [str(venowatch), "assess", "--json", str(data)],
    }
    # Not timed: both must see every file (this also warms the page cache).
    lines = subprocess.run(commands["cli"], capture_output=True, check=True).stdout.splitlines()
    parsed = subprocess.run(commands["floor"], capture_output=True, check=True, text=True)
    if len(lines) != n or parsed.stdout.strip() != str(n):
        raise SystemExit(f"expected {n} results; CLI gave {len(lines)}, floor {parsed.stdout!r}")
    runs: dict[str, list[Child]] = {name: [] for name in commands}
    for _ in range(repeats):  # interleaved, so that a slow spell hits both alike
        for name, cmd in commands.items():
            runs[name].append(run_child(cmd))
    wall = {name: Timing([c.wall for c in r]) for name, r in runs.items()}
    cpu = {name: Timing([c.cpu for c in r]) for name, r in runs.items()}
    ratio = wall["cli"].best / wall["floor"].best
    return {
        "interpreter": python,
        "repeats": repeats,
        "commands": {
            name: " ".join("<floor_script>" if arg == FLOOR_SCRIPT else arg for arg in cmd)
            for name, cmd in commands.items()
        },
        "wall": {name: t.json() for name, t in wall.items()},
        "cpu_user_sys": {name: t.json() for name, t in cpu.items()},
        "cli_per_s": round(n / wall["cli"].best),
        "cli_over_floor": round(ratio, 2),
        "cli_over_floor_cpu": round(cpu["cli"].best / cpu["floor"].best, 2),
        "goal_ratio": GOAL_CLI_RATIO,
        "goal_met": ratio <= GOAL_CLI_RATIO,
        "floor_script": FLOOR_SCRIPT,
    }


# --- profiles --------------------------------------------------------------------------------


def hot_spots(stats: pstats.Stats, top: int) -> list[Json]:
    """The functions with the most own time, with their share of the total."""
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
    raw = stats.stats  # type: ignore[attr-defined]
    total: float = stats.total_tt  # type: ignore[attr-defined]
    rows = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    return [
        {
            "function": f"{_short(file)}:{line}({func})",
            "calls": nc,
            "own_s": round(tt, 4),
            "own_share": round(tt / total, 4),
            "cumulative_s": round(ct, 4),
            "cumulative_share": round(ct / total, 4),
        }
        for (file, line, func), (_cc, nc, tt, ct, _callers) in rows
    ]


def _short(file: str) -> str:
    for marker in ("/src/", "/lib/python"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def write_report(stats: pstats.Stats, path: Path, title: str) -> None:
    text = io.StringIO()
    stats.stream = text  # type: ignore[attr-defined]
    print(title, file=text)
    stats.sort_stats("tottime").print_stats(40)
    stats.sort_stats("cumulative").print_stats(40)
    path.write_text(text.getvalue(), encoding="utf-8")


def profile(timelines: Sequence[TimelineRecord], data: Path, venowatch: Path, out: Path) -> Json:
    protocol = default_protocol()
    pairs = [(t, t.as_of) for t in timelines if t.as_of is not None]
    profiler = cProfile.Profile()
    profiler.enable()
    for t, as_of in pairs:
        assess(t, as_of, protocol)
    profiler.disable()
    engine = pstats.Stats(profiler)
    write_report(engine, out / "profile-assess.txt", f"cProfile: assess x {len(pairs)}")

    dump = out / "profile-cli.prof"
    cmd = [interpreter_of(venowatch), "-m", "cProfile", "-o", str(dump)]
    cmd += ["-m", "venowatch.cli.main", "assess", "--json", str(data)]
    run_child(cmd)
    cli = pstats.Stats(str(dump))
    write_report(cli, out / "profile-cli.txt", "cProfile: venowatch assess --json DIR")
    return {"assess": hot_spots(engine, 20), "cli": hot_spots(cli, 25)}


# --- report ----------------------------------------------------------------------------------


def table(results: Json) -> str:
    m, a, c = results["machine"], results["in_process"], results["cli"]
    n = a["timelines"]
    pin = f"pinned to CPU {a['pinned_cpu']}" if a["pinned_cpu"] is not None else "not pinned"
    met = {True: "met", False: "NOT met"}
    wall = c["wall"]
    lines = [
        f"venowatch benchmark: {n} timelines, {a['checkins']} check-ins, {results['data']}",
        f"machine: {m['cpu_model']}, {m['cpu_count']} CPUs ({m['cpus_available']} available), "
        f"Python {m['python']}, load {m['loadavg_start']} -> {results['loadavg_end']}",
        f"code: {m['commit']}"
        + ("" if results["commit_end"] == m["commit"] else f" -> {results['commit_end']} (!)"),
        "",
        f"(a) in process, {pin}, best of {a['repeats']}",
        f"  {'assess':<44}{a['assess']['best_s']:>9.3f} s {a['assess_per_s']:>10,} /s",
        f"  {'floor: touch each check-in at + pgic':<44}"
        f"{a['floor_touch_checkins']['best_s']:>9.3f} s",
        f"  {'assess / floor':<44}{a['assess_over_floor']:>9.1f} x",
        f"  goal >= {a['goal_per_s']:,}/s: {met[a['goal_met']]}",
        f"  {'(decode bytes -> Timeline, not in figure)':<44}"
        f"{a['decode_not_in_figure']['best_s']:>9.3f} s {a['decode_per_s']:>10,} /s",
        f"  {'(assessment_json + encode, not in figure)':<44}"
        f"{a['assessment_json_encode']['best_s']:>9.3f} s "
        f"{a['assessment_json_encode_per_s']:>10,} /s",
        "",
        f"(b) command line, wall time, best of {c['repeats']} (cpu user+sys in brackets)",
    ]
    labels = {
        "startup": "interpreter start-up (python -c pass)",
        "import_cli": "start-up + import venowatch.cli.main",
        "floor": "floor: read + json.loads + fromisoformat",
        "cli": "venowatch assess --json DIR > /dev/null",
    }
    for name, label in labels.items():
        cpu = c["cpu_user_sys"][name]["best_s"]
        lines.append(f"  {label:<44}{wall[name]['best_s']:>9.3f} s   ({cpu:.3f} s)")
    lines += [
        f"  {'CLI / floor':<44}{c['cli_over_floor']:>9.2f} x   ({c['cli_over_floor_cpu']:.2f} x)",
        f"  {'CLI timelines per second':<44}{c['cli_per_s']:>9,} /s",
        f"  goal <= {c['goal_ratio']}x: {met[c['goal_met']]}",
    ]
    for part, rows in results.get("profile", {}).items():
        lines += ["", f"profile ({part}), own time, top 10 (profiler overhead inflates these):"]
        lines += [
            f"  {r['own_share']:>6.1%}  {r['function']}  ({r['calls']:,} calls)" for r in rows[:10]
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark venowatch; see bench/run.py.")
    parser.add_argument("--n", type=int, default=10_000, help="timelines (default 10,000)")
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="results directory")
    parser.add_argument("--data", type=Path, help="timelines directory (default OUT/timelines)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="if generating")
    parser.add_argument("--repeats", type=int, default=5, help="in-process repeats (3-5)")
    parser.add_argument("--cli-repeats", type=int, default=3)
    parser.add_argument("--venowatch", type=Path, default=ROOT / ".venv" / "bin" / "venowatch")
    parser.add_argument("--profile", action="store_true", help="also write cProfile reports")
    args = parser.parse_args(argv)
    out: Path = args.out
    data: Path = args.data or out / "timelines"
    out.mkdir(parents=True, exist_ok=True)

    files, made = ensure_data(data, args.n, args.seed)
    results: Json = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": str(data),
        "data_manifest": made,
        "data_bytes": sum(f.stat().st_size for f in files),
        "machine": machine(),
    }
    results["in_process"], timelines = in_process(files, args.repeats)
    results["cli"] = command_line(data, args.n, args.cli_repeats, args.venowatch)
    results["loadavg_end"] = _loadavg()
    results["commit_end"] = _commit()
    if args.profile:
        results["profile"] = profile(timelines, data, args.venowatch, out)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    print(f"\nresults: {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
