"""The outcome figures for integrators and the foundation's analysts: `GET /outcomes`, the same
de-identified JSON as `venowatch outcomes --json`, or with `?format=csv` (or `Accept:
text/csv`) the same CSV as `--csv` (services.outcomes.export writes both). Who may see them is
the staff page's rule (services.security.access.outcome_clinics); the cohort's parameters are
read as the command line reads them (services.outcomes.cohort)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from venowatch.api.errors import READ_ERRORS, ApiError, not_found
from venowatch.api.schemas import Id
from venowatch.services.care.reads import outcome_figures
from venowatch.services.clock import utc_now
from venowatch.services.outcomes import export
from venowatch.services.outcomes.cohort import cohort
from venowatch.services.security.access import log_refusal, outcome_clinics

router = Router(tags=["outcomes"])

CSV = "text/csv"
LEFT_OUT_HEADER = "Venowatch-Left-Out-Consent-Withdrawn"
# A day is ten characters (2026-03-01); anything longer is refused before it is read.
Day = Annotated[str, Field(max_length=10)]


class CohortQuery(Schema):
    clinic: Id | None = None
    start: Day | None = Field(None, alias="from")
    end: Day | None = Field(None, alias="to")
    format: Literal["json", "csv"] | None = None


_CSV_ANSWER = {
    "description": "The figures as JSON (`venowatch outcomes --json`), or one row per episode "
    "as CSV with `?format=csv` or `Accept: text/csv` (`venowatch outcomes --csv`); the CSV "
    f"says how many patients were left out for a withdrawn consent in `{LEFT_OUT_HEADER}`.",
    "content": {
        "application/json": {"schema": {"type": "object", "additionalProperties": True}},
        CSV: {"schema": {"type": "string"}},
    },
}


@router.get(
    "",
    response={200: dict[str, Any], **READ_ERRORS},
    openapi_extra={"responses": {200: _CSV_ANSWER}},
)
def outcomes(request: HttpRequest, query: Query[CohortQuery]) -> Any:
    """How patients fare after a venoplasty, de-identified (no names, contact details or free
    text; patients as a keyed hash; days since the procedure, no dates): for analysts and
    administrators their clinic, for the installation's operator every clinic or `clinic`.
    `from` and `to` (YYYY-MM-DD, both included) select episodes by their venoplasty's day.
    Answered from the stored facts, which trail a changed record by a pass of the worker."""
    allowed = outcome_clinics(request.user)
    if allowed == []:
        log_refusal(request.user, "outcomes")
        raise not_found(None)
    if query.clinic is not None and allowed is not None and query.clinic not in allowed:
        log_refusal(request.user, "outcomes")
        raise ApiError(404, "no such clinic within your reach", "query", "clinic")
    chosen = cohort(query.clinic, query.start, query.end, allowed)
    figures, episodes = outcome_figures(request.user, chosen.clinics, utc_now(),
                                        chosen.start, chosen.end)  # fmt: skip
    if not _wants_csv(request, query.format):
        return export.as_json(figures, episodes, settings.SECRET_KEY)
    response = HttpResponse(
        export.as_csv(episodes, settings.SECRET_KEY), content_type=f"{CSV}; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="outcomes.csv"'
    response[LEFT_OUT_HEADER] = str(figures.left_out_withdrawn)
    response["Vary"] = "Accept"
    return response


def _wants_csv(request: HttpRequest, given: str | None) -> bool:
    """`format` if given; else CSV only when the Accept header prefers it to JSON (Django's
    negotiation: by q, then specificity, then order); JSON for `*/*` or no header."""
    if given is not None:
        return given == "csv"
    return request.get_preferred_type(["application/json", CSV]) == CSV
