"""Every answer under /api/ in the API's one error shape, whatever path or method was asked.

The API's exception handlers (api/v1.py) answer what a handler raises. What happens around
the handlers is answered here: `guard`, wrapped around every route, turns ninja's plain-text
405 and any other answer that is not JSON into `{"detail": [...]}`, a body past Django's own
limit into a 413 (Django would log it with a traceback and answer an HTML 400), and a crash
into a logged JSON 500; `unrouted` answers every path no route serves with a JSON 404 that
says which part of the path is wrong (an id that is not a number, a trailing slash)."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

from venowatch.api.errors import problem
from venowatch.services.wire import TooLargeError, body_limit

log = logging.getLogger(__name__)

UNROUTED = "api-unrouted"
"""The URL name of the catch-all, so that a guess at what was meant never lands on it."""
_JSON = "application/json"
_JSON_UTF8 = "application/json; charset=utf-8"
_WORDS = {
    400: "the request is not one this API can read",
    401: "sign in, or send a valid token as `Authorization: Bearer <token>`",
    403: "you may not do this",
    404: "nothing is served at this address",
    406: "this API answers in JSON only",
    429: "too many requests; wait a little and try again",
}
_SENTINEL = 987_654_321
"""A number no client sends, put in place of a path segment to learn which id it was."""


def answer(status: int, message: str, *loc: str | int, headers: Any = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(problem(message, *loc)), status=status, content_type=_JSON_UTF8
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def too_large() -> HttpResponse:
    """A body past Django's in-memory limit, refused before the parser saw it: the limit said
    is the lower of the two, the one that refused it."""
    limit = min(body_limit("api"), settings.DATA_UPLOAD_MAX_MEMORY_SIZE or body_limit("api"))
    return answer(413, f"the request body is refused: {TooLargeError(limit).message}", "body")


def guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except RequestDataTooBig:
            return too_large()
        except Exception:
            # A bug, not the client's fault: the traceback is for the log, not the answer.
            log.exception("API request %s %s failed", request.method, request.path)
            return answer(500, "the server failed on this request; it has been logged")
        return as_json(request, response)

    return csrf_exempt(guarded)


def as_json(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """An error answer that is not JSON (ninja's 405, a page of Django's) in the API's shape."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith(_JSON):
        return response
    status = response.status_code
    if status == 405:
        allowed = response.get("Allow", "")
        return answer(
            405,
            f"{request.method} is not served at {request.path}; it answers {allowed}",
            headers={"Allow": allowed},
        )
    return answer(status, _WORDS.get(status, "the request could not be answered"))


@csrf_exempt
def unrouted(request: HttpRequest, rest: str = "") -> HttpResponse:
    """A path no route serves: a 404 that says what is wrong with it, where it can tell."""
    prefix = request.path[: len(request.path) - len(rest)]
    if rest.endswith("/") and _routed(prefix + rest.rstrip("/")) is not None:
        message = f"nothing is served at {request.path}; without the trailing slash it is"
        return answer(404, message, "path")
    bad = _bad_id(prefix, rest)
    if bad is not None:
        name, at = bad
        segments = rest.split("/")
        given, segments[at] = segments[at], "{" + name + "}"
        message = (
            f"{given!r} is not an id: this path is {prefix}{'/'.join(segments)}, "
            f"where {name} is a whole number"
        )
        return answer(404, message, "path", name)
    message = (
        f"nothing is served at {request.path}; the API's paths are listed in "
        "/api/v1/openapi.json and /api/v1/docs"
    )
    return answer(404, message, "path")


def _routed(path: str) -> dict[str, Any] | None:
    """The keyword arguments of the API route serving `path`, or None if none does."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return None if match.url_name == UNROUTED else dict(match.kwargs)


def _bad_id(prefix: str, rest: str) -> tuple[str, int] | None:
    """The name of the first path parameter `rest` gives a non-number for, and its segment:
    each segment that is not a number is tried as one, and the route it then reaches says
    which parameter that segment is."""
    segments = rest.split("/")
    for i, segment in enumerate(segments):
        if not segment or segment.isdigit():
            continue
        trial = [*segments[:i], str(_SENTINEL), *segments[i + 1 :]]
        kwargs = _routed(prefix + "/".join(trial)) or {}
        names = [name for name, value in kwargs.items() if value == _SENTINEL]
        if names:
            return names[0], i
    return None
