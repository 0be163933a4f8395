"""The FHIR resources a CDS Hooks request is about: from its prefetch, else from the EHR's FHIR
server with the access token the EHR sent, else not at all (the caller answers 412)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from venowatch.services.wire import read_json

PATIENT_TOKEN = "{{context.patientId}}"

WINDOW = timedelta(days=730)
"""How far back check-ins and tests are asked for. The protocol weighs the check-ins since the
latest procedure against each other (the longest span it names is 3 to 4 months); two years
covers any follow-up still running, and keeps a chart of decades from being sent whole."""
CATEGORIES = "survey,laboratory"
"""Observation categories read: check-ins (survey) and blood and urine tests (laboratory);
vital signs, imaging and the rest say nothing the protocol weighs."""


def prefetch_templates(now: datetime) -> dict[str, str]:
    """What the patient-view service asks the EHR to send with each request, as of `now`.
    Procedures are all asked for (a patient has a few, and the protocol counts repeat
    venoplasties); check-ins and tests are bounded by category and date. CDS Hooks has no
    token for "today", so the date is written in when discovery is read: an EHR that caches
    the list asks for a little more than needed, never less. A search comes back as a Bundle;
    every page of it is read."""
    since = (now - WINDOW).date().isoformat()
    return {
        "patient": f"Patient/{PATIENT_TOKEN}",
        "procedures": f"Procedure?patient={PATIENT_TOKEN}",
        "responses": f"QuestionnaireResponse?patient={PATIENT_TOKEN}&authored=ge{since}",
        "observations": (
            f"Observation?patient={PATIENT_TOKEN}&category={CATEGORIES}&date=ge{since}"
        ),
    }


FETCH_TIMEOUT = 10.0
MAX_PAGES = 50
"""Pages of one search followed at most (a page is usually 50 to 1000 resources)."""
MAX_RESPONSE_BYTES = 32 << 20


@dataclass(frozen=True, slots=True)
class FhirAccess:
    """The EHR's FHIR server and the bearer token it gave for this request."""

    server: str
    access_token: str


@dataclass(frozen=True, slots=True)
class MissingDataError(Exception):
    """Data the service needs is neither prefetched nor fetchable (HTTP 412)."""

    message: str

    def __str__(self) -> str:
        return self.message


Fetch = Callable[[str, FhirAccess], Any]


def gather(
    prefetch: Mapping[str, Any],
    patient_id: str,
    access: FhirAccess | None,
    now: datetime,
    fetch: Fetch | None = None,
) -> list[Mapping[str, Any]]:
    """Every resource or Bundle (page) for the service's prefetch keys as of `now`. A key the
    EHR left out, sent as null, or answered with an OperationOutcome is fetched; so is every
    next page of a Bundle. What the EHR sent is read as it is: more than the bounds asked (an
    EHR that ignores a search parameter) or less (nothing in the window) are both fine."""
    get = fetch or fetch_json
    found: list[Mapping[str, Any]] = []
    for key, template in prefetch_templates(now).items():
        value = prefetch.get(key)
        resource: Mapping[str, Any]
        if isinstance(value, dict) and _usable(value):
            resource = value
        else:
            if access is None:
                raise MissingDataError(
                    f"prefetch {key!r} ({template}) is missing and no fhirServer with "
                    "fhirAuthorization was given to fetch it"
                )
            relative = template.replace(PATIENT_TOKEN, urllib.parse.quote(patient_id, safe=""))
            resource = _resource(get(f"{access.server}/{relative}", access), key)
        found.append(_whole(resource, key))
        found += _next_pages(resource, key, access, get)
    return found


def _whole(resource: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A Bundle must list its entries; the FHIR reader takes the rest as it comes."""
    if resource.get("resourceType") == "Bundle" and not isinstance(resource.get("entry", []), list):
        raise MissingDataError(f"{key!r} is a Bundle whose entry is not a list")
    return resource


def _usable(value: object) -> bool:
    return isinstance(value, dict) and value.get("resourceType") not in (None, "OperationOutcome")


def _resource(value: object, key: str) -> Mapping[str, Any]:
    if not isinstance(value, dict) or not _usable(value):
        raise MissingDataError(f"the FHIR server sent no resource for {key!r}")
    return value


def _next_pages(
    bundle: Mapping[str, Any], key: str, access: FhirAccess | None, get: Fetch
) -> list[Mapping[str, Any]]:
    pages: list[Mapping[str, Any]] = []
    page = bundle
    while (url := _next_link(page)) is not None:
        if access is None:
            raise MissingDataError(
                f"prefetch {key!r} has more pages and no fhirServer with fhirAuthorization "
                "was given to fetch them"
            )
        if not url.startswith(f"{access.server}/"):
            # The access token goes to the EHR's FHIR server only, never to another host.
            raise MissingDataError(f"the next page of {key!r} is not on the fhirServer: {url}")
        if len(pages) == MAX_PAGES:
            raise MissingDataError(f"{key!r} has more than {MAX_PAGES} pages")
        page = _whole(_resource(get(url, access), key), key)
        pages.append(page)
    return pages


def _next_link(resource: Mapping[str, Any]) -> str | None:
    if resource.get("resourceType") != "Bundle":
        return None
    links = resource.get("link")
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            return url if isinstance(url, str) and url else None
    return None


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """urllib would resend the Authorization header to wherever a redirect points."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_NO_REDIRECTS = urllib.request.build_opener(_RefuseRedirects)


def fetch_json(url: str, access: FhirAccess) -> Any:
    """GET one FHIR resource or search page; MissingDataError says why it could not be had."""
    request = urllib.request.Request(
        url,
        headers={
            "Accept": "application/fhir+json",
            "Authorization": f"Bearer {access.access_token}",
        },
    )
    try:
        with _NO_REDIRECTS.open(request, timeout=FETCH_TIMEOUT) as response:
            raw = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise MissingDataError(f"the FHIR server answered {exc.code} to GET {url}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise MissingDataError(
            f"the FHIR server could not be reached for GET {url}: {exc}"
        ) from None
    if len(raw) > MAX_RESPONSE_BYTES:
        raise MissingDataError(f"the FHIR server's answer to GET {url} is too large")
    try:
        return read_json(raw)
    except ValueError:
        raise MissingDataError(f"the FHIR server's answer to GET {url} is not JSON") from None
