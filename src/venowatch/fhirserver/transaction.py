"""`POST /fhir/r4` and `/fhir/r4/`: a Bundle at the base URL. A `transaction` is imported all
or nothing and answered with a `transaction-response`; a `batch` is taken entry by entry and
answered with a `batch-response`; a `collection` or `searchset` (an export) is imported as
before, answered with an OperationOutcome reporting what was stored and what skipped.

Each entry's `request` is honoured or refused: POST adds (through the services), GET is served
by the same views as a direct GET, and PUT, DELETE and PATCH are refused, since venowatch never
edits or deletes a record over FHIR (corrections are made by people, with a reason)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from venowatch.api.auth import may_write
from venowatch.fhir import capability
from venowatch.fhirserver import entries
from venowatch.fhirserver.create import read_body
from venowatch.fhirserver.errors import body_refused, fhir, issue, outcome, outcome_of
from venowatch.services.clock import utc_now
from venowatch.services.integration.fhir_import import (
    EntryResult,
    ImportRefusedError,
    ImportReport,
    import_bundle,
)
from venowatch.services.security.access import Act, log_refusal, may, member_of
from venowatch.services.wire import BodyError


class _RolledBackError(Exception):
    """A transaction's GET entry failed after its writes: undo them, answer this."""

    def __init__(self, answer: HttpResponse) -> None:
        self.answer = answer


def route(api: NinjaAPI) -> None:
    """`POST /` on `api`, and transaction and batch in the CapabilityStatement."""
    api.api_operation(["POST"], "/")(base)
    for kind in ("transaction", "batch"):
        if kind not in capability.SYSTEM_INTERACTIONS:
            capability.SYSTEM_INTERACTIONS.append(kind)


def base(request: HttpRequest) -> HttpResponse:
    try:
        data = read_body(request)
    except BodyError as exc:
        return body_refused(exc)
    kind = data.get("type") if isinstance(data, Mapping) else None
    if isinstance(data, Mapping) and data.get("resourceType") == "Bundle":
        if kind in ("batch", "transaction") and not isinstance(data.get("entry", []), list):
            return outcome(
                400, "Bundle.entry must be an array", code="structure", expression="Bundle.entry"
            )
        if kind == "batch":
            return _batch(request, data)
        if kind == "transaction":
            return _transaction(request, data)
    return _import(request, data)


def _importer(request: HttpRequest) -> HttpResponse | None:
    """Importing (and so a transaction) is staff's, with write access."""
    member = member_of(request.user)
    if member is None or not may_write(request) or not may(request.user, Act.RECORD_PROCEDURE):
        log_refusal(request.user, "import")
        return outcome(403, "importing needs write access as staff", code="forbidden")
    return None


def _import(request: HttpRequest, data: Any) -> HttpResponse:
    denied = _importer(request)
    if denied is not None:
        return denied
    try:
        report = _imported(request, data)
    except ImportRefusedError as exc:
        return _refused(exc)
    skipped = [
        issue("warning", "not-supported", f"{s.resource_type}/{s.id or '(no id)'}: {s.reason}",
              s.path)
        for s in report.skipped
    ]  # fmt: skip
    summary = [issue("information", "informational", line) for line in report.summary()]
    return fhir(outcome_of(*summary, *skipped))


def _imported(request: HttpRequest, data: Any) -> ImportReport:
    member = member_of(request.user)
    assert member is not None
    return import_bundle(member.clinic, data, by=request.user, now=utc_now())


def _refused(exc: ImportRefusedError) -> HttpResponse:
    """An import a service refused; the issue's `expression` names the element at fault."""
    return outcome(422, f"nothing imported: {exc}", code="processing", expression=exc.expression)


def _transaction(request: HttpRequest, data: Mapping[str, Any]) -> HttpResponse:
    denied = _importer(request)
    if denied is not None:
        return denied
    found = entries.requests(data)
    refused = _refused_request(data, found)
    if refused is not None:
        return refused
    try:
        with transaction.atomic():
            report = _imported(request, data)
            reads = _reads(request, found)
    except ImportRefusedError as exc:
        return _refused(exc)
    except _RolledBackError as exc:
        return exc.answer
    answered = [
        reads[i] if method == "GET" else _answer_of(report.entries.get(i)) for i, method, _ in found
    ]
    return fhir(entries.response_bundle("transaction-response", answered))


def _refused_request(data: Mapping[str, Any], found: list[entries.Request]) -> HttpResponse | None:
    """A transaction is refused whole for one entry it cannot honour, naming the entry."""
    for i, method, url in found:
        if method is None:
            return outcome(
                400, "a transaction's entry needs a request (method and url)",
                code="required", expression=f"Bundle.entry[{i}].request",
            )  # fmt: skip
        if method not in ("POST", "GET"):
            return outcome(
                405, f"{entries.not_allowed(method)}; nothing in this transaction was stored",
                code="not-supported", expression=f"Bundle.entry[{i}].request.method",
            )  # fmt: skip
        problem = entries.post_problem(data, i, url) if method == "POST" else None
        if problem is not None:
            message, where = problem
            return outcome(400, f"{message}; nothing in this transaction was stored",
                           code="invalid", expression=where)  # fmt: skip
    return None


def _reads(request: HttpRequest, found: list[entries.Request]) -> dict[int, dict[str, Any]]:
    """The GET entries, read after the writes (FHIR's order); a failed one fails them all."""
    reads = {}
    for i, method, url in found:
        if method != "GET":
            continue
        answer, entry = entries.get(request, url or "")
        if answer.status_code >= 400:
            outcome = entry.get("response", {}).get("outcome") or outcome_of(
                issue("error", "processing", f"the read {url} failed")
            )
            problem = outcome["issue"][0]
            problem.setdefault("expression", [f"Bundle.entry[{i}].request.url"])
            problem["diagnostics"] += "; nothing in this transaction was stored"
            raise _RolledBackError(fhir(outcome, answer.status_code))
        reads[i] = entry
    return reads


def _answer_of(result: EntryResult | None) -> dict[str, Any]:
    if result is None:  # an entry without a resource venowatch could name
        result = EntryResult("200 OK", None, "not stored: the entry holds no resource")
    response: dict[str, Any] = {"status": result.status}
    if result.location is not None:
        response["location"] = result.location
    if result.note is not None:
        severity = "warning" if result.note.startswith("not stored") else "information"
        response["outcome"] = outcome_of(issue(severity, "informational", result.note))
    return {"response": response}


def _batch(request: HttpRequest, data: Mapping[str, Any]) -> HttpResponse:
    """Each entry on its own: one refused leaves the others stored."""
    answered = []
    for i, method, url in entries.requests(data):
        if method == "GET":
            answered.append(entries.get(request, url or "")[1])
        elif method == "POST":
            answered.append(entries.create_entry(request, data, i, url))
        elif method is None:
            answered.append(entries.refused_entry(
                400, "required", "a batch's entry needs a request (method and url)",
                f"Bundle.entry[{i}].request",
            ))  # fmt: skip
        else:
            answered.append(entries.refused_entry(
                405, "not-supported", entries.not_allowed(method),
                f"Bundle.entry[{i}].request.method",
            ))  # fmt: skip
    return fhir(entries.response_bundle("batch-response", answered))
