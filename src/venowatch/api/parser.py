"""The body parser of the REST API and the FHIR server. ninja's own reads any JSON as
`json.loads` does (no depth or size limit, the last of two equal keys silently winning); this
one reads through the one reader of outside JSON, services.wire.read_json, with the edge's
body limit."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser

from venowatch.services.wire import body_limit, read_json


class WireParser(Parser):
    """Bodies read with the limit of `edge` ("api" for the REST API, "fhir" under /fhir/r4/)."""

    def __init__(self, edge: str = "api") -> None:
        self.edge = edge

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        # A BodyError raised here reaches the API's HttpError handler as the __cause__ of
        # ninja's "Cannot parse request body" (ninja wraps whatever a parser raises), which
        # answers with its status and message (api/v1.py, fhirserver/views.py).
        return cast(dict[str, Any], read_json(request.body, max_bytes=body_limit(self.edge)))
