"""The API reads a body only when it is declared JSON.

A form post (`application/x-www-form-urlencoded`, `text/plain`) is what a page on another site
can send cross-origin without a CORS preflight; refusing every body not declared JSON closes
that door for token-less session requests and tells a client plainly what it got wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase

PREFIX = "/api/"
_JSON = "application/json"


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == _JSON or (media.startswith("application/") and media.endswith("+json"))


def _has_body(request: HttpRequest) -> bool:
    length = request.META.get("CONTENT_LENGTH") or "0"
    chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    return chunked or (length.isdigit() and int(length) > 0)


class JsonContentTypeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path.startswith(PREFIX) and _chunked_only(request):
            return _length_required()
        if (
            request.path.startswith(PREFIX)
            and _has_body(request)
            and not is_json(request.META.get("CONTENT_TYPE", ""))
        ):
            return unsupported(request.META.get("CONTENT_TYPE", ""))
        return self.get_response(request)


def _chunked_only(request: HttpRequest) -> bool:
    """A body sent chunked without a Content-Length: Django, under WSGI, reads it as empty, and
    the client would be told its fields are missing."""
    chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    return chunked and not request.META.get("CONTENT_LENGTH")


def _length_required() -> HttpResponse:
    message = "send the body with a Content-Length: a chunked body is not read here"
    body = {"detail": [{"loc": ["header", "Content-Length"], "msg": message}]}
    return HttpResponse(json.dumps(body), status=411, content_type=_JSON)


def unsupported(content_type: str) -> HttpResponse:
    given = f"'{content_type}'" if content_type else "no Content-Type"
    message = f"send the body as JSON with 'Content-Type: application/json', not {given}"
    body = {"detail": [{"loc": ["header", "Content-Type"], "msg": message}]}
    return HttpResponse(json.dumps(body), status=415, content_type=_JSON)
