"""A FHIR client nobody here wrote, driving venowatch's FHIR server on pytest-django's live
server: `fhirclient` (the SMART on FHIR Python client, pinned in pyproject.toml).

`fhir_server` gives a factory: `fhir_server(user, scope)` is a `fhirclient.server.FHIRServer`
at the live server's /fhir/r4/, sending a bearer token of `user`'s, having read the
CapabilityStatement as the client does before its first call. Every answer it gets is checked
(tests/fhir_checks: schema, R4B models, no empty arrays) by a hook on its requests session,
so a test written with it checks the server's output whatever it asks. The `checked` list
holds what each answer was, to assert that the checks ran."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fhirclient.server import FHIRServer
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from tests.fhir_checks import check_fhir_response
from tests.live_threads import requests_finished
from venowatch.security.models import Scope
from venowatch.services.security import tokens

Connect = Callable[..., FHIRServer]


@pytest.fixture
def fhir_server(live_server: Any, settings: Any) -> Iterator[Connect]:
    # Links and fullUrls are written under VENOWATCH_BASE_URL: the live server's, so that
    # the client follows `next` links back to it.
    settings.VENOWATCH_BASE_URL = live_server.url

    def connect(user: Any = None, scope: Scope = Scope.READ) -> FHIRServer:
        server = FHIRServer(None, base_uri=f"{live_server.url}/fhir/r4/")
        # The test live server shares one in-memory SQLite connection among its request
        # threads, and now and then drops a connection unanswered under load; a GET is
        # retried, as an integrator's HTTP stack would. Writes are not.
        retry = Retry(total=3, connect=3, read=3, backoff_factor=0.1, allowed_methods={"GET"})
        server.session.mount("http://", HTTPAdapter(max_retries=retry))
        opened.append(server)
        server.checked = []

        def check(response: Any, *args: Any, **kwargs: Any) -> None:
            what = f"{response.request.method} {response.url}"
            check_fhir_response(
                response.status_code,
                response.headers.get("Content-Type", ""),
                response.content,
                what,
            )
            server.checked.append(what)

        server.session.hooks["response"].append(check)
        if user is not None:
            _, secret = tokens.issue(user, name="fhirclient", scope=scope)
            server.session.headers["Authorization"] = f"Bearer {secret}"
        server.get_capability()
        return server

    opened: list[FHIRServer] = []
    yield connect
    for server in opened:  # no kept-alive connection outlives the test's database
        server.session.close()
    requests_finished()
