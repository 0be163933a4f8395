"""Signing CDS Hooks tokens as an EHR would, with the spec's example key pair."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import jwt

from tests.conftest import SHARED, load_json
from venowatch.clinic.models import Clinic
from venowatch.integration.models import TrustedIssuer

CDS = SHARED / "cds-hooks"
PRIVATE_JWK: dict[str, Any] = load_json(CDS / "example-jwk-private.json")
PUBLIC_JWKS: dict[str, Any] = load_json(CDS / "example-jwks-public.json")
EXAMPLE_TOKEN = (CDS / "example-token.jwt").read_text().strip()
EXAMPLE_ISS = "https://fhir-ehr.example.com/"
EXAMPLE_JKU = "https://fhir-ehr.example.com/jwk_uri"
EXAMPLE_AUD = "https://cds.example.org/cds-services/some-service"

ISS = "https://ehr.example.org/"
PRIVATE_KEY = jwt.PyJWK.from_dict(PRIVATE_JWK).key


def trust(clinic: Clinic, iss: str = ISS, **fields: Any) -> TrustedIssuer:
    fields.setdefault("jwks", PUBLIC_JWKS)
    return TrustedIssuer.objects.create(clinic=clinic, iss=iss, **fields)


def claims(audience: str, now: datetime, /, **overrides: Any) -> dict[str, Any]:
    """Claims of a fresh token; an override of None leaves that claim out."""
    base: dict[str, Any] = {
        "iss": ISS,
        "aud": audience,
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "iat": int(now.timestamp()),
        "jti": str(uuid.uuid4()),
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict[str, Any], key: Any = PRIVATE_KEY, **header: Any) -> str:
    header.setdefault("kid", "example-kid")
    alg = header.pop("alg", "ES384")
    return jwt.encode(payload, key, algorithm=alg, headers=header)


def unsigned(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    """A token put together by hand, for what PyJWT refuses to make (alg none, HMAC keyed with
    a public key)."""
    parts = [_b64(json.dumps(header).encode()), _b64(json.dumps(payload).encode())]
    return ".".join([*parts, _b64(signature)])


def signing_input(token: str) -> bytes:
    return token.rsplit(".", 1)[0].encode()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def bearer(token: str) -> str:
    return f"Bearer {token}"
