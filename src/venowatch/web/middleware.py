"""`Cache-Control: no-store` on every answer that may hold patient data.

A shared computer's browser cache, a proxy's cache or the back button must not keep a patient's
page after sign-out. Static files never pass here (WhiteNoise answers them before this
middleware); the sign-in page holds nothing about anyone and keeps the browser's default.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

CACHEABLE_VIEWS = frozenset({"login"})
"""URL names of the pages that hold no patient data."""


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name not in CACHEABLE_VIEWS:
            # Replaces whatever a view set: no view here may allow caching patient data.
            response["Cache-Control"] = "no-store"
        return response
