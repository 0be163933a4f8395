"""All of a patient's data as CSV files in one zip, for the patient to download (the FHIR
Bundle is services.integration.fhir_export). One file per kind of record, a header row of
plain words, times in the patient's zone; withdrawn and corrected records are there too, and
say so. Read through services.care.reads.own_csv_export."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from venowatch.clinic import models
from venowatch.services.care.zones import patient_zone


def _words(value: Any) -> str:
    """A stored choice in words (an enum member, a Django choice is shown by its label)."""
    if value is None:
        return ""
    if hasattr(value, "value") and isinstance(value.value, str):
        return str(value.value).replace("_", " ")
    return str(value)


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _state(row: Any) -> str:
    if row.voided_at is None:
        return "counts"
    return f"no longer counts: {row.void_reason}" if row.void_reason else "no longer counts"


def _person(user: Any) -> str:
    return "" if user is None else user.get_full_name() or user.get_username()


def _about(patient: models.Patient) -> dict[str, str]:
    """Who the patient is and how they are reached."""
    details = models.PatientDetails.objects.filter(patient=patient).first()
    return {
        "patient.csv": _csv(
            [
                "name",
                "time zone",
                "date of birth",
                "language",
                "messages by",
                "emergency contact",
                "relation",
                "emergency contact's phone",
            ],
            [
                [
                    patient.name,
                    patient.time_zone,
                    details.date_of_birth if details else "",
                    details.language if details else "",
                    details.get_messages_by_display() if details else "",
                    details.emergency_name if details else "",
                    details.emergency_relation if details else "",
                    details.emergency_phone if details else "",
                ]
            ],
        ),
        "phones.csv": _csv(
            ["kind", "number", "preferred"],
            [
                [p.get_kind_display(), p.number, "yes" if p.preferred else "no"]
                for p in patient.phones.order_by("pk")
            ],
        ),
        "identifiers.csv": _csv(
            ["system", "value"], patient.identifiers.order_by("pk").values_list("system", "value")
        ),
    }


def _records(patient: models.Patient, when: Any) -> dict[str, str]:
    return {
        "procedures.csv": _csv(
            ["performed at", "kind", "veins", "performed by", "note", "state"],
            [
                [
                    when(p.performed_at),
                    _words(p.kind),
                    " ".join(p.veins),
                    _person(p.performed_by),
                    p.note,
                    _state(p),
                ]
                for p in patient.procedures.select_related("performed_by").order_by("performed_at")
            ],
        ),
        "checkins.csv": _csv(
            [
                "at",
                "compared with just before the procedure",
                "symptoms came back",
                "symptom ratings",
                "note",
                "state",
            ],
            [
                [
                    when(c.at),
                    _words(c.pgic),
                    "yes" if c.symptoms_returned else "no",
                    "; ".join(f"{k}: {v}" for k, v in sorted(c.symptoms.items())),
                    c.note,
                    _state(c),
                ]
                for c in patient.checkins.order_by("at", "pk")
            ],
        ),
        "tests.csv": _csv(
            ["taken at", "test", "result", "finding", "state"],
            [
                [when(lab.at), _words(lab.kind), _words(lab.result), lab.finding, _state(lab)]
                for lab in patient.labs.order_by("at", "pk")
            ],
        ),
        "notes.csv": _csv(
            ["written at", "by", "note"],
            [
                [when(n.created_at), _person(n.author), n.text]
                for n in patient.notes.select_related("author").order_by("created_at", "pk")
            ],
        ),
        "guidance.csv": _csv(
            ["at", "pathway", "urgency"],
            [
                [when(c.at), _words(c.pathway), _words(c.urgency)]
                for c in patient.assessment_changes.order_by("at", "pk")
            ],
        ),
        "consent.csv": _csv(
            ["version", "given at", "recorded by", "withdrawn at", "withdrawn by"],
            [
                [
                    c.version,
                    when(c.given_at),
                    _person(c.given_by),
                    when(c.withdrawn_at),
                    _person(c.withdrawn_by),
                ]
                for c in patient.consents.select_related("given_by", "withdrawn_by").order_by(
                    "given_at", "pk"
                )
            ],
        ),
    }


def csv_zip(patient: models.Patient, now: datetime) -> bytes:
    """The zip of the patient's CSV files (see the module's docstring)."""
    zone = patient_zone(patient)

    def when(at: datetime | None) -> str:
        return "" if at is None else at.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (_about(patient) | _records(patient, when)).items():
            info = zipfile.ZipInfo(name, date_time=now.astimezone(zone).timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8-sig"))  # a BOM: spreadsheets read UTF-8
    return buffer.getvalue()
