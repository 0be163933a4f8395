"""REST API v1: the JSON face of the services layer, for integrations and the browser."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError, ValidationErrorContext

from venowatch.api import contacts, corrections, cover, outcomes, patients, records, tasks
from venowatch.api.auth import AUTH, TokenRefusedError
from venowatch.api.errors import ApiError, body_loc, problem
from venowatch.api.guard import too_large
from venowatch.api.parser import WireParser
from venowatch.services.errors import DuplicateRecordError, FieldError
from venowatch.services.security.idempotency import KeyReusedError
from venowatch.services.wire import BodyError, DuplicateKeyError


class _Api(NinjaAPI):
    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        """ninja's validation errors with `loc` as every other refusal gives it (api/errors.py);
        an absent body says so in words."""
        found = super().validation_error_from_error_contexts(error_contexts)
        singles = {getattr(c.model, "__read_from_single_attr__", None) for c in error_contexts}
        single = next((s for s in singles if s), None)
        for error in found.errors:
            error["loc"] = body_loc(tuple(error["loc"]), single)
            if error["loc"] == ["body"] and error.get("type") == "missing":
                error["msg"] = "the request has no body: send a JSON object"
        return found


api = _Api(
    title="venowatch API",
    version="1",
    description=(
        "Follow-up after venoplasty: patients, their records, and what the clinic's protocol "
        "says to do now, clause by clause. Decision support applying one clinic's protocol; "
        "it does not diagnose. Authenticate with `Authorization: Bearer <token>` (made by an "
        "administrator, read or write, for one clinic) or a signed-in session with its CSRF "
        "token. Instants are RFC 3339 with a UTC offset."
    ),
    auth=AUTH,
    urls_namespace="api-v1",
    parser=WireParser(),
)
api.add_router("/patients", patients.router)
api.add_router("/patients", records.router)
api.add_router("/patients", cover.router)
api.add_router("/patients", corrections.router)
api.add_router("/patients", contacts.router)
api.add_router("/tasks", tasks.router)
api.add_router("/outcomes", outcomes.router)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api.create_response(request, problem(exc.message, *exc.loc), status=exc.status)


@api.exception_handler(FieldError)
def _refused(request: HttpRequest, exc: FieldError) -> HttpResponse:
    """Every refusal by a service, whichever endpoint called it, answered here."""
    loc = _LOCS.get(exc.field, ("body", exc.field))
    return api.create_response(request, problem(exc.message, *loc), status=422)


@api.exception_handler(DuplicateRecordError)
def _duplicate(request: HttpRequest, exc: DuplicateRecordError) -> HttpResponse:
    """A likely repeat: 409, naming the stored record and the field that confirms it."""
    message = (
        f"{exc.message} (id {exc.existing}); if this is another one, send it again with "
        f'"{exc.field}": true'
    )
    return api.create_response(request, problem(message, "body", exc.field), status=409)


_LOCS: dict[str, tuple[str, ...]] = {
    "performed_by": ("body", "performed_by_id"),
    "assignee": ("body", "assignee_id"),
    "record": ("path", "rid"),
    "task": ("path", "pk"),
    "patient": ("path", "pk"),
    "by": (),
    # The outcome figures' cohort is chosen in the query (services.outcomes.cohort).
    "clinic": ("query", "clinic"),
    "from": ("query", "from"),
    "to": ("query", "to"),
}
"""Where a service's field is in the request: the services name a person, the API's bodies give
their id; the record, task or patient acted on is the path's id; `by` is the one asking."""


@api.exception_handler(KeyReusedError)
def _key_reused(request: HttpRequest, exc: KeyReusedError) -> HttpResponse:
    message = "this Idempotency-Key was used for a different request; use a new key"
    return api.create_response(request, problem(message, "header", "Idempotency-Key"), status=422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = "sign in, or send a valid token as `Authorization: Bearer <token>`"
    return api.create_response(request, problem(message, "header", "Authorization"), status=401)


@api.exception_handler(TokenRefusedError)
def _token_refused(request: HttpRequest, exc: TokenRefusedError) -> HttpResponse:
    return api.create_response(request, problem(exc.message, "header", "Authorization"), status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, BodyError):  # ninja wraps what the parser raised
        return _body_refused(request, exc.__cause__)
    if exc.status_code == 403 and exc.message == _NINJA_CSRF:
        return api.create_response(request, problem(_CSRF, "header", "X-CSRFToken"), status=403)
    return api.create_response(request, problem(exc.message), status=exc.status_code)


_NINJA_CSRF = "CSRF check Failed"
_CSRF = (
    "a signed-in session must send its CSRF token in the X-CSRFToken header; an integration "
    "sends `Authorization: Bearer <token>` instead"
)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """Past Django's own limit on a body held in memory, before the parser is reached."""
    return too_large()


def _body_refused(request: HttpRequest, exc: BodyError) -> HttpResponse:
    """400 not JSON or too deep, 413 too large, 422 a duplicated key (whose loc names it)."""
    loc: list[str | int] = ["body"]
    if isinstance(exc, DuplicateKeyError):
        loc += exc.at
    message = f"the request body is refused: {exc.message}"
    return api.create_response(request, problem(message, *loc), status=exc.status)
