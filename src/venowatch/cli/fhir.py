"""`venowatch export` and `venowatch import`: FHIR R4 Bundles to and from the database, through
the same services as /fhir/r4/."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from venowatch.cli.database import open_database
from venowatch.cli.errors import UsageError
from venowatch.cli.progress import progress
from venowatch.services.clock import utc_now
from venowatch.services.wire import read_json

if TYPE_CHECKING:
    from venowatch.clinic.models import Clinic
    from venowatch.services.integration.fhir_import import ImportReport


def export(args: argparse.Namespace) -> int:
    open_database()
    from venowatch.clinic.models import MAX_ID
    from venowatch.services.care.reads import exported

    bundle = None
    if args.patient.isdigit() and int(args.patient) <= MAX_ID:
        bundle = exported(None, int(args.patient))
    if bundle is None:
        raise UsageError(f"no patient with id {args.patient!r}")
    text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--out {args.out}: {exc.strerror}") from None
    return 0


def import_(args: argparse.Namespace) -> int:
    try:
        data = read_json(Path(args.file).read_bytes())
    except OSError as exc:
        raise UsageError(f"{args.file}: {exc.strerror}") from None
    except ValueError as exc:
        raise UsageError(f"{args.file} is refused: {exc}") from None
    open_database()

    from venowatch.services.integration.fhir_import import ImportRefusedError, import_bundle

    clinic = _clinic(args.clinic)
    by = _user(args.as_user, clinic)
    try:
        report = import_bundle(
            clinic, data, by=by, now=utc_now(),
            progress=lambda patients: progress(patients, "importing", unit="patient"),
        )  # fmt: skip
    except ImportRefusedError as exc:
        raise UsageError(f"{args.file}: nothing imported: {exc}") from None
    print("\n".join(_report_lines(report)))
    return 0


def _clinic(named: str) -> Clinic:
    from venowatch.clinic.models import Clinic

    if named.isdigit() and (by_id := Clinic.objects.filter(pk=named).first()) is not None:
        return by_id
    matches = list(Clinic.objects.filter(name__iexact=named)[:2])
    if not matches:
        raise UsageError(f"--clinic: no clinic with id or name {named!r}")
    if len(matches) > 1:
        raise UsageError(f"--clinic: several clinics are named {named!r}; give its id")
    return matches[0]


def _user(username: str | None, clinic: Clinic) -> Any:
    """The member of `clinic` recorded as having imported (None: nobody in particular)."""
    if username is None:
        return None
    from django.contrib.auth.models import User

    from venowatch.services.security.access import Act, may, member_of

    user = User.objects.filter(username=username).first()
    member = member_of(user) if user is not None else None
    if user is None or member is None or member.clinic_id != clinic.pk:
        raise UsageError(f"--as: {username!r} is not a member of {clinic.name}")
    if not may(user, Act.RECORD_PROCEDURE):
        raise UsageError(f"--as: {username!r} may not record procedures")
    return user


def _report_lines(report: ImportReport) -> list[str]:
    """The summary, then what was skipped and why, one line per kind of resource and reason."""
    grouped = Counter((s.resource_type, s.reason) for s in report.skipped)
    return [
        *report.summary(),
        *(f"  skipped {n} {kind}: {reason}" for (kind, reason), n in sorted(grouped.items())),
    ]
