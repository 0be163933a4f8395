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
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC
from typing import Any

from registry import NOW, django_in_a_temporary_directory, populate, write_out  # beside this


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--checkins", type=int, default=52)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3, help="measurements of the same registry")
    args = parser.parse_args()
    with django_in_a_temporary_directory("venowatch-bench-fhir-"):
        results = _run(args)
    write_out("fhir_search", results)
    _report(results)
    return 0


def _run(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    reader, ids = _populate(args.patients, args.checkins)
    print(f"populated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    sample = ids[:: max(1, len(ids) // args.sample)][: args.sample]
    _search(reader, sample[-1])  # the chain's head made: count what recurs
    with CaptureQueriesContext(connection) as queries:
        entries = _search(reader, sample[0])
    per = len(sample)
    runs = []
    for _ in range(args.runs):
        search_s, read_s = _alternate(
            args.repeats,
            lambda: [_search(reader, pk) for pk in sample],
            lambda: [_read_rows(pk) for pk in sample],
        )
        runs.append({
            "search_ms": round(search_s / per * 1000, 3),
            "read_rows_ms": round(read_s / per * 1000, 3),
            "search_over_read": round(search_s / read_s, 2),
        })  # fmt: skip
    return {
        "audit": _audit_check(2 + args.runs * args.repeats * per),
        "patients": len(ids),
        "checkins_each": args.checkins,
        "sampled_patients": per,
        "entries_per_search": entries,
        "queries_per_search": len(queries),
        "runs": runs,
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


def _search(reader: Any, pk: int) -> int:
    """The FHIR server's work for one search: parse, search, write the Bundle as JSON, inside
    the audit origin web/audit_origin.py opens for a FHIR request: the read's audit row is
    committed before the answer is returned (fhirserver.errors.guard flushes it)."""
    from venowatch.audit.models import ActorKind, Channel
    from venowatch.fhir.query import parse
    from venowatch.fhirserver.errors import fhir
    from venowatch.fhirserver.rest import searchset
    from venowatch.services.care.reads import fhir_found
    from venowatch.services.security import audit

    with audit.origin(Channel.FHIR, "127.0.0.1", ActorKind.UNKNOWN, buffered=True):
        query = parse("Observation", [("patient", str(pk)), ("_count", "100")], UTC)
        page = fhir_found(reader, query, NOW)
        response = fhir(searchset(query, page.total, page.resources))
        audit.flush()
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
    """The registry (bench/registry.py, ratings on every other check-in) and its
    administrator, who reaches every patient."""
    from django.contrib.auth.models import User

    from venowatch.clinic.models import Member, Patient, Role

    clinic = populate(n, checkins, ratings=True)
    admin = User.objects.create_user("bench-admin")
    Member.objects.create(user=admin, clinic=clinic, role=Role.ADMIN)
    ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    return User.objects.select_related("member__clinic").get(pk=admin.pk), ids


def _alternate(repeats: int, *fns: Callable[[], Any]) -> list[float]:
    """The median time of each over `repeats` rounds, taken in turn."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, mine in zip(fns, times, strict=True):
            started = time.perf_counter()
            fn()
            mine.append(time.perf_counter() - started)
    return [statistics.median(t) for t in times]


def _report(r: dict[str, Any]) -> None:
    print(
        f"{r['patients']:,} patients x {r['checkins_each']} check-ins; "
        f"{r['sampled_patients']} patients searched, {r['entries_per_search']} entries each, "
        f"{r['queries_per_search']} queries per search (the audit's included); audit: {r['audit']}"
    )
    print("  run  search (ms)  rows (ms)  ratio  goal")
    for n, run in enumerate(r["runs"], 1):
        verdict = "met" if run["search_over_read"] <= r["goal"] else "NOT met"
        print(f"  {n:>3}  {run['search_ms']:11.3f}  {run['read_rows_ms']:9.3f}  "
              f"{run['search_over_read']:4.2f}x  {verdict}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
