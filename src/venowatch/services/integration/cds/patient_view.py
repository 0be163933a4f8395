"""The patient-view CDS service: an EHR opens a patient's chart, venowatch reads the patient's
procedures, check-ins and labs from the EHR's FHIR data, applies the calling clinic's protocol
as of now and answers with one card.

For a patient venowatch knows (matched by an identifier the EHR sent), the card weighs
venowatch's own records merged with the EHR's (cds.merging: the same record twice counts
once), says which sources it used, and is never less urgent than venowatch's own current
assessment of the patient, nor than an emergency venowatch raised for them that nobody has
resolved yet: a patient who reported a possible clot in venowatch's app is critical in the EHR
too, whatever the EHR holds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from venowatch.clinic.models import Clinic
from venowatch.fhir.reading import Reading, read
from venowatch.protocol import Pathway, Protocol, Urgency
from venowatch.services.care.assessing import assess_timeline
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.reads import Known, decision_support
from venowatch.services.integration.cds.cards import Floor, patient_view_card
from venowatch.services.integration.cds.merging import Counts, merged
from venowatch.services.integration.cds.prefetch import (
    Fetch,
    FhirAccess,
    MissingDataError,
    prefetch_templates,
)
from venowatch.services.integration.cds.prefetch import gather as gather_resources
from venowatch.services.integration.fhir_import import known_as
from venowatch.services.wire import read_json

SERVICE_ID = "venowatch-patient-view"
HOOK = "patient-view"

SERVICE_IDS = frozenset({SERVICE_ID})
"""The services offered (discovery lists them; anything else under /cds-services is a 404)."""


def services(now: datetime) -> list[dict[str, Any]]:
    """The services as the discovery endpoint lists them as of `now` (the prefetch's dates)."""
    return [
        {
            "hook": HOOK,
            "id": SERVICE_ID,
            "title": "venowatch: follow-up after venoplasty",
            "description": (
                "Applies the clinic's restenosis follow-up protocol to the patient's "
                "venoplasties, check-ins and blood and urine tests, and says what it advises "
                "now and why. Decision support, not diagnosis."
            ),
            "prefetch": prefetch_templates(now),
        }
    ]


@dataclass(frozen=True, slots=True)
class BadRequestError(Exception):
    """A request body this service cannot take (HTTP 400)."""

    message: str

    def __str__(self) -> str:
        return self.message


class _Strict(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class _Authorization(_Strict):
    access_token: str = Field(min_length=1)
    token_type: str = Field(pattern="^[Bb]earer$")


class _Context(_Strict):
    # A FHIR id: it goes into the URLs fetched from the EHR, so nothing else may pass.
    patient_id: str = Field(alias="patientId", pattern=r"^[A-Za-z0-9\-.]{1,64}$")


class _Request(_Strict):
    hook: str
    hook_instance: str = Field(alias="hookInstance", min_length=1)
    fhir_server: str | None = Field(None, alias="fhirServer", pattern="^https?://[^?#]+$")
    fhir_authorization: _Authorization | None = Field(None, alias="fhirAuthorization")
    context: _Context
    prefetch: dict[str, Any] | None = None


def patient_view(
    clinic: Clinic,
    body: bytes,
    now: datetime,
    link: Callable[[int | None], str],
    servers: frozenset[str] = frozenset(),
    fetch: Fetch | None = None,
) -> dict[str, Any]:
    """The service's answer, `{"cards": [card]}`, assessed with `clinic`'s protocol as of
    `now`. The card links to `link(pk)` for the venowatch patient the EHR's Patient is known as
    (by an identifier an import kept), else to `link(None)`. Missing data is fetched only from
    one of `servers`, the FHIR servers the issuer's administrator listed: otherwise any EHR
    holding a token could make venowatch request any address. Raises wire.BodyError for a body
    that is not JSON venowatch reads, BadRequestError for a request this service cannot take,
    or prefetch.MissingDataError when the data cannot be had."""
    request = _parsed(body)
    patient_id = request.context.patient_id
    access = None
    refused = None
    if request.fhir_server and request.fhir_authorization:
        server = request.fhir_server.rstrip("/")
        if server in servers:
            access = FhirAccess(server, request.fhir_authorization.access_token)
        else:
            refused = server
    try:
        resources = gather_resources(request.prefetch or {}, patient_id, access, now, fetch)
    except MissingDataError as exc:
        if refused is None:
            raise
        raise MissingDataError(
            f"{exc}; the fhirServer {refused} is not one of this issuer's FHIR servers "
            "(an administrator lists them under Trusted issuers)"
        ) from None
    reading = read(resources)
    timeline, skipped = reading.timeline_for(patient_id)
    protocol = clinic_protocol(clinic)
    pk = _known_patient(clinic, reading, patient_id)
    known = decision_support(None, clinic, pk, now) if pk is not None else None
    if known is None:
        assessment = assess_timeline(timeline, protocol, as_of=now)
        card = patient_view_card(
            assessment, protocol, link(pk), skipped=len(skipped), sources=Counts.of(timeline)
        )
        return {"cards": [card]}
    both = merged(timeline, known.timeline)
    assessment = assess_timeline(both.timeline, protocol, as_of=now)
    card = patient_view_card(
        assessment,
        protocol,
        link(pk),
        skipped=len(skipped),
        sources=both,
        floor=_floor(known, protocol),
    )
    return {"cards": [card]}


def _floor(known: Known, protocol: Protocol) -> Floor:
    """venowatch's own view of the patient, for the card never to be less urgent."""
    task = known.open_emergency
    if task is not None:
        when = task.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return Floor(
            Pathway.POSSIBLE_THROMBOSIS,
            Urgency.EMERGENCY,
            f"venowatch has an open emergency for this patient: a possible blood clot, "
            f"reported {when}, not yet resolved by the care team.",
        )
    s = known.standing
    title = protocol.pathways[s.pathway].title.staff
    return Floor(s.pathway, s.urgency, f"venowatch's own assessment of this patient: {title}.")


def _known_patient(clinic: Clinic, reading: Reading, patient_id: str) -> int | None:
    wanted = f"Patient/{patient_id}"
    pks = known_as(clinic, {i for p in reading.patients if p.key == wanted for i in p.identifiers})
    # Two venowatch patients for one EHR patient is a mix-up to sort out, not to guess at.
    return pks.pop() if len(pks) == 1 else None


def _parsed(body: bytes) -> _Request:
    data = read_json(body)  # a BodyError goes to the edge, which answers with its status
    if not isinstance(data, Mapping):
        raise BadRequestError("the request body must be a JSON object")
    try:
        request = _Request.model_validate(data)
    except ValidationError as exc:
        raise BadRequestError("; ".join(_problem(e) for e in exc.errors())) from None
    if request.hook != HOOK:
        raise BadRequestError(f"this service answers the {HOOK} hook, not {request.hook!r}")
    return request


def _problem(error: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "body"
    return f"{where}: {error['msg']}"
