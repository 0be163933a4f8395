"""The FHIR REST read side: the CapabilityStatement, read and vread with ETags, and search
with paging. Each handler parses the request, calls services.care.reads, and writes FHIR
JSON; the rules are in services.integration.fhir_search, the parsing in venowatch.fhir.query."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from venowatch.fhir.capability import INTERACTIONS, capability_statement
from venowatch.fhir.query import QueryError, parse
from venowatch.fhirserver.errors import FhirError, fhir
from venowatch.services.care import reads
from venowatch.services.clock import utc_now
from venowatch.services.integration.fhir_export import fhir_base
from venowatch.services.integration.fhir_search import zone_of

PUBLIC = frozenset({"Questionnaire", "CodeSystem"})
"""Definitions, the same for everyone and about no patient: served without a token."""
SEARCHED = [kind for kind, acts in INTERACTIONS.items() if "search-type" in acts]


def software_version() -> str:
    try:
        return version("venowatch")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unreleased"


def metadata(request: HttpRequest) -> HttpResponse:
    return fhir(capability_statement(fhir_base(), software_version()))


def authenticate(request: HttpRequest, auth: list[Any], kind: str) -> None:
    """What ninja does for a route with `auth`, for routes that serve patients' records only
    to a signed-in reader and the definitions to anyone (a signed-in reader gets them as
    their clinic's protocol words them)."""
    for check in auth:
        found = check(request)
        if found:
            request.auth = found  # type: ignore[attr-defined]
            return
    if kind not in PUBLIC:
        raise AuthenticationError()


def _etag(resource: dict[str, Any]) -> str:
    return f'W/"{resource["meta"]["versionId"]}"'


def _matches(request: HttpRequest, etag: str) -> bool:
    """Whether If-None-Match names this version (or is `*`)."""
    sent = request.headers.get("If-None-Match")
    if sent is None:
        return False
    tags = {t.strip().removeprefix("W/") for t in sent.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


def answer(request: HttpRequest, resource: dict[str, Any]) -> HttpResponse:
    """A resource with its ETag and Last-Modified; a 304 if the client holds this version."""
    etag = _etag(resource)
    headers = {"ETag": etag}
    updated = resource["meta"].get("lastUpdated")
    if updated is not None:
        headers["Last-Modified"] = format_datetime(datetime.fromisoformat(updated), usegmt=True)
    if _matches(request, etag):
        response = HttpResponse(status=304)
        for name, value in headers.items():
            response[name] = value
        return response
    location = f"{fhir_base()}/{resource['resourceType']}/{resource['id']}"
    headers["Content-Location"] = f"{location}/_history/{resource['meta']['versionId']}"
    return fhir(resource, headers=headers)


def _found(request: HttpRequest, kind: str, id_: str, auth: list[Any]) -> dict[str, Any]:
    authenticate(request, auth, kind)
    resource = reads.fhir_resource(request.user, kind, id_, utc_now())
    if resource is None:
        raise FhirError(404, f"{kind}/{id_} is not known here, or not one you may see")
    return resource


def read_view(kind: str, auth: list[Any]) -> Callable[..., HttpResponse]:
    def read(request: HttpRequest, id: str) -> HttpResponse:  # FHIR's name
        return answer(request, _found(request, kind, id, auth))

    read.__name__ = f"read_{kind}"
    return read


def vread_view(kind: str, auth: list[Any]) -> Callable[..., HttpResponse]:
    """Only the current version is kept: any other is a 404 that says which is current."""

    def vread(request: HttpRequest, id: str, vid: str) -> HttpResponse:
        resource = _found(request, kind, id, auth)
        current = resource["meta"]["versionId"]
        if vid != current:
            raise FhirError(
                404,
                f"{kind}/{id} has no version {vid!r} here: only the current version "
                f"({current}) is kept",
                code="not-found",
            )
        return answer(request, resource)

    vread.__name__ = f"vread_{kind}"
    return vread


def search_view(kind: str, auth: list[Any]) -> Callable[..., HttpResponse]:
    def search(request: HttpRequest) -> HttpResponse:
        authenticate(request, auth, kind)
        strict = "handling=strict" in request.headers.get("Prefer", "").replace(" ", "")
        sent = [(k, v) for k, vs in request.GET.lists() for v in vs if k != "_format"]
        try:
            query = parse(kind, sent, zone_of(request.user), strict=strict)
        except QueryError as exc:
            raise FhirError(400, f"{kind}?{exc.parameter}: {exc.message}") from None
        page = reads.fhir_found(request.user, query, utc_now())
        return fhir(searchset(query, page.total, page.resources))

    search.__name__ = f"search_{kind}"
    return search


def searchset(query: Any, total: int, resources: list[dict[str, Any]]) -> dict[str, Any]:
    from venowatch.fhir.query import page_links

    base = fhir_base()
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": page_links(base, query, total),
    }
    if resources:
        bundle["entry"] = [
            {
                "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ]
    return bundle


def route(api: NinjaAPI, auth: list[Any]) -> None:
    """Register the read side's routes on `api`, one literal path per resource type, so that
    another module adds a method (POST /Observation) to the same path."""
    api.api_operation(["GET"], "/metadata", auth=None)(metadata)
    for kind in INTERACTIONS:
        if kind in SEARCHED:
            api.api_operation(["GET"], f"/{kind}", auth=None)(search_view(kind, auth))
        api.api_operation(["GET"], f"/{kind}/{{id}}", auth=None)(read_view(kind, auth))
        api.api_operation(["GET"], f"/{kind}/{{id}}/_history/{{vid}}", auth=None)(
            vread_view(kind, auth)
        )
