"""Helpers for the FHIR REST tests: the instant they record at, a bearer token, and a GET of
a path or of one of the server's own absolute links."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.test import Client

from venowatch.security.models import Scope
from venowatch.services.security import tokens

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def bearer(u: Any, scope: Scope = Scope.READ) -> dict[str, str]:
    _, secret = tokens.issue(u, name="ehr", scope=scope)
    return {"Authorization": f"Bearer {secret}"}


def get(client: Client, url: str, auth: dict[str, str], **headers: str) -> Any:
    """GET a path or one of the server's own absolute links."""
    path = urlsplit(url)
    target = f"{path.path}?{path.query}" if path.query else path.path
    return client.get(target, headers={**auth, **headers})
