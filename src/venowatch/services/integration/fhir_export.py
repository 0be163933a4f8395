"""One patient's record as a FHIR R4 Bundle (`Patient/{id}/$everything`): the web API and
`venowatch export` both call this. Each resource is built by fhir_records, as the REST reads
build it, so every fullUrl here reads back as the same resource."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from venowatch.clinic import models
from venowatch.clinic.models import PatientIdentifier
from venowatch.protocol import Timeline
from venowatch.services.care.standing import assess_patient
from venowatch.services.care.zones import local, patient_zone
from venowatch.services.clock import utc_now
from venowatch.services.integration import fhir_records as build
from venowatch.services.integration.fhir_records import (
    CHECKIN_FIELDS,
    LAB_FIELDS,
    PROCEDURE_FIELDS,
    STATE_FIELDS,
    fhir_base,
    own_identifier_system,
)

__all__ = ["Window", "export_patient", "fhir_base", "own_identifier_system"]


@dataclass(frozen=True, slots=True)
class Window:
    """What `$everything` is asked for: records in [start, end) (by their clinical instant),
    stored or voided since `since`, a page of `count` entries from `offset` (None: all)."""

    start: datetime | None = None
    end: datetime | None = None
    since: datetime | None = None
    count: int | None = None
    offset: int = 0

    def pairs(self) -> list[tuple[str, str]]:
        named = (("start", self.start), ("end", self.end), ("_since", self.since))
        return [(n, v.isoformat()) for n, v in named if v is not None]


def export_patient(
    patient: models.Patient, *, now: datetime | None = None, window: Window | None = None
) -> dict[str, Any]:
    """A searchset Bundle: the Patient (the match), then each procedure, each check-in as a
    QuestionnaireResponse and an Observation, each lab, and the assessment as of `now` as a
    RiskAssessment (included). A `window` narrows the records (the assessment still weighs
    them all: it is the protocol's answer now) and cuts a page."""
    now = now or utc_now()
    window = window or Window()
    zone = patient_zone(patient)
    stored = list(
        PatientIdentifier.objects.filter(patient=patient)
        .order_by("pk")
        .values_list("system", "value")
    )
    resources = [build.patient(patient, stored)]
    current = {"voided_at__isnull": True}
    procedures = list(
        patient.procedures.filter(**current).order_by("performed_at", "pk")
        .values_list(*PROCEDURE_FIELDS, *STATE_FIELDS)
    )  # fmt: skip
    checkins = list(
        patient.checkins.filter(**current).order_by("at", "pk")
        .values_list(*CHECKIN_FIELDS, *STATE_FIELDS)
    )  # fmt: skip
    labs = list(
        patient.labs.filter(**current).order_by("at", "pk")
        .values_list(*LAB_FIELDS, *STATE_FIELDS)
    )  # fmt: skip
    # The records just read are the timeline: assess them rather than read them again.
    timeline = Timeline(
        str(patient.pk),
        tuple(build.procedure_record(r, zone) for r in procedures),
        tuple(build.checkin_record(r, zone) for r in checkins),
        tuple(build.lab_record(r, zone) for r in labs),
    )
    shown = _shown(window, procedures, checkins, labs)
    for row in procedures:
        if row[0] in shown["procedure"]:
            resources.append(build.procedure(row, zone))
    for row in checkins:
        if row[0] in shown["checkin"]:
            resources += [build.checkin_response(row, zone), build.checkin_observation(row, zone)]
    for row in labs:
        if row[0] in shown["lab"]:
            resources.append(build.lab(row, zone))
    basis = _basis(procedures, checkins, labs)
    assessment = assess_patient(patient, now, timeline)
    resources.append(build.risk_assessment(patient, assessment, basis))
    return _bundle(patient, resources, window, local(now, zone))


def _shown(window: Window, procedures: list[Any], checkins: list[Any], labs: list[Any]) -> Any:
    """The ids of the records inside the window (all of them without one)."""

    def inside(row: Any, at: Any) -> bool:
        recorded = row[-2]
        return (
            (window.start is None or at >= window.start)
            and (window.end is None or at < window.end)
            and (window.since is None or recorded >= window.since)
        )

    return {
        "procedure": {r[0] for r in procedures if inside(r, r[3])},
        "checkin": {r[0] for r in checkins if inside(r, r[2])},
        "lab": {r[0] for r in labs if inside(r, r[2])},
    }


def _basis(procedures: list[Any], checkins: list[Any], labs: list[Any]) -> list[str]:
    """What the assessment weighs: every current record, in the export's order."""
    refs = [f"Procedure/{r[0]}" for r in procedures]
    for r in checkins:
        refs += [f"QuestionnaireResponse/checkin-{r[0]}", f"Observation/checkin-{r[0]}"]
    return refs + [f"Observation/lab-{r[0]}" for r in labs]


def _bundle(
    patient: models.Patient, resources: list[dict[str, Any]], window: Window, now: datetime
) -> dict[str, Any]:
    base = fhir_base()
    url = f"{base}/Patient/{patient.pk}/$everything"
    entries = [
        {
            "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
            "resource": r,
            "search": {"mode": "match" if r["resourceType"] == "Patient" else "include"},
        }
        for r in resources
    ]
    links = []
    if window.count is not None:
        page = entries[window.offset : window.offset + window.count]

        def at(offset: int) -> str:
            pairs = [*window.pairs(), ("_count", str(window.count)), ("_offset", str(offset))]
            return f"{url}?{urlencode(pairs)}"

        links.append({"relation": "self", "url": at(window.offset)})
        if window.offset + window.count < len(entries):
            links.append({"relation": "next", "url": at(window.offset + window.count)})
        if window.offset > 0:
            links.append({"relation": "previous", "url": at(max(0, window.offset - window.count))})
        entries = page
    else:
        query = urlencode(window.pairs())
        links.append({"relation": "self", "url": f"{url}?{query}" if query else url})
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": now.isoformat(),
        "total": 1,
        "link": links,
    }
    if entries:
        bundle["entry"] = entries
    return bundle
