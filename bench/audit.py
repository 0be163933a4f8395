"""Audit benchmark (issue 12): what the audit log costs the worklist, the staff patient page
and the check-in, against the same code with the log off (VENOWATCH_AUDIT=false), in one run:
two gunicorn servers on one database, measured in turns (on, off, off, on) so that a noisy
spell of the shared machine falls on both.

    .venv/bin/python bench/audit.py [--patients 10000] [--seconds 5] [--clients 4]

Then the same three requests in this process, one at a time, each made twice in a row, once
with the log on and once off (which goes first alternates): the paired times say what the log
costs a request itself, with no queueing for SQLite's write lock and little of the shared
machine's noise (a spell of load falls on both halves of a pair); the process's CPU time per
request, beside the wall-clock time, is not lengthened by other processes at all (it leaves
out the wait for the disk's sync, which the wall-clock time keeps).

Writes bench/out/audit.json and prints a table; the goal is a cost of at most 10% each.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from web import (  # bench/web.py, beside this script
    OUT,
    _environment,
    _free_port,
    _load,
    _prepare,
    _Server,
    _Session,
)

GOAL = 0.10
ORDER = ("on", "off", "off", "on")
ENDPOINTS = ("worklist", "patient_page", "checkin")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5.0, help="per endpoint and turn")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--checkin-patients", type=int, default=200)
    parser.add_argument("--pairs", type=int, default=60, help="paired requests per endpoint")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="venowatch-bench-audit-"))
    try:
        env = _environment(data)
        os.environ.update(env)
        print(f"preparing {args.patients:,} patients in {data} ...", flush=True)
        keys = _prepare(args.patients, args.checkin_patients, args.clients)
        ids = _checkin_patient_ids()
        ports = {"on": _free_port(), "off": _free_port()}
        with (
            _Server({**env, "VENOWATCH_AUDIT": "true"}, ports["on"]),
            _Server({**env, "VENOWATCH_AUDIT": "false"}, ports["off"]),
        ):
            results = _measure(ports, args.seconds, keys, ids)
        results["paired"] = _paired(keys, ids, args.pairs)
        results["audit_rows"] = _audit_rows()
    finally:
        shutil.rmtree(data, ignore_errors=True)
    results.update(patients=args.patients, clients=args.clients, seconds=args.seconds)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "audit.json").write_text(json.dumps(results, indent=1))
    _report(results)
    return 0


def _checkin_patient_ids() -> list[int]:
    from venowatch.clinic.models import Patient

    return list(Patient.objects.filter(user__isnull=False).values_list("pk", flat=True))


def _audit_rows() -> int:
    from venowatch.audit.models import AuditEvent

    return AuditEvent.objects.count()


def _measure(
    ports: dict[str, int], seconds: float, keys: dict[str, list[str]], ids: list[int]
) -> dict[str, Any]:
    clients = len(keys["staff"])
    answer = {"pgic": "no_change", "confirm_duplicate": "on"}
    pages = itertools.cycle(ids)  # the staff page of a patient with a history, each in turn
    turns: dict[str, list[dict[str, Any]]] = {f"{e}_{m}": [] for e in ENDPOINTS for m in ports}
    # A first turn on each server, not counted: its workers' first requests load code, fill
    # caches and read the database's pages in.
    for mode in ("warm-on", "warm-off", *ORDER):
        port = ports[mode.removeprefix("warm-")]
        everyone = [_Session(port, key) for key in keys["patients"]]
        patients = [everyone[i::clients] for i in range(clients)]
        staff = [[_Session(port, key)] for key in keys["staff"]]
        runs = {
            "worklist": (staff, lambda s: s.get("/staff/"), 200),
            "patient_page": (staff, lambda s: s.get(f"/staff/patients/{next(pages)}/"), 200),
            "checkin": (patients, lambda s: s.post("/me/check-in/", answer), 302),
        }
        for name, (sessions, call, ok) in runs.items():
            result = _load(sessions, seconds / 2 if mode.startswith("warm") else seconds, call, ok)
            if result["failures"]:
                raise RuntimeError(f"{name} with the audit {mode}: requests failed: {result}")
            if not mode.startswith("warm"):
                turns[f"{name}_{mode}"].append(result)
    results: dict[str, Any] = {"turns": turns}
    for name in ENDPOINTS:
        on = sum(t["per_s"] for t in turns[f"{name}_on"]) / len(turns[f"{name}_on"])
        off = sum(t["per_s"] for t in turns[f"{name}_off"]) / len(turns[f"{name}_off"])
        cost = round(1 - on / off, 3)
        results[name] = {"on_per_s": round(on, 1), "off_per_s": round(off, 1), "cost": cost}
    return results


def _paired(keys: dict[str, list[str]], ids: list[int], pairs: int) -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client

    def client(key: str) -> Client:
        made = Client(HTTP_HOST="localhost")
        made.cookies["sessionid"] = key
        return made

    staff = client(keys["staff"][0])
    patients = itertools.cycle([client(k) for k in keys["patients"]])
    pages = itertools.cycle(ids)
    answer = {"pgic": "no_change", "confirm_duplicate": "on"}
    calls: dict[str, Callable[[], bool]] = {
        "worklist": lambda: staff.get("/staff/").status_code == 200,
        "patient_page": lambda: staff.get(f"/staff/patients/{next(pages)}/").status_code == 200,
        "checkin": lambda: next(patients).post("/me/check-in/", answer).status_code == 302,
    }
    out: dict[str, Any] = {}
    for name, call in calls.items():
        times: dict[bool, list[float]] = {True: [], False: []}
        cpu: dict[bool, list[float]] = {True: [], False: []}
        for i in range(pairs + 2):
            for on in (True, False) if i % 2 else (False, True):
                settings.VENOWATCH_AUDIT = on
                start, start_cpu = time.perf_counter(), time.process_time()
                if not call():
                    raise RuntimeError(f"{name} failed with the audit {'on' if on else 'off'}")
                if i >= 2:  # the first two pairs warm up
                    times[on].append(time.perf_counter() - start)
                    cpu[on].append(time.process_time() - start_cpu)
        on_ms, off_ms = (statistics.median(times[m]) * 1000 for m in (True, False))
        on_cpu, off_cpu = (statistics.median(cpu[m]) * 1000 for m in (True, False))
        out[name] = {
            "on_ms": round(on_ms, 1), "off_ms": round(off_ms, 1),
            "cost": round(on_ms / off_ms - 1, 3),
            "on_cpu_ms": round(on_cpu, 1), "off_cpu_ms": round(off_cpu, 1),
            "cpu_cost": round(on_cpu / off_cpu - 1, 3), "pairs": pairs,
        }  # fmt: skip
    settings.VENOWATCH_AUDIT = True
    return out


def _report(r: dict[str, Any]) -> None:
    setup = f"{r['clients']} client threads, gunicorn 3 sync workers per server"
    print(f"\naudit benchmark: {r['patients']:,} patients, {setup}, {r['seconds']:g} s a turn, "
          f"turns {' '.join(ORDER)}")  # fmt: skip
    for name in ENDPOINTS:
        x = r[name]
        met = "met" if x["cost"] <= GOAL else "NOT met"
        turns = " ".join(f"{t['per_s']:.1f}" for t in r["turns"][f"{name}_on"])
        offs = " ".join(f"{t['per_s']:.1f}" for t in r["turns"][f"{name}_off"])
        print(
            f"  {name:<13} on {x['on_per_s']:>7.1f}/s ({turns})  off {x['off_per_s']:>7.1f}/s "
            f"({offs})  cost {x['cost']:+.1%} (goal <= {GOAL:.0%}: {met})"
        )
    pairs = r["paired"]["checkin"]["pairs"]
    print(f"  paired, in process, one request at a time (medians of {pairs} pairs):")
    for name in ENDPOINTS:
        x = r["paired"][name]
        met = "met" if x["cost"] <= GOAL else "NOT met"
        print(f"  {name:<13} on {x['on_ms']:>7.1f} ms  off {x['off_ms']:>7.1f} ms  "
              f"cost {x['cost']:+.1%} (goal <= {GOAL:.0%}: {met});  CPU on {x['on_cpu_ms']:.1f} "
              f"ms  off {x['off_cpu_ms']:.1f} ms  cost {x['cpu_cost']:+.1%}")  # fmt: skip
    print(f"  audit rows written: {r['audit_rows']:,}")


if __name__ == "__main__":
    sys.exit(main())
