"""A FHIR search of one patient's Observations over a large registry, against a floor (issue 13).

A registry of --patients (default 10,000) with --checkins (default 52) weekly check-ins each.
Figure: `Observation?patient=<id>&_count=100` as the FHIR server answers it, from the parsed
query to the searchset Bundle written as JSON (services.care.reads.fhir_found, then the
Bundle and its serialisation), for a staff reader who reaches the whole clinic. Floor: only
reading the same rows (the patient's check-ins and labs, the same columns) from the database.
Goal: at most 3x. The number of queries is counted too: it must not grow with the registry
(tests/test_fhir_search.py holds that at two sizes).

Each timing is the median of --repeats searches of --sample patients spread over the
registry, the figure and its floor alternating so a noisy spell hits both. SQLite in a
temporary directory unless DATABASE_URL is set.

    .venv/bin/python bench/fhir_search.py [--patients 10000] [--checkins 52] [--repeats 5]

Writes bench/out/fhir_search.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--checkins", type=int, default=52)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sample", type=int, default=50)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="venowatch-bench-fhir-"))
    try:
        os.environ.update(
            VENOWATCH_DATA_DIR=str(data),
            VENOWATCH_SECRET_KEY="bench-only",
            DJANGO_SETTINGS_MODULE="venowatch.settings",
        )
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{data / 'bench.sqlite3'}")
        import django

        django.setup()
        results = _run(args)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "fhir_search.json").write_text(json.dumps(results, indent=1))
    _report(results)
    return 0


def _run(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    reader, ids = _populate(args.patients, args.checkins)
    print(f"populated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    sample = ids[:: max(1, len(ids) // args.sample)][: args.sample]
    overlap = os.environ.get("BENCH_AUDIT_OVERLAP", "true") == "true"
    # Counted with the audit's rows appended in the request's own connection, so that its
    # statements are counted too (the committer's connection is not the one captured).
    _search(reader, sample[-1], overlap=False)  # the chain's head made: count what recurs
    with CaptureQueriesContext(connection) as queries:
        entries = _search(reader, sample[0], overlap=False)
    search_s, read_s = _alternate(
        args.repeats,
        lambda: [_search(reader, pk, overlap) for pk in sample],
        lambda: [_read_rows(pk) for pk in sample],
    )
    per = len(sample)
    return {
        "audit": _audit_check(2 + args.repeats * per),
        "overlap": overlap,
        "patients": len(ids),
        "checkins_each": args.checkins,
        "sampled_patients": per,
        "entries_per_search": entries,
        "queries_per_search": len(queries),
        "search_ms": round(search_s / per * 1000, 3),
        "read_rows_ms": round(read_s / per * 1000, 3),
        "search_over_read": round(search_s / read_s, 2),
        "goal": 3.0,
    }


def _audit_check(searches: int) -> str:
    """With the audit on: every search left its row, and the chain verifies."""
    from django.conf import settings

    from venowatch.audit.models import Action, AuditEvent
    from venowatch.services.security.audit_chain import verify

    if not settings.VENOWATCH_AUDIT:
        return "off"
    result = verify()
    logged = AuditEvent.objects.filter(action=Action.FHIR).count()
    assert result.broken is None, result.broken
    assert logged == searches, (logged, searches)
    return f"{logged} rows, chain intact"


def _search(reader: Any, pk: int, overlap: bool = True) -> int:
    """The FHIR server's work for one search: parse, search, write the Bundle as JSON, inside
    the audit origin web/audit_origin.py opens for a FHIR GET (whose end waits for the read's
    audit row to be committed)."""
    from venowatch.audit.models import ActorKind, Channel
    from venowatch.fhir.query import parse
    from venowatch.fhirserver.errors import fhir
    from venowatch.fhirserver.rest import searchset
    from venowatch.services.care.reads import fhir_found
    from venowatch.services.security import audit

    with audit.origin(Channel.FHIR, "127.0.0.1", ActorKind.UNKNOWN, buffered=True, overlap=overlap):
        query = parse("Observation", [("patient", str(pk)), ("_count", "100")], UTC)
        page = fhir_found(reader, query, NOW)
        response = fhir(searchset(query, page.total, page.resources))
    assert page.total == len(page.resources)
    assert len(response.content) > 0
    return page.total


def _read_rows(pk: int) -> int:
    """The floor: only the rows the search turns into resources, the same columns."""
    from venowatch.clinic.models import CheckIn, Lab
    from venowatch.services.integration.fhir_records import (
        CHECKIN_FIELDS,
        LAB_FIELDS,
        STATE_FIELDS,
    )

    checkins = list(
        CheckIn.objects.filter(patient_id=pk, voided_at__isnull=True)
        .order_by("at", "pk")
        .values_list(*CHECKIN_FIELDS, *STATE_FIELDS)
    )
    labs = list(
        Lab.objects.filter(patient_id=pk, voided_at__isnull=True)
        .order_by("at", "pk")
        .values_list(*LAB_FIELDS, *STATE_FIELDS)
    )
    return len(checkins) + len(labs)


def _populate(n: int, checkins: int) -> tuple[Any, list[int]]:
    """A clinic of `n` patients operated a year before NOW, each with weekly check-ins
    (ratings on every other one), and its administrator, who reaches them all; written with
    bulk inserts (the figure is about reading, not writing)."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from venowatch.clinic.models import Clinic, Member, Patient, Procedure, Role
    from venowatch.protocol import ProcedureKind

    clinic = Clinic.objects.create(name="Bench", time_zone="America/New_York")
    admin = User.objects.create_user("bench-admin")
    Member.objects.create(user=admin, clinic=clinic, role=Role.ADMIN)
    operated = NOW - timedelta(days=7 * checkins + 3)
    answers = ["much_improved", "minimally_improved", "no_change", "minimally_worse"]
    for start in range(0, n, 2_000):
        with transaction.atomic():
            patients = Patient.objects.bulk_create(
                Patient(clinic=clinic, name=f"P{i:06d}", time_zone=clinic.time_zone)
                for i in range(start, min(start + 2_000, n))
            )
            Procedure.objects.bulk_create(
                Procedure(patient=p, kind=ProcedureKind.VENOPLASTY, performed_at=operated, veins=[])
                for p in patients
            )
            rows = [
                (p.pk, operated + timedelta(days=7 * (k + 1)), answers[(p.pk + k) % 4],
                 '{"fatigue": 3, "sleep": 2}' if k % 2 else "{}")
                for p in patients
                for k in range(checkins)
            ]  # fmt: skip
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO clinic_checkin (patient_id, at, pgic, symptoms_returned,"
                    " symptoms, note, recorded_at, void_reason) VALUES (%s, %s, %s, false, %s,"
                    " '', %s, '')",
                    [(pk, at, pgic, ratings, NOW) for pk, at, pgic, ratings in rows],
                )
        print(f"  {min(start + 2_000, n):,} patients", file=sys.stderr, end="\r")
    ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    return User.objects.select_related("member__clinic").get(pk=admin.pk), ids


def _alternate(
    repeats: int, figure: Callable[[], Any], floor: Callable[[], Any]
) -> tuple[float, float]:
    """The median time of each over `repeats` runs, alternating."""
    figures: list[float] = []
    floors: list[float] = []
    for _ in range(repeats):
        for fn, times in ((figure, figures), (floor, floors)):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    return statistics.median(figures), statistics.median(floors)


def _report(r: dict[str, Any]) -> None:
    print(
        f"{r['patients']:,} patients x {r['checkins_each']} check-ins; "
        f"{r['sampled_patients']} patients searched, {r['entries_per_search']} entries each, "
        f"{r['queries_per_search']} queries per search"
    )
    print(f"  audit: {r['audit']}" + (", committed beside the answer" if r["overlap"] else ""))
    print(f"  Observation?patient=  {r['search_ms']:8.3f} ms")
    print(f"  reading the rows      {r['read_rows_ms']:8.3f} ms")
    verdict = "met" if r["search_over_read"] <= r["goal"] else "NOT met"
    print(f"  ratio {r['search_over_read']}x (goal at most {r['goal']}x: {verdict})")


if __name__ == "__main__":
    sys.exit(main())
