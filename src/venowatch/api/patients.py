"""Patients, and what the protocol says about each: the worklist, one patient, the current
assessment (or as of any past instant) and its history."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from venowatch.api.access import patient_for
from venowatch.api.errors import READ_ERRORS, ApiError, not_found
from venowatch.api.language import asked_language
from venowatch.api.pages import Pages
from venowatch.api.schemas import AssessmentOut, ChangeOut, Id, Instant, PatientOut
from venowatch.clinic.models import Patient
from venowatch.protocol import Pathway, Urgency
from venowatch.services.care.reads import Records, records, standing_of, worklist
from venowatch.services.care.records import plausible
from venowatch.services.care.search import MAX_QUERY
from venowatch.services.care.zones import patient_zone
from venowatch.services.clock import utc_now
from venowatch.services.errors import FieldError
from venowatch.services.security.access import Act, log_refusal, may

router = Router(tags=["patients"])


class Filters(Schema):
    q: str | None = Field(
        None,
        max_length=MAX_QUERY,
        description="Find patients: any part of the name (any case, accents or not), or an "
        "identifier's whole value (an MRN, say). The order stays the worklist's.",
    )
    pathway: Pathway | None = None
    urgency: Urgency | None = None
    overdue: bool = False
    emergencies: bool = Field(
        False,
        description="Instead of the patients in your care, every patient of your clinic with "
        "an open emergency (a possible clot nobody has resolved), whoever's they are.",
    )


@router.get("", response={200: list[PatientOut], **READ_ERRORS})
@paginate(Pages)
def list_patients(request: HttpRequest, filters: Query[Filters]) -> Any:
    """The patients in your care, most urgent first, then the longest wait."""
    if not may(request.user, Act.VIEW):
        log_refusal(request.user, "worklist")
        raise not_found(None)
    chosen = {
        "q": filters.q,
        "emergencies": filters.emergencies,
        "pathway": filters.pathway.value if filters.pathway else None,
        "urgency": filters.urgency.value if filters.urgency else None,
        "overdue": filters.overdue,
    }
    return worklist(request.user, chosen)


@router.get("/{int:pk}", response={200: PatientOut, **READ_ERRORS})
def get_patient(request: HttpRequest, pk: Id) -> Patient:
    return patient_for(request, pk, Act.VIEW)


@router.get("/{int:pk}/assessment", response={200: AssessmentOut, **READ_ERRORS})
def get_assessment(request: HttpRequest, pk: Id, as_of: Instant | None = None) -> AssessmentOut:
    """What the protocol says now; with `as_of`, what it said then, from the records as they
    are (staff only)."""
    if as_of is None:
        patient = patient_for(request, pk, Act.VIEW)
        with asked_language(request):
            return AssessmentOut.of(
                standing_of(request.user, patient, utc_now()), patient_zone(patient)
            )
    patient = patient_for(request, pk, Act.VIEW_AS_OF)
    try:
        plausible("as_of", as_of, utc_now())
    except FieldError as exc:
        raise ApiError(422, exc.message, "query", "as_of") from None
    with asked_language(request):
        standing = standing_of(request.user, patient, utc_now(), as_of)
        return AssessmentOut.of(standing, patient_zone(patient))


@router.get("/{int:pk}/assessments", response={200: list[ChangeOut], **READ_ERRORS})
@paginate(Pages)
def list_changes(request: HttpRequest, pk: Id) -> Any:
    """How the assessment changed, and when: newest first."""
    patient = patient_for(request, pk, Act.VIEW)
    return records(request.user, patient, Records.CHANGES)
