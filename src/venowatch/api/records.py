"""A patient's records: procedures, check-ins and labs. Each write goes through the services
layer, which stores it and re-assesses the patient in the same transaction."""

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from ninja.params.functions import Header

from venowatch.api.access import patient_for
from venowatch.api.corrections import FIX_ERRORS
from venowatch.api.errors import READ_ERRORS
from venowatch.api.language import asked_language
from venowatch.api.pages import Pages
from venowatch.api.schemas import (
    AssessmentOut,
    CheckInIn,
    CheckInOut,
    Id,
    LabIn,
    LabOut,
    ProcedureIn,
    ProcedureOut,
)
from venowatch.clinic.models import Lab, Procedure
from venowatch.services.care.reads import Records, records, standing_after_write
from venowatch.services.care.records import record_checkin, record_lab, record_procedure
from venowatch.services.care.staff import clinician
from venowatch.services.care.zones import patient_zone
from venowatch.services.clock import utc_now
from venowatch.services.security import idempotency
from venowatch.services.security.access import Act
from venowatch.services.wire import read_json

router = Router(tags=["records"])


class CheckInResult(Schema):
    checkin: CheckInOut
    assessment: AssessmentOut


@router.get("/{int:pk}/procedures", response={200: list[ProcedureOut], **READ_ERRORS})
@paginate(Pages)
def list_procedures(request: HttpRequest, pk: Id) -> Any:
    patient = patient_for(request, pk, Act.VIEW)
    return records(request.user, patient, Records.PROCEDURES)


@router.post("/{int:pk}/procedures", response={201: ProcedureOut, **FIX_ERRORS})
def add_procedure(request: HttpRequest, pk: Id, payload: ProcedureIn) -> Status[Procedure]:
    patient = patient_for(request, pk, Act.RECORD_PROCEDURE, write=True)
    performer = None
    if payload.performed_by_id is not None:
        performer = clinician(patient.clinic_id, payload.performed_by_id)
    now = utc_now()
    procedure = record_procedure(
        patient,
        kind=payload.kind,
        performed_at=payload.performed_at,
        veins=payload.veins,
        performed_by=performer,
        note=payload.note,
        by=request.user,
        now=now,
        confirm_duplicate=payload.confirm_duplicate,
    )
    return Status(201, procedure)


@router.get("/{int:pk}/checkins", response={200: list[CheckInOut], **READ_ERRORS})
@paginate(Pages)
def list_checkins(request: HttpRequest, pk: Id) -> Any:
    patient = patient_for(request, pk, Act.VIEW)
    return records(request.user, patient, Records.CHECKINS)


@router.post("/{int:pk}/checkins", response={201: CheckInResult, **FIX_ERRORS})
def add_checkin(
    request: HttpRequest,
    pk: Id,
    payload: CheckInIn,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            description="Retry safely: the same key and body give the same answer, stored once.",
        ),
    ] = None,
) -> Status[dict[str, Any]]:
    """The patient's own check-in. The answer carries what the protocol says now."""
    patient = patient_for(request, pk, Act.CHECK_IN, write=True)

    def run() -> tuple[int, dict[str, Any]]:
        now = utc_now()
        checkin = record_checkin(
            patient,
            at=payload.at or now,
            pgic=payload.pgic,
            symptoms_returned=payload.symptoms_returned,
            symptoms=payload.symptoms,
            note=payload.note,
            by=request.user,
            now=now,
            confirm_duplicate=payload.confirm_duplicate,
        )
        # The assessment row has just been rewritten: read it again.
        standing = standing_after_write(request.user, patient, now)
        with asked_language(request):
            assessment = AssessmentOut.of(standing, patient_zone(patient))
        result = CheckInResult(checkin=CheckInOut.from_orm(checkin), assessment=assessment)
        return 201, result.model_dump(mode="json")

    if idempotency_key is None:
        return Status(*run())
    request_print = idempotency.fingerprint("POST", request.path, read_json(request.body))
    return Status(*idempotency.once(request.user, idempotency_key, request_print, run, utc_now()))


@router.get("/{int:pk}/labs", response={200: list[LabOut], **READ_ERRORS})
@paginate(Pages)
def list_labs(request: HttpRequest, pk: Id) -> Any:
    patient = patient_for(request, pk, Act.VIEW)
    return records(request.user, patient, Records.LABS)


@router.post("/{int:pk}/labs", response={201: LabOut, **FIX_ERRORS})
def add_lab(request: HttpRequest, pk: Id, payload: LabIn) -> Status[Lab]:
    patient = patient_for(request, pk, Act.RECORD_LAB, write=True)
    lab = record_lab(
        patient,
        at=payload.at,
        kind=payload.kind,
        result=payload.result,
        finding=payload.finding,
        by=request.user,
        now=utc_now(),
        confirm_duplicate=payload.confirm_duplicate,
    )
    return Status(201, lab)
