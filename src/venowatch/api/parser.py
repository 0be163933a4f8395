"""The REST API's body parser: ninja's own would read any JSON as `json.loads` does (no depth
or size limit, the last of two equal keys silently winning). This one reads through the one
reader of outside JSON, services.wire.read_json, with the API's body limit."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser

from venowatch.services.wire import body_limit, read_json


class WireParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        # A BodyError raised here reaches the API's HttpError handler as the __cause__ of
        # ninja's "Cannot parse request body" (ninja wraps whatever a parser raises), which
        # answers with its status and message (api/v1.py).
        return cast(dict[str, Any], read_json(request.body, max_bytes=body_limit("api")))
