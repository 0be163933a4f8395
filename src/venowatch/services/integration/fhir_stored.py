"""A record just created over FHIR as the resource venowatch serves for it (the same as
$everything exports), with its version: records are never edited (a correction is a new
record), so each is at version 1."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from venowatch.clinic import models
from venowatch.fhir import writing
from venowatch.fhir.coded import Codes, stored_codings
from venowatch.protocol import CheckIn, Lab
from venowatch.services.care.zones import local, patient_zone


def checkin_resource(
    row: models.CheckIn, resource_type: str = "QuestionnaireResponse"
) -> dict[str, Any]:
    """A stored check-in as the resource `resource_type` (QuestionnaireResponse or
    Observation) that $everything exports for it, with its version: records are never edited
    (a correction is a new record), so each is at version 1."""
    zone = patient_zone(row.patient)
    subject = f"Patient/{row.patient_id}"
    checkin = CheckIn(
        local(row.at, zone), row.pgic, row.symptoms_returned,
        tuple(sorted(row.symptoms.items())), row.note,
    )  # fmt: skip
    id_ = f"checkin-{row.pk}"
    if resource_type == "Observation":
        resource = writing.checkin_observation(
            id_, subject, checkin, f"QuestionnaireResponse/{id_}"
        )
    else:
        resource = writing.questionnaire_response(id_, subject, checkin)
    return _versioned(resource, row.recorded_at)


def lab_resource(row: models.Lab) -> dict[str, Any]:
    """A stored lab as the Observation $everything exports for it, with its version."""
    lab = Lab(local(row.at, patient_zone(row.patient)), row.kind, row.result, row.finding)
    given = Codes(stored_codings(row.codings))
    resource = writing.lab_observation(f"lab-{row.pk}", f"Patient/{row.patient_id}", lab, given)
    return _versioned(resource, row.recorded_at)


def _versioned(resource: dict[str, Any], recorded_at: datetime) -> dict[str, Any]:
    meta = {"versionId": "1", "lastUpdated": recorded_at.astimezone(UTC).isoformat()}
    return {"resourceType": resource["resourceType"], "id": resource["id"], "meta": meta,
            **resource}  # fmt: skip
