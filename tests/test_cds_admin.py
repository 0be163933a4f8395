"""An administrator adds an EHR as a trusted issuer; a JWKS that cannot be used is refused on
the field, saying why."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests import web_fixtures as web
from tests.cds_tokens import PRIVATE_JWK, PUBLIC_JWKS
from venowatch.clinic.models import Role
from venowatch.integration.admin import TrustedIssuerForm
from venowatch.integration.models import TrustedIssuer

pytestmark = pytest.mark.django_db


def form(**fields: Any) -> TrustedIssuerForm:
    data = {"clinic": web.clinic().pk, "iss": "https://ehr.example.org/", "enabled": "on"}
    data.update({k: json.dumps(v) if k == "jwks" else v for k, v in fields.items()})
    return TrustedIssuerForm(data=data)


def test_a_public_jwks_is_accepted() -> None:
    assert form(jwks=PUBLIC_JWKS).is_valid()


def test_a_jwks_url_alone_is_accepted() -> None:
    assert form(jwks_url="https://ehr.example.org/jwks").is_valid()


@pytest.mark.parametrize(
    ("jwks", "why"),
    [
        ({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "k"}]}, "symmetric (oct) key"),
        ({"keys": [PRIVATE_JWK]}, "private key"),
        ([PUBLIC_JWKS["keys"][0]], 'a JSON object with a "keys" list'),
        ({"keys": []}, "has no keys"),
        ({"keys": [{**PUBLIC_JWKS["keys"][0], "kid": None}]}, "has no kid"),
        ({"keys": [{**PUBLIC_JWKS["keys"][0], "x": "AAAA"}]}, "not a valid ES384 key"),
        ({"keys": [{**PUBLIC_JWKS["keys"][0], "alg": "HS256"}]}, "is for 'HS256'"),
        ({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "kid": "e"}]}, "type 'OKP'"),
        ({"keys": [PUBLIC_JWKS["keys"][0], PUBLIC_JWKS["keys"][0]]}, "two keys have the kid"),
    ],
)
def test_an_unusable_jwks_is_refused_on_its_field(jwks: Any, why: str) -> None:
    f = form(jwks=jwks)
    assert not f.is_valid()
    assert list(f.errors) == ["jwks"]
    assert why in f.errors["jwks"][0]


def test_fhir_servers_are_one_address_a_line() -> None:
    listed = form(
        jwks=PUBLIC_JWKS, fhir_servers="https://ehr.example.org/fhir/\n\nhttp://10.0.0.5/r4"
    )
    assert listed.is_valid()
    issuer = listed.save()
    assert issuer.allowed_servers() == {"https://ehr.example.org/fhir", "http://10.0.0.5/r4"}
    refused = form(jwks=PUBLIC_JWKS, fhir_servers="https://ehr.example.org\nfile:///etc/passwd")
    assert not refused.is_valid()
    assert "file:///etc/passwd is not an http(s) address" in refused.errors["fhir_servers"][0]


def test_some_keys_are_required() -> None:
    f = form()
    assert not f.is_valid()
    assert "JWKS URL" in f.errors["jwks_url"][0]


def test_the_admin_page_shows_the_refusal(client: Client) -> None:
    clinic = web.clinic()
    admin = web.user("admin", clinic, Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    oct_key = {"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "k"}]}

    page = client.post(
        "/admin/cdshooks/trustedissuer/add/",
        {"clinic": clinic.pk, "iss": "https://ehr.example.org/", "jwks": json.dumps(oct_key)},
    )

    assert page.status_code == 200
    assert "symmetric (oct) key" in page.content.decode()
    assert not TrustedIssuer.objects.exists()
