"""Stored rows as FHIR resources, one builder per kind of record, for the export
(`$everything`), the REST reads and the searches alike: a resource read at its fullUrl is the
one the export holds. Ids: Patient `<pk>`, Procedure `<pk>`, a check-in's
QuestionnaireResponse and Observation `checkin-<pk>`, a lab's Observation `lab-<pk>`, the
assessment's RiskAssessment `assessment-<patient pk>`.

Versions: records are never edited (clinic.models.corrections), so a resource's content only
changes when it is voided or, for the Patient and the assessment, when they change. Its
`meta.versionId` is a digest: of a record's row (`row_version`), of the other resources'
content (`version_of`). It changes when the content does, and the ETag follows it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from venowatch.clinic import models
from venowatch.fhir import writing
from venowatch.fhir.coded import Codes, Demographics, stored_codings, stored_sites
from venowatch.protocol import Assessment, CheckIn, Lab, Procedure
from venowatch.services.care.zones import local
from venowatch.services.integration.fhir_patients import demographics_of

PROCEDURE_FIELDS = ("pk", "patient_id", "kind", "performed_at", "veins", "note", "codings", "sites")
CHECKIN_FIELDS = ("pk", "patient_id", "at", "pgic", "symptoms_returned", "symptoms", "note")
LAB_FIELDS = ("pk", "patient_id", "at", "kind", "result", "finding", "codings")
"""The columns each builder reads, in order; `codings` and `sites` are the codes a record was
imported or created with (a LOINC panel, SNOMED CT body sites), written back in front of
venowatch's own so that a round trip keeps them."""
STATE_FIELDS = ("recorded_at", "voided_at")
"""What a read adds to a row: when it was stored, and when it was voided."""


def fhir_base() -> str:
    """Where this installation serves FHIR R4: references and fullUrls are under it."""
    return f"{settings.VENOWATCH_BASE_URL}/fhir/r4"


def own_identifier_system() -> str:
    """The system of the identifier every exported Patient carries: this installation's own
    patient id, so that importing an export here again finds the same patient."""
    return f"{fhir_base()}/Patient"


def subject(patient_id: int) -> str:
    return f"Patient/{patient_id}"


def patient(
    p: models.Patient,
    identifiers: Sequence[tuple[str, str]],
    demographics: Demographics | None = None,
) -> dict[str, Any]:
    """`demographics`: the patient's, read beforehand by a caller writing many Patients
    (fhir_patients.demographics_for); read here if not given."""
    own = (own_identifier_system(), str(p.pk))
    given = demographics if demographics is not None else demographics_of(p)
    return writing.patient(str(p.pk), p.name, [own, *identifiers], p.time_zone, given)


def procedure_record(row: Sequence[Any], zone: ZoneInfo) -> Procedure:
    _, _, kind, at, veins, note = row[:6]
    return Procedure(kind, local(at, zone), tuple(veins), note)


def procedure(row: Sequence[Any], zone: ZoneInfo) -> dict[str, Any]:
    given = Codes(stored_codings(row[6]), stored_sites(row[7]))
    return writing.procedure(str(row[0]), subject(row[1]), procedure_record(row, zone), given)


def checkin_record(row: Sequence[Any], zone: ZoneInfo) -> CheckIn:
    _, _, at, answer, back, ratings, note = row[:7]
    return CheckIn(local(at, zone), answer, back, tuple(sorted(ratings.items())), note)


def checkin_response(row: Sequence[Any], zone: ZoneInfo) -> dict[str, Any]:
    return writing.questionnaire_response(
        f"checkin-{row[0]}", subject(row[1]), checkin_record(row, zone)
    )


def checkin_observation(row: Sequence[Any], zone: ZoneInfo) -> dict[str, Any]:
    id_ = f"checkin-{row[0]}"
    return writing.checkin_observation(
        id_, subject(row[1]), checkin_record(row, zone), f"QuestionnaireResponse/{id_}"
    )


def lab_record(row: Sequence[Any], zone: ZoneInfo) -> Lab:
    _, _, at, test, result, finding = row[:6]
    return Lab(local(at, zone), test, result, finding)


def lab(row: Sequence[Any], zone: ZoneInfo) -> dict[str, Any]:
    given = Codes(stored_codings(row[6]))
    return writing.lab_observation(f"lab-{row[0]}", subject(row[1]), lab_record(row, zone), given)


def risk_assessment(
    p: models.Patient, assessment: Assessment, basis: Sequence[str]
) -> dict[str, Any]:
    """The assessment as a RiskAssessment; with no record yet, without a `basis` (FHIR JSON
    has no empty arrays)."""
    from venowatch.services.care.protocols import clinic_protocol

    resource = writing.risk_assessment(
        f"assessment-{p.pk}", subject(p.pk), assessment, clinic_protocol(p.clinic), list(basis)
    )
    if not resource.get("basis"):
        resource.pop("basis", None)
    return resource


def voided(resource: dict[str, Any]) -> dict[str, Any]:
    """A voided or corrected record as FHIR says it: entered in error (all four kinds have the
    status). Searches leave such records out; a read at their address still answers."""
    return {**resource, "status": "entered-in-error"}


def version_of(resource: dict[str, Any]) -> str:
    """The resource's versionId: a digest of its content without `meta`."""
    content = {k: v for k, v in resource.items() if k != "meta"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def row_version(row: Sequence[Any]) -> str:
    """A record's versionId, from the row its resource is written from (with its void time):
    the same digest while the row is the same, at a fraction of the cost of digesting the
    resource (a search writes hundreds). RENDERING changes it when the writing does."""
    return hashlib.blake2b(f"{RENDERING}{row!r}".encode(), digest_size=8).hexdigest()


RENDERING = "2"
"""Bump when fhir.writing writes a record differently, so that cached copies are not kept."""


def with_meta(
    resource: dict[str, Any], last_updated: datetime | None, version: str | None = None
) -> dict[str, Any]:
    """`resource`, given `meta.versionId` (`version`, else a digest of its content) and, when
    known, `meta.lastUpdated` (an instant, UTC)."""
    meta: dict[str, Any] = {"versionId": version or version_of(resource)}
    if last_updated is not None:
        meta["lastUpdated"] = last_updated.astimezone(UTC).isoformat()
    resource["meta"] = meta  # the builders' dicts are new: no copy (a search writes hundreds)
    return resource
