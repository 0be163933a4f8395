"""One patient's record as a FHIR R4 Bundle (`Patient/{id}/$everything`): the web API and
`venowatch export` both call this."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from venowatch.clinic import models
from venowatch.clinic.models import PatientIdentifier
from venowatch.fhir import writing
from venowatch.fhir.coded import Codes, stored_codings, stored_sites
from venowatch.protocol import (
    CheckIn,
    Lab,
    Procedure,
    Timeline,
)
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.standing import assess_patient
from venowatch.services.care.zones import local, patient_zone
from venowatch.services.clock import utc_now
from venowatch.services.integration.fhir_patients import demographics_of


def fhir_base() -> str:
    """Where this installation serves FHIR R4: references and fullUrls are under it."""
    return f"{settings.VENOWATCH_BASE_URL}/fhir/r4"


def own_identifier_system() -> str:
    """The system of the identifier every exported Patient carries: this installation's own
    patient id, so that importing an export here again finds the same patient."""
    return f"{fhir_base()}/Patient"


def export_patient(patient: models.Patient, *, now: datetime | None = None) -> dict[str, Any]:
    """A searchset Bundle: the Patient (the match), then each procedure, each check-in as a
    QuestionnaireResponse and an Observation, each lab, and the assessment as of `now` as a
    RiskAssessment (included)."""
    now = now or utc_now()
    zone = patient_zone(patient)
    subject = f"Patient/{patient.pk}"
    stored = [(s, v) for s, v in PatientIdentifier.objects.filter(patient=patient)
              .order_by("pk").values_list("system", "value")]  # fmt: skip
    resources = [
        writing.patient(
            str(patient.pk),
            patient.name,
            [(own_identifier_system(), str(patient.pk)), *stored],
            patient.time_zone,
            demographics_of(patient),
        )
    ]
    procedures, checkins, labs = [], [], []
    for pk, kind, at, veins, note, codings, sites in (
        patient.procedures.filter(voided_at__isnull=True).order_by("performed_at", "pk")
        .values_list("pk", "kind", "performed_at", "veins", "note", "codings", "sites")
    ):  # fmt: skip
        record = Procedure(kind, local(at, zone), tuple(veins), note)
        procedures.append(record)
        given = Codes(stored_codings(codings), stored_sites(sites))
        resources.append(writing.procedure(str(pk), subject, record, given))
    for pk, at, answer, back, ratings, note in (
        patient.checkins.filter(voided_at__isnull=True).order_by("at", "pk")
        .values_list("pk", "at", "pgic", "symptoms_returned", "symptoms", "note")
    ):  # fmt: skip
        checkin = CheckIn(local(at, zone), answer, back, tuple(sorted(ratings.items())), note)
        checkins.append(checkin)
        response = writing.questionnaire_response(f"checkin-{pk}", subject, checkin)
        resources.append(response)
        resources.append(
            writing.checkin_observation(
                f"checkin-{pk}", subject, checkin, f"QuestionnaireResponse/checkin-{pk}"
            )
        )
    for pk, at, test, result, finding, codings in (
        patient.labs.filter(voided_at__isnull=True)
        .order_by("at", "pk")
        .values_list("pk", "at", "kind", "result", "finding", "codings")
    ):
        lab = Lab(local(at, zone), test, result, finding)
        labs.append(lab)
        given = Codes(stored_codings(codings))
        resources.append(writing.lab_observation(f"lab-{pk}", subject, lab, given))
    basis = [f"{r['resourceType']}/{r['id']}" for r in resources[1:]]
    # The records just read are the timeline: assess them rather than read them again.
    timeline = Timeline(str(patient.pk), tuple(procedures), tuple(checkins), tuple(labs))
    assessment = assess_patient(patient, now, timeline)
    protocol = clinic_protocol(patient.clinic)
    resources.append(
        writing.risk_assessment(f"assessment-{patient.pk}", subject, assessment, protocol, basis)
    )
    base = fhir_base()
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": local(now, zone).isoformat(),
        "total": 1,
        "link": [{"relation": "self", "url": f"{base}/Patient/{patient.pk}/$everything"}],
        "entry": [
            {
                "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match" if r["resourceType"] == "Patient" else "include"},
            }
            for r in resources
        ],
    }
