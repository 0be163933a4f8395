"""Creating one record from a FHIR resource another app sends (`POST /fhir/r4/<type>`, and a
batch's POST entries): a QuestionnaireResponse is a check-in, an Observation a lab (or a
check-in written as venowatch writes them). It goes through the same record_* commands as the
web, so the same rules hold, and the answer is the resource as venowatch now serves it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db import transaction

from venowatch.clinic import models
from venowatch.clinic.models import MAX_ID
from venowatch.fhir.reading import Found, read
from venowatch.protocol import CheckIn, Lab
from venowatch.services.care.records import record_checkin, record_lab
from venowatch.services.errors import DuplicateRecordError, FieldError
from venowatch.services.integration import fhir_stored
from venowatch.services.integration.fhir_wording import for_integrators
from venowatch.services.integration.pgic_scales import scales_of
from venowatch.services.security.access import Act, may, member_of, patient_in_reach

CREATABLE = frozenset({"QuestionnaireResponse", "Observation"})


class CreateRefusedError(Exception):
    """Why nothing was created: the HTTP status, the OperationOutcome's issue code, what an
    integrator reads, and the FHIRPath of the element at fault (if one is)."""

    def __init__(self, status: int, code: str, message: str, expression: str | None = None):
        super().__init__(message)
        self.status, self.code, self.expression = status, code, expression


@dataclass(frozen=True, slots=True)
class Created:
    """The stored record as a resource: its type and id (its address under /fhir/r4/)."""

    resource: dict[str, Any]

    @property
    def address(self) -> str:
        return f"{self.resource['resourceType']}/{self.resource['id']}"


def create(
    user: Any, resource: Any, *, may_write: bool, now: datetime, where: str | None = None
) -> Created:
    """Record `resource` for the patient it is about, as `user`; `may_write` is whether the
    credentials may write (a read-only token may not). `where` is the resource's FHIRPath in
    the request (a batch entry's), its type by default. Raises CreateRefusedError."""
    if not isinstance(resource, Mapping) or resource.get("resourceType") not in CREATABLE:
        kind = resource.get("resourceType") if isinstance(resource, Mapping) else None
        raise CreateRefusedError(
            422, "not-supported",
            f"venowatch creates QuestionnaireResponse and Observation resources one at a time, "
            f"not {kind!r}; send a Patient with its records, or a DiagnosticReport with its "
            "results, in a transaction",
            f"{where}.resourceType" if where else "resourceType",
        )  # fmt: skip
    if not may_write:
        raise CreateRefusedError(403, "forbidden", "this token may only read")
    member = member_of(user)
    reading = read([resource], scales_of(member.clinic) if member is not None else {})
    if reading.skipped:
        (skipped,) = reading.skipped
        path = where or str(resource["resourceType"])
        raise CreateRefusedError(422, "processing", f"not recorded: {skipped.reason}", path)
    (found,) = reading.records
    if where is not None:
        found = replace(found, path=where)
    patient = _subject(user, found)
    return _record(user, patient, found, now)


def _subject(user: Any, found: Found) -> models.Patient:
    """The patient the record is about, if `user` may record it for them. Out of reach and
    unknown read the same, so an answer tells nobody who else is a patient here."""
    act = Act.CHECK_IN if isinstance(found.record, CheckIn) else Act.RECORD_LAB
    # Staff who record a patient's tests may also record a check-in the patient gave them
    # through another app (an EHR's portal); a patient only their own.
    acts = (act, Act.RECORD_LAB) if act is Act.CHECK_IN else (act,)
    pk = found.patient.removeprefix("Patient/")
    patient = None
    if pk.isdigit() and int(pk) <= MAX_ID and any(may(user, a) for a in acts):
        patient = patient_in_reach(user, int(pk), "clinic", "assessment")
    if patient is None:
        raise CreateRefusedError(
            422, "processing",
            f"the subject {found.patient} is not a patient you may record for",
            f"{found.path}.subject",
        )  # fmt: skip
    return patient


def _record(user: Any, patient: models.Patient, found: Found, now: datetime) -> Created:
    r = found.record
    try:
        if isinstance(r, CheckIn):
            row = record_checkin(
                patient, at=r.at, pgic=r.pgic, symptoms_returned=r.symptoms_returned,
                symptoms=dict(r.symptoms), note=r.note, by=user, now=now,
            )  # fmt: skip
            return Created(fhir_stored.checkin_resource(row, found.resource_type))
        assert isinstance(r, Lab)
        with transaction.atomic():
            lab = record_lab(
                patient, at=r.at, kind=r.kind, result=r.result, finding=r.finding, by=user,
                now=now,
            )  # fmt: skip
            # The codes it came with (a LOINC panel), kept for the round trip.
            lab.codings = found.codes.columns("lab")["codings"]
            lab.save(update_fields=["codings"])
        return Created(fhir_stored.lab_resource(lab))
    except DuplicateRecordError as exc:
        kind = "QuestionnaireResponse/checkin" if isinstance(r, CheckIn) else "Observation/lab"
        raise CreateRefusedError(
            409, "duplicate",
            f"{kind}-{exc.existing} was recorded within a minute of this one; "
            "venowatch takes one record a minute of each kind",
        ) from None  # fmt: skip
    except FieldError as exc:
        where = found.expression(exc.field)
        raise CreateRefusedError(422, "processing", for_integrators(exc, where), where) from None
