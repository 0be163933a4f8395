"""Cover: an advocate takes a colleague's patient over, with a reason, and anyone who sees the
patient can list who took them over. Who may is services.security.access; the rules are
services.care.takeovers."""

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import AwareDatetime, StringConstraints

from venowatch.api.access import patient_for, require_write
from venowatch.api.errors import READ_ERRORS, WRITE_ERRORS, not_found
from venowatch.api.schemas import Id, In, Out
from venowatch.clinic.models import Takeover
from venowatch.services.care.reads import takeovers
from venowatch.services.care.takeovers import REASON_MAX, take_over
from venowatch.services.clock import utc_now
from venowatch.services.security.access import Act, patient_to_take_over

router = Router(tags=["cover"])


class TakeoverIn(In):
    reason: Annotated[str, StringConstraints(max_length=REASON_MAX)]


class TakeoverOut(Out):
    id: int
    patient_id: int
    by_id: int | None
    previous_id: int | None
    reason: str
    at: AwareDatetime


@router.post("/{int:pk}/takeover", response={201: TakeoverOut, **WRITE_ERRORS})
def add_takeover(request: HttpRequest, pk: Id, payload: TakeoverIn) -> Status[Takeover]:
    """Become the patient's advocate (advocates only; any patient of your clinic not already
    yours), saying why. Their open tasks that were their advocate's or nobody's become yours."""
    require_write(request)
    patient = patient_to_take_over(request.user, pk)
    if patient is None:
        raise not_found()
    row = take_over(patient, by=request.user, reason=payload.reason, now=utc_now())
    return Status(201, row)


@router.get("/{int:pk}/takeovers", response={200: list[TakeoverOut], **READ_ERRORS})
def list_takeovers(request: HttpRequest, pk: Id) -> Any:
    """Who took the patient over, from whom, when and why: newest first."""
    patient = patient_for(request, pk, Act.VIEW)
    return takeovers(request.user, patient)
