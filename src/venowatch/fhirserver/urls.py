from collections.abc import Callable
from typing import cast

from django.http import HttpResponse
from django.urls import path

from venowatch.fhirserver import create, transaction
from venowatch.fhirserver.views import api

api.add_router("", create.router)
api.add_router("", transaction.router)

urlpatterns = [path("", api.urls)]

base = cast(
    Callable[..., HttpResponse],
    next(p.callback for p in urlpatterns[0].url_patterns if str(p.pattern) == ""),
)
"""The base URL's view (a transaction, a batch, an import), for `/fhir/r4` without the
slash too: clients are configured that way, and a redirect would make them re-send the POST
as a GET."""
