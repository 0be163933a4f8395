"""Calling the CDS Hooks service in tests: a fixed instant, the shipped protocol, requests
and the card they get."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from tests.cds_tokens import bearer, claims, sign
from venowatch.services.care.protocols import default_protocol

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

URL = "/cds-services/venowatch-patient-view"
AUD = f"http://testserver{URL}"
PROTOCOL = default_protocol()
NOW = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)


def at(monkeypatch: pytest.MonkeyPatch, now: datetime) -> None:
    monkeypatch.setattr("venowatch.cdshooks.views.utc_now", lambda: now)


def call(client: Client, body: Any, now: datetime = NOW, aud: str = AUD, **kw: Any) -> Response:
    token = sign(claims(aud, now))
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    kw.setdefault("HTTP_AUTHORIZATION", bearer(token))
    response: Response = client.post(URL, raw, content_type="application/json", **kw)
    return response


def request_for(patient_id: str, prefetch: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"userId": "Practitioner/example", "patientId": patient_id},
        **extra,
    }
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


def the_card(response: Response) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    cards: list[dict[str, Any]] = response.json()["cards"]
    assert len(cards) == 1
    return cards[0]
