"""The REST API's addresses under /api/v1/: every route of its ninja API, each guarded so that
whatever goes wrong is answered as `{"detail": [...]}` (api/guard.py), then a catch-all
answering a JSON 404 for any path no route serves."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path, re_path

from venowatch.api import guard
from venowatch.api.v1 import api


def _guarded(patterns: list[Any]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = guard.guard(pattern.callback)
    return patterns


_patterns, _app, _namespace = api.urls

urlpatterns = [
    path("", (_guarded(list(_patterns)), _app, _namespace)),
    re_path(r"^(?P<rest>.*)$", guard.unrouted, name=guard.UNROUTED),
]
