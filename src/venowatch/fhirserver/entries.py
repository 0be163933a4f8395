"""The entries of a transaction or batch: their requests, a GET served by the view a direct
GET reaches, a POST created as `POST /fhir/r4/<type>` creates, and the response Bundle."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import Resolver404, resolve

from venowatch.api.auth import may_write
from venowatch.fhirserver.create import etag, location
from venowatch.fhirserver.errors import fhir, issue, outcome_of
from venowatch.services.clock import utc_now
from venowatch.services.integration.fhir_create import CreateRefusedError, create
from venowatch.services.integration.fhir_records import fhir_base
from venowatch.services.wire import read_json

PREFIX = "/fhir/r4/"
Request = tuple[int, str | None, str | None]
"""An entry's index, its request's method (None without a request) and url."""

_PASSED_ON = ("HTTP_AUTHORIZATION", "HTTP_COOKIE", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT",
              "REMOTE_ADDR", "wsgi.url_scheme")  # fmt: skip
"""What a GET entry keeps of the request carrying it: who asks, and where the server is."""


def requests(data: Mapping[str, Any]) -> list[Request]:
    found: list[Request] = []
    for i, entry in enumerate(data.get("entry") or ()):
        request = entry.get("request") if isinstance(entry, Mapping) else None
        if not isinstance(request, Mapping):
            found.append((i, None, None))
            continue
        method, url = request.get("method"), request.get("url")
        found.append(
            (i, str(method).upper() if method else None, url if isinstance(url, str) else None)
        )
    return found


def post_problem(data: Mapping[str, Any], i: int, url: str | None) -> tuple[str, str] | None:
    """What is wrong with POST entry `i` (the message and the FHIRPath), if anything: it
    must carry a resource, of the type its url names."""
    entry = data["entry"][i]
    resource = entry.get("resource")
    if not isinstance(resource, Mapping):
        return "a POST entry needs the resource to create", f"Bundle.entry[{i}].resource"
    named = urlsplit(url or "").path.rstrip("/").rsplit("/", 1)[-1]
    kind = resource.get("resourceType")
    if named != kind:
        return (
            f"the request's url names {named or 'no type'!r} but the resource is a {kind!r}; "
            "a POST entry's url is the type it creates",
            f"Bundle.entry[{i}].request.url",
        )
    return None


def not_allowed(method: str) -> str:
    if method in ("PUT", "PATCH"):
        return (
            f"{method} is not supported: venowatch never edits a record over FHIR; a staff "
            "member corrects one, with a reason, and the correction is a new record"
        )
    if method == "DELETE":
        return (
            "DELETE is not supported: venowatch never deletes a record; a staff member voids "
            "one, with a reason, and it stays in the record"
        )
    return f"{method} is not supported in a bundle entry: POST and GET are"


def refused_entry(status: int, code: str, message: str, expression: str | None) -> dict[str, Any]:
    return {
        "response": {
            "status": _status_line(status),
            "outcome": outcome_of(issue("error", code, message, expression)),
        }
    }


def create_entry(
    request: HttpRequest, data: Mapping[str, Any], i: int, url: str | None
) -> dict[str, Any]:
    """A batch's POST entry, as `POST /fhir/r4/<type>` would take it, in its own savepoint."""
    problem = post_problem(data, i, url)
    if problem is not None:
        return refused_entry(400, "invalid", *problem)
    entry = data["entry"][i]
    where = f"Bundle.entry[{i}].resource"
    try:
        with transaction.atomic():
            done = create(
                request.user, entry.get("resource"), may_write=may_write(request),
                now=utc_now(), where=where,
            )  # fmt: skip
    except CreateRefusedError as exc:
        return refused_entry(exc.status, exc.code, str(exc), exc.expression)
    resource = done.resource
    return {
        "fullUrl": f"{fhir_base()}/{done.address}",
        "resource": resource,
        "response": {
            "status": _status_line(201),
            "location": location(resource),
            "etag": etag(resource),
            "lastModified": resource["meta"]["lastUpdated"],
        },
    }


def get(request: HttpRequest, url: str) -> tuple[HttpResponse, dict[str, Any]]:
    """A GET entry, answered by the view `GET /fhir/r4/<url>` reaches, as the same caller."""
    parts = urlsplit(url)
    path = parts.path
    base = urlsplit(fhir_base()).path + "/"
    if path.startswith(base):
        path = path[len(base) :]
    path = PREFIX + path.lstrip("/")
    answer = _served(request, path, parts.query)
    body: dict[str, Any] = {"status": _status_line(answer.status_code)}
    if answer.has_header("ETag"):
        body["etag"] = answer["ETag"]
    entry: dict[str, Any] = {"response": body}
    try:
        content = read_json(answer.content) if answer.content else None
    except ValueError:
        content = None
    if isinstance(content, dict) and "resourceType" in content:
        if answer.status_code >= 400 and content["resourceType"] == "OperationOutcome":
            body["outcome"] = content
        else:
            entry["resource"] = content
    return answer, entry


def _served(request: HttpRequest, path: str, query: str) -> HttpResponse:
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    if match is None or not path.startswith(PREFIX) or path.rstrip("/") == PREFIX.rstrip("/"):
        return _not_served(404, f"venowatch serves no {path} to read")
    sub = HttpRequest()
    sub.method = "GET"
    sub.path = sub.path_info = path
    sub.META = {k: v for k, v in request.META.items() if k in _PASSED_ON}
    sub.META.update(REQUEST_METHOD="GET", QUERY_STRING=query)
    sub.GET = QueryDict(query)
    sub.COOKIES = request.COOKIES
    for kept in ("user", "session"):
        if hasattr(request, kept):
            setattr(sub, kept, getattr(request, kept))
    answer: HttpResponse = match.func(sub, *match.args, **match.kwargs)
    if answer.status_code == 405:
        return _not_served(405, f"GET {path} is not served")
    return answer


def _not_served(status: int, message: str) -> HttpResponse:
    return fhir(outcome_of(issue("error", "not-found" if status == 404 else "not-supported",
                                 message)), status)  # fmt: skip


def response_bundle(kind: str, answered: list[dict[str, Any]]) -> dict[str, Any]:
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": kind}
    if answered:
        bundle["entry"] = answered
    return bundle


def _status_line(status: int) -> str:
    return f"{status} {HTTPStatus(status).phrase}"
