"""The FHIR server's addresses under /fhir/r4/: every route of its API, each guarded so that
whatever goes wrong is an OperationOutcome (fhirserver.errors), then one catch-all answering
404 for any path no route serves. `base` is the server's base without the trailing slash
(`POST /fhir/r4`, as FHIR clients are configured): the root URL mounts it beside these."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path, re_path

from venowatch.fhirserver import create, errors, transaction
from venowatch.fhirserver.views import api

# The write side, on the same API as the reads: ninja serves one path's methods from one
# router, so `POST /Observation` beside `GET /Observation` must be routed on `api` itself.
create.route(api)
transaction.route(api)


def _guarded(patterns: list[Any]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = errors.guard(pattern.callback)
    return patterns


_patterns, _app, _namespace = api.urls
_routes = _guarded(list(_patterns))
base = next(p.callback for p in _routes if isinstance(p, URLPattern) and str(p.pattern) == "")
"""The view at the base URL (a transaction, a batch, a Bundle to import), for /fhir/r4 without
a slash: clients are configured that way, and a redirect would make them re-send the POST as
a GET."""

urlpatterns = [
    path("", (_routes, _app, _namespace)),
    re_path(r"^(?P<path>.*)$", errors.unrouted),
]
