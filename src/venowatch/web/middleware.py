"""`Cache-Control: no-store` on every answer that may hold patient data.

A shared computer's browser cache, a proxy's cache or the back button must not keep a patient's
page after sign-out. Every answer that passes here gets it, pages, API, FHIR and CDS Hooks
alike, so a new view cannot forget it. Static files never pass here: WhiteNoise answers them
before this middleware, and they may be cached. (The sign-in page holds no patient data, but
Django's own sign-in view forbids caching it too.)
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # Replaces whatever a view set: no answer here may be kept by a cache.
        response["Cache-Control"] = "no-store"
        return response
