"""Every error under /fhir/r4/ as an OperationOutcome with the right status, in one place.

Two layers catch them: the API's exception handlers (`install`) for what a handler raises,
and `guard`, wrapped around every URL of the FHIR server, for what happens around the
handlers: the 405 of a path served for other methods, the 406 of a client asking for XML, the
413 of a body over the limit, the 404 of a path nobody serves, and any answer that is not
FHIR JSON. A client of this server never sees an HTML page."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import msgspec
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from venowatch.services.errors import FieldError
from venowatch.services.security import audit
from venowatch.services.wire import BodyError, DuplicateKeyError, TooLargeError, fhir_path

log = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"
BEARER = 'Bearer realm="venowatch FHIR R4"'
_JSON_FORMATS = {"json", "application/json", "application/fhir+json", "application/json+fhir"}
_ACCEPTED = {*_JSON_FORMATS, "*/*", "application/*"}
_CODES = {
    400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
    406: "not-supported", 409: "conflict", 410: "deleted", 412: "conflict", 413: "too-costly",
    415: "not-supported", 422: "processing", 429: "throttled",
}  # fmt: skip
_WORDS = {
    400: "the request is not one this server can read",
    401: "this needs an API token: send 'Authorization: Bearer <token>'",
    403: "the token or user may not do this",
    404: "nothing is served at this address",
    405: "this address does not answer that method",
    413: "the body is larger than this server takes",
}


class FhirError(Exception):
    """Refuse a request with an OperationOutcome: for handlers of any module of the FHIR
    server (a 409 or 412 on a version conflict, for instance). `expression` is FHIRPath."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        expression: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.expression = expression
        self.code = code or _CODES.get(status, "processing")
        self.headers = headers or {}


def check_if_match(request: HttpRequest, kind: str, id_: str, current: str | None) -> None:
    """`If-Match` on a write to an existing resource: a 412 unless it names the current
    version (`current`, None when there is no such resource yet: a 412 too, as the client
    expected one)."""
    sent = request.headers.get("If-Match")
    if sent is None:
        return
    tags = {t.strip().removeprefix("W/").strip('"') for t in sent.split(",")}
    if current is None or ("*" not in tags and current not in tags):
        now = f"is at version {current}" if current is not None else "does not exist"
        raise FhirError(412, f"If-Match: {sent} does not hold: {kind}/{id_} {now}", code="conflict")


