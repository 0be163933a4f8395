"""What the registry benchmarks share (bench/sweep.py, bench/fhir_search.py, bench/impact.py,
bench/outcomes.py): Django set up on a throwaway SQLite file (or DATABASE_URL), registries of
patients (uniform, or bench/generate.py's timelines) written by bulk inserts, and the results
written to bench/out."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
"""The instant every registry is built around and read at."""


@contextmanager
def django_in_a_temporary_directory(prefix: str) -> Iterator[Path]:
    """Django set up with its data (and, unless DATABASE_URL is set, its SQLite database) in a
    new directory, removed afterwards."""
    data = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        os.environ.update(
            VENOWATCH_DATA_DIR=str(data),
            VENOWATCH_SECRET_KEY="bench-only",
            DJANGO_SETTINGS_MODULE="venowatch.settings",
        )
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{data / 'bench.sqlite3'}")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        yield data
    finally:
        shutil.rmtree(data, ignore_errors=True)


def write_out(name: str, results: dict[str, Any]) -> None:
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(results, indent=1))


_CHECKIN = (
    "INSERT INTO clinic_checkin (patient_id, at, pgic, symptoms_returned, symptoms, note,"
    " recorded_at, void_reason) VALUES (%s, %s, %s, false, %s, '', %s, '')"
)
_ANSWERS = ("much_improved", "minimally_improved", "no_change", "minimally_worse")


def populate(
    n: int, checkins: int, *, chunk: int = 2_000, ratings: bool = False, assessed: bool = False
) -> Any:
    """A clinic of `n` patients operated a year before NOW, each with `checkins` weekly
    check-ins (with `ratings`, symptom ratings on every other one) and, if `assessed`, a stored
    assessment valid for 30 days; written with bulk inserts, `chunk` patients a transaction
    (the figures are about reading, not writing). The clinic."""
    from django.db import connection, transaction

    from venowatch.clinic.models import Assessment, Clinic, Patient, Procedure
    from venowatch.protocol import Pathway, ProcedureKind, Urgency

    clinic = Clinic.objects.create(name="Bench", time_zone="America/New_York")
    operated = NOW - timedelta(days=7 * checkins + 3)
    rated = '{"fatigue": 3, "sleep": 2}'
    for start in range(0, n, chunk):
        with transaction.atomic():
            patients = Patient.objects.bulk_create(
                Patient(clinic=clinic, name=f"P{i:06d}", time_zone=clinic.time_zone)
                for i in range(start, min(start + chunk, n))
            )
            Procedure.objects.bulk_create(
                Procedure(patient=p, kind=ProcedureKind.VENOPLASTY, performed_at=operated, veins=[])
                for p in patients
            )
            rows = [
                (p.pk, operated + timedelta(days=7 * (k + 1)), _ANSWERS[(p.pk + k) % 4],
                 rated if ratings and k % 2 else "{}", NOW)
                for p in patients
                for k in range(checkins)
            ]  # fmt: skip
            with connection.cursor() as cursor:
                cursor.executemany(_CHECKIN, rows)
            if assessed:
                Assessment.objects.bulk_create(
                    Assessment(
                        patient=p, as_of=NOW, pathway=Pathway.IMPROVED, urgency=Urgency.NONE,
                        urgency_rank=4, since=NOW, valid_until=NOW + timedelta(days=30),
                    )
                    for p in patients
                )  # fmt: skip
        print(f"  {min(start + chunk, n):,} patients", file=sys.stderr, end="\r")
    return clinic


def populate_timelines(n: int, recorded: datetime, *, ending_at: datetime | None = None) -> Any:
    """bench/generate.py's timelines 0..n-1 in one clinic, written with bulk inserts a chunk at a
    time (100,000 timelines of 52 check-ins are gigabytes as dicts), each patient in the zone of
    their timeline's offset and with a placeholder assessment. With `ending_at`, each timeline is
    shifted so that its own as_of falls there. The clinic."""
    from django.db import connection, transaction

    from generate import DEFAULT_SEED, timeline
    from venowatch.clinic.models import Assessment, Clinic, Patient, Procedure
    from venowatch.protocol import Pathway, Urgency

    at = datetime.fromisoformat
    clinic = Clinic.objects.create(name="Bench", time_zone="America/New_York")
    for start in range(0, n, 2_000):
        chunk = [timeline(i, DEFAULT_SEED) for i in range(start, min(start + 2_000, n))]
        with transaction.atomic():
            patients = Patient.objects.bulk_create(
                Patient(clinic=clinic, name=f"P{start + i:06d}", time_zone=_zone(t))
                for i, t in enumerate(chunk)
            )
            shifted = [
                (p, t, timedelta(0) if ending_at is None else ending_at - at(t["as_of"]))
                for p, t in zip(patients, chunk, strict=True)
            ]
            Procedure.objects.bulk_create(
                Procedure(patient=p, kind=x["kind"], performed_at=at(x["performed_at"]) + d,
                          veins=x.get("veins", []))
                for p, t, d in shifted for x in t["procedures"]
            )  # fmt: skip
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO clinic_checkin (patient_id, at, pgic, symptoms_returned, symptoms,"
                    " note, recorded_at, void_reason) VALUES (%s, %s, %s, %s, %s, %s, %s, '')",
                    [
                        (p.pk, at(c["at"]) + d, c["pgic"], c.get("symptoms_returned", False),
                         json.dumps(c.get("symptoms", {})), c.get("note", ""), recorded)
                        for p, t, d in shifted for c in t["checkins"]
                    ],
                )  # fmt: skip
                cursor.executemany(
                    "INSERT INTO clinic_lab (patient_id, at, kind, result, finding, codings,"
                    " recorded_at, void_reason) VALUES (%s, %s, %s, %s, %s, '[]', %s, '')",
                    [
                        (p.pk, at(x["at"]) + d, x["kind"], x["result"], x.get("finding", ""),
                         recorded)
                        for p, t, d in shifted for x in t.get("labs", ())
                    ],
                )  # fmt: skip
            Assessment.objects.bulk_create(
                Assessment(patient=p, as_of=recorded, pathway=Pathway.IMPROVED,
                           urgency=Urgency.NONE, urgency_rank=4, since=recorded)
                for p in patients
            )  # fmt: skip
        print(f"  {start + len(chunk):,} patients", file=sys.stderr, end="\r")
    return clinic


def _zone(t: dict[str, Any]) -> str:
    return "America/New_York" if t["as_of"].endswith("-05:00") else "Europe/Paris"
