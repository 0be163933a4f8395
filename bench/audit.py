"""Audit benchmark (issue 12): what the audit log costs the worklist, the staff patient page
and the check-in, against the same code with the log off (VENOWATCH_AUDIT=false), in one run:
two gunicorn servers on one database, measured in turns (on, off, off, on) so that a noisy
spell of the shared machine falls on both.

    .venv/bin/python bench/audit.py [--patients 10000] [--seconds 5] [--clients 4]

Writes bench/out/audit.json and prints a table; the goal is a cost of at most 10% each.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import sys
import tempfile
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
    print(f"  audit rows written: {r['audit_rows']:,}")


if __name__ == "__main__":
    sys.exit(main())