def fhir(
    data: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    """FHIR JSON, compact, encoded by msgspec: a page of a search is tens of kilobytes, and
    the standard library's encoder took as long as reading the page's rows."""
    response = HttpResponse(msgspec.json.encode(data), status=status, content_type=FHIR_JSON)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def printable(text: str) -> str:
    """`text` as a FHIR string may hold it: what a client sent (a parameter's name, say) is
    echoed with its control and odd space characters escaped, as `\\u0085`."""
    kept = (" ", "\r", "\n", "\t")
    return (
        "".join(
            c if c in kept or (c.isprintable() and not c.isspace()) else f"\\u{ord(c):04x}"
            for c in text
        )
        or "(nothing)"
    )


def issue(severity: str, code: str, diagnostics: str, expression: str | None = None) -> Any:
    found: dict[str, Any] = {
        "severity": severity,
        "code": code,
        "diagnostics": printable(diagnostics),
    }
    if expression:
        found["expression"] = [expression]
    return found


def outcome_of(*issues: dict[str, Any]) -> dict[str, Any]:
    """An OperationOutcome of `issues` (from `issue`), as a resource: for a bundle entry's
    response, or an answer of several issues."""
    return {"resourceType": "OperationOutcome", "issue": list(issues)}


def outcome(
    status: int,
    diagnostics: str,
    *,
    code: str | None = None,
    expression: str | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """An OperationOutcome of one error; a 401 says how to authenticate."""
    found = issue("error", code or _CODES.get(status, "processing"), diagnostics, expression)
    headers = dict(headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", BEARER)
    return fhir(outcome_of(found), status, headers)


def refused(exc: FhirError) -> HttpResponse:
    return outcome(
        exc.status, exc.message, code=exc.code, expression=exc.expression, headers=exc.headers
    )


def field_error(exc: FieldError, status: int = 422) -> HttpResponse:
    """A service's refusal: the field it names is the issue's FHIRPath expression."""
    return outcome(status, exc.message, code="processing", expression=exc.field)


def body_refused(exc: BodyError) -> HttpResponse:
    """A body the JSON reader refused: 413 too large, 422 a key given twice (its element in
    `expression`), 400 anything else (not JSON, nested too deep)."""
    # FHIR's JSON format forbids a property twice: a structural fault, as unparsable JSON is.
    expression = None
    if isinstance(exc, DuplicateKeyError):
        expression = fhir_path(exc.root_type or "Bundle", exc.at)
    return outcome(
        exc.status,
        f"the request body is refused: {exc.message}",
        code="too-costly" if isinstance(exc, TooLargeError) else "structure",
        expression=expression,
    )


def install(api: NinjaAPI) -> None:
    """The FHIR server's answers to what its handlers raise."""

    @api.exception_handler(FhirError)
    def _fhir_error(request: HttpRequest, exc: FhirError) -> HttpResponse:
        return refused(exc)

    @api.exception_handler(FieldError)
    def _field_error(request: HttpRequest, exc: FieldError) -> HttpResponse:
        return field_error(exc)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return outcome(401, _WORDS[401])

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, BodyError):  # ninja wraps what the body parser raised
            return body_refused(exc.__cause__)
        return outcome(exc.status_code, str(exc))

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return outcome(404, str(exc) or "no such resource, or not one you may see")

    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        words = "; ".join(str(e.get("msg", e)) for e in exc.errors)
        return outcome(400, f"the request is not valid: {words}")

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return outcome(413, _WORDS[413])


def unacceptable(request: HttpRequest) -> HttpResponse | None:
    """A 406 when the client wants a format other than JSON (`_format`, or an Accept header
    none of whose types is JSON); None when JSON will do."""
    wanted = request.GET.get("_format")
    if wanted is not None and wanted.strip().lower() not in _JSON_FORMATS:
        return outcome(406, f"_format={wanted} is not served: this server speaks FHIR JSON "
                            "only (_format=json)")  # fmt: skip
    accept = request.headers.get("Accept", "").strip()
    if not accept:
        return None
    types = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    if types & _ACCEPTED:
        return None
    return outcome(406, f"Accept: {accept} is not served: this server speaks FHIR JSON only "
                        f"({FHIR_JSON})")  # fmt: skip


def guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`view` as the FHIR server serves it: CSRF-exempt (its writes authenticate by bearer
    token, or by a session with its CSRF token, which the API's session auth checks), JSON
    only, and every error an OperationOutcome."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = unacceptable(request)
        if refusal is not None:
            return refusal
        try:
            response = view(request, *args, **kwargs)
            # The request's reads committed to the audit log before the answer leaves (those
            # committed beside the view are waited for): a failure is this 500, with no data.
            audit.flush()
        except RequestDataTooBig:
            return outcome(413, _WORDS[413])
        except Exception:
            log.exception("FHIR request %s %s failed", request.method, request.path)
            return outcome(500, "the server failed on this request; it has been logged",
                           code="exception")  # fmt: skip
        return _as_fhir(response)

    return csrf_exempt(guarded)


def _as_fhir(response: HttpResponse) -> HttpResponse:
    """An answer that is not FHIR JSON (ninja's 405, Django's pages) as an OperationOutcome."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith(FHIR_JSON):
        if response.status_code == 401 and not response.has_header("WWW-Authenticate"):
            response["WWW-Authenticate"] = BEARER
        return response
    status = response.status_code
    headers = {"Allow": response["Allow"]} if response.has_header("Allow") else {}
    words = _WORDS.get(status, "the request could not be answered")
    if headers:
        words = f"{words}; it answers {response['Allow']}"
    return outcome(status, words, headers=headers)


@guard
def unrouted(request: HttpRequest, path: str = "") -> HttpResponse:
    """Whatever no route of the FHIR server serves: a 404 naming what is served."""
    return outcome(
        404,
        f"nothing is served at /fhir/r4/{path}: see /fhir/r4/metadata for what this server serves",
        code="not-found",
    )
