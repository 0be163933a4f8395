"""Voiding and correcting a patient's records. Nothing is deleted: a void marks the record (who,
when, why) and a correction is a new record that supersedes the one in the path. Each goes
through services.care.corrections, which re-assesses the patient in the same transaction."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from venowatch.api.access import patient_for
from venowatch.api.errors import WRITE_ERRORS, not_found
from venowatch.api.schemas import (
    CheckInFix,
    CheckInOut,
    Id,
    LabFix,
    LabOut,
    Problem,
    ProcedureFix,
    ProcedureOut,
    VoidIn,
)
from venowatch.clinic.models import CheckIn, Lab, Patient, Procedure, Role
from venowatch.services.care import corrections
from venowatch.services.care.reads import Records, record_of
from venowatch.services.care.staff import clinician
from venowatch.services.clock import utc_now
from venowatch.services.security.access import Act, role_of

router = Router(tags=["corrections"])
FIX_ERRORS: dict[int, type[Problem]] = {**WRITE_ERRORS, 409: Problem}


def _record(request: HttpRequest, patient: Patient, kind: Records, pk: int) -> Any:
    row = record_of(request.user, patient, kind, pk)
    if row is None:
        raise not_found("rid")
    return row


@router.post("/{int:pk}/procedures/{int:rid}/void", response={200: ProcedureOut, **WRITE_ERRORS})
def void_procedure(request: HttpRequest, pk: Id, rid: Id, payload: VoidIn) -> Procedure:
    patient = patient_for(request, pk, Act.RECORD_PROCEDURE, write=True)
    row: Procedure = _record(request, patient, Records.PROCEDURES, rid)
    return corrections.void(row, reason=payload.reason, by=request.user, now=utc_now())


@router.post("/{int:pk}/procedures/{int:rid}/correct", response={201: ProcedureOut, **FIX_ERRORS})
def correct_procedure(
    request: HttpRequest, pk: Id, rid: Id, payload: ProcedureFix
) -> Status[Procedure]:
    patient = patient_for(request, pk, Act.RECORD_PROCEDURE, write=True)
    row: Procedure = _record(request, patient, Records.PROCEDURES, rid)
    performer = None
    if payload.performed_by_id is not None:
        performer = clinician(patient.clinic_id, payload.performed_by_id)
    new = corrections.correct_procedure(
        row, kind=payload.kind, performed_at=payload.performed_at, veins=payload.veins,
        performed_by=performer, note=payload.note, reason=payload.reason, by=request.user,
        now=utc_now(), confirm_duplicate=payload.confirm_duplicate,
    )  # fmt: skip
    return Status(201, new)


@router.post("/{int:pk}/labs/{int:rid}/void", response={200: LabOut, **WRITE_ERRORS})
def void_lab(request: HttpRequest, pk: Id, rid: Id, payload: VoidIn) -> Lab:
    patient = patient_for(request, pk, Act.RECORD_LAB, write=True)
    row: Lab = _record(request, patient, Records.LABS, rid)
    return corrections.void(row, reason=payload.reason, by=request.user, now=utc_now())


@router.post("/{int:pk}/labs/{int:rid}/correct", response={201: LabOut, **FIX_ERRORS})
def correct_lab(request: HttpRequest, pk: Id, rid: Id, payload: LabFix) -> Status[Lab]:
    patient = patient_for(request, pk, Act.RECORD_LAB, write=True)
    row: Lab = _record(request, patient, Records.LABS, rid)
    new = corrections.correct_lab(
        row, at=payload.at, kind=payload.kind, result=payload.result, finding=payload.finding,
        reason=payload.reason, by=request.user, now=utc_now(),
        confirm_duplicate=payload.confirm_duplicate,
    )  # fmt: skip
    return Status(201, new)


@router.post("/{int:pk}/checkins/{int:rid}/void", response={200: CheckInOut, **WRITE_ERRORS})
def void_checkin(request: HttpRequest, pk: Id, rid: Id, payload: VoidIn) -> CheckIn:
    """Staff void any check-in; a patient withdraws one they saved, within the clinic's window
    (an hour unless the clinic says otherwise)."""
    now = utc_now()
    if role_of(request.user) is Role.PATIENT:
        patient = patient_for(request, pk, Act.CHECK_IN, write=True)
        row: CheckIn = _record(request, patient, Records.CHECKINS, rid)
        return corrections.withdraw_checkin(
            patient, row, reason=payload.reason, by=request.user, now=now
        )
    patient = patient_for(request, pk, Act.CORRECT_CHECKIN, write=True)
    row = _record(request, patient, Records.CHECKINS, rid)
    return corrections.void(row, reason=payload.reason, by=request.user, now=now)


@router.post("/{int:pk}/checkins/{int:rid}/correct", response={201: CheckInOut, **FIX_ERRORS})
def correct_checkin(request: HttpRequest, pk: Id, rid: Id, payload: CheckInFix) -> Status[CheckIn]:
    patient = patient_for(request, pk, Act.CORRECT_CHECKIN, write=True)
    row: CheckIn = _record(request, patient, Records.CHECKINS, rid)
    new = corrections.correct_checkin(
        row, at=payload.at, pgic=payload.pgic, symptoms_returned=payload.symptoms_returned,
        symptoms=payload.symptoms, note=payload.note, reason=payload.reason, by=request.user,
        now=utc_now(), confirm_duplicate=payload.confirm_duplicate,
    )  # fmt: skip
    return Status(201, new)
