"""The CDS Hooks 2.0 security model: which tokens are accepted, and every way one is refused."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests import web_fixtures as web
from tests.cds_tokens import (
    EXAMPLE_AUD,
    EXAMPLE_ISS,
    EXAMPLE_JKU,
    EXAMPLE_TOKEN,
    ISS,
    PUBLIC_JWKS,
    bearer,
    claims,
    sign,
    signing_input,
    trust,
    unsigned,
)
from tests.http_stub import serving
from venowatch.integration.models import SeenToken
from venowatch.services.integration.cds.auth import LEEWAY, Caller, TokenError, authenticate
from venowatch.services.integration.cds.jwks import JwksCache

pytestmark = pytest.mark.django_db

AUD = "https://venowatch.example.org/cds-services/venowatch-patient-view"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def check(token: str, now: datetime = NOW, aud: str = AUD, **kwargs: Any) -> Caller:
    kwargs.setdefault("keys", JwksCache(fetch=_no_fetch))
    return authenticate(bearer(token), aud, now, **kwargs)


def refused(token: str, because: str, now: datetime = NOW, **kwargs: Any) -> None:
    with pytest.raises(TokenError, match=because):
        check(token, now, **kwargs)


def _no_fetch(url: str) -> dict[str, Any]:
    raise AssertionError(f"fetched {url}")


def test_the_specs_example_token_verifies_before_it_expires() -> None:
    trust(web.clinic(), EXAMPLE_ISS, jwks_url=EXAMPLE_JKU)
    before_exp = datetime(2015, 1, 29, 21, 0, tzinfo=UTC)

    caller = check(EXAMPLE_TOKEN, before_exp, aud=EXAMPLE_AUD)

    assert caller.issuer.iss == EXAMPLE_ISS
    assert caller.claims["tenant"] == "2ddd6c3a-8e9a-44c6-a305-52111ad302a2"


def test_the_specs_example_token_is_refused_as_expired_now() -> None:
    trust(web.clinic(), EXAMPLE_ISS, jwks_url=EXAMPLE_JKU)
    refused(EXAMPLE_TOKEN, "expired at 2015-01-29T22:01:00", aud=EXAMPLE_AUD)
    refused(EXAMPLE_TOKEN, "expired", datetime.now(UTC), aud=EXAMPLE_AUD)


def test_a_fresh_es384_token_is_accepted_and_names_its_clinic() -> None:
    issuer = trust(web.clinic("North"))
    caller = check(sign(claims(AUD, NOW)))
    assert caller.issuer == issuer
    assert caller.issuer.clinic.name == "North"


@pytest.mark.parametrize("alg", ["RS256", "RS384", "PS256", "PS512"])
def test_rsa_algorithms_are_accepted(alg: str) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    trust(web.clinic(), jwks={"keys": [_jwk(private.public_key(), "rsa-1")]})
    assert check(sign(claims(AUD, NOW), private, alg=alg, kid="rsa-1")).issuer.iss == ISS


def test_alg_none_is_refused() -> None:
    trust(web.clinic())
    token = unsigned({"alg": "none", "kid": "example-kid", "typ": "JWT"}, claims(AUD, NOW))
    refused(token, "alg 'none' is not accepted")


def test_hs256_is_refused() -> None:
    trust(web.clinic())
    token = sign(claims(AUD, NOW), "a-shared-secret-of-at-least-32-bytes!", alg="HS256")
    refused(token, "alg 'HS256' is not accepted")


def test_hs256_keyed_with_the_issuers_public_key_is_refused() -> None:
    """The classic confusion attack: sign with HMAC using the public key as the secret, hoping
    the verifier passes its public key to whatever algorithm the header names."""
    trust(web.clinic())
    public = jwt.PyJWK.from_dict(PUBLIC_JWKS["keys"][0]).key
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "kid": "example-kid", "typ": "JWT"}
    draft = unsigned(header, claims(AUD, NOW))
    token = unsigned(
        header, claims(AUD, NOW), hmac.new(pem, signing_input(draft), hashlib.sha256).digest()
    )
    refused(token, "alg 'HS256' is not accepted")


def test_an_rsa_header_on_an_ec_key_is_refused() -> None:
    trust(web.clinic())
    header = {"alg": "RS384", "kid": "example-kid", "typ": "JWT"}
    refused(unsigned(header, claims(AUD, NOW), b"x" * 256), "is for ES384, not RS384")


def test_another_key_under_the_same_kid_is_refused() -> None:
    trust(web.clinic())
    impostor = ec.generate_private_key(ec.SECP384R1())
    refused(sign(claims(AUD, NOW), impostor), "Signature verification failed")


def test_a_tampered_payload_is_refused() -> None:
    trust(web.clinic())
    head, _, sig = sign(claims(AUD, NOW)).split(".")
    other = sign(claims(AUD, NOW, jti="another")).split(".")[1]
    refused(f"{head}.{other}.{sig}", "Signature verification failed")


def test_an_unknown_kid_is_refused() -> None:
    trust(web.clinic())
    refused(sign(claims(AUD, NOW), kid="other-kid"), "no key with kid 'other-kid'")


def test_a_wrong_audience_is_refused() -> None:
    trust(web.clinic())
    wrong = "https://venowatch.example.org/cds-services/another-service"
    refused(sign(claims(wrong, NOW)), "aud is not this service's URL")


def test_an_unknown_issuer_is_refused() -> None:
    trust(web.clinic())
    refused(sign(claims(AUD, NOW, iss="https://stranger.example/")), "not a trusted issuer")


def test_a_disabled_issuer_is_refused() -> None:
    trust(web.clinic(), enabled=False)
    refused(sign(claims(AUD, NOW)), "not a trusted issuer")


@pytest.mark.parametrize("claim", ["jti", "exp", "iat", "aud"])
def test_a_missing_claim_is_refused(claim: str) -> None:
    trust(web.clinic())
    refused(sign(claims(AUD, NOW, **{claim: None})), f"has no {claim}")


def test_a_missing_iss_is_refused() -> None:
    trust(web.clinic())
    refused(sign(claims(AUD, NOW, iss=None)), "has no iss")


def test_a_non_numeric_exp_is_refused() -> None:
    trust(web.clinic())
    refused(sign(claims(AUD, NOW, exp="tomorrow")), "exp must be a number")


def test_a_replayed_token_is_refused() -> None:
    trust(web.clinic())
    token = sign(claims(AUD, NOW))
    check(token)
    refused(token, "already used")


def test_the_same_jti_from_two_issuers_is_two_tokens() -> None:
    at = web.clinic()
    trust(at)
    trust(at, "https://other-ehr.example.org/")
    check(sign(claims(AUD, NOW, jti="same")))
    check(sign(claims(AUD, NOW, jti="same", iss="https://other-ehr.example.org/")))


def test_expiry_allows_the_documented_leeway_and_no_more() -> None:
    trust(web.clinic())
    exp = int(NOW.timestamp())
    check(sign(claims(AUD, NOW, exp=exp)), NOW + LEEWAY - timedelta(seconds=1))
    refused(sign(claims(AUD, NOW, exp=exp)), "expired", NOW + LEEWAY)


def test_a_token_issued_in_the_future_is_refused() -> None:
    trust(web.clinic())
    later = NOW + LEEWAY + timedelta(seconds=5)
    payload = claims(AUD, NOW, iat=int(later.timestamp()), exp=int(later.timestamp()) + 300)
    refused(sign(payload), "iat.*is in the future")


def test_used_tokens_are_forgotten_once_they_could_no_longer_pass() -> None:
    trust(web.clinic())
    check(sign(claims(AUD, NOW)))
    assert SeenToken.objects.count() == 1

    check(sign(claims(AUD, NOW + timedelta(hours=1))), NOW + timedelta(hours=1))

    assert SeenToken.objects.count() == 1


def test_no_bearer_token_is_refused() -> None:
    with pytest.raises(TokenError, match="Authorization: Bearer"):
        authenticate(None, AUD, NOW)
    with pytest.raises(TokenError, match="Authorization: Bearer"):
        authenticate("Basic dXNlcjpwYXNz", AUD, NOW)
    with pytest.raises(TokenError, match="not a JWT"):
        authenticate("Bearer not-a-jwt", AUD, NOW)


def test_keys_are_fetched_from_the_configured_url_and_cached() -> None:
    with serving() as ehr:
        ehr.routes["/jwks"] = PUBLIC_JWKS
        url = f"{ehr.base_url}/jwks"
        trust(web.clinic(), jwks=None, jwks_url=url)
        clock = [0.0]
        keys = JwksCache(clock=lambda: NOW + timedelta(seconds=clock[0]), ttl=600)

        check(sign(claims(AUD, NOW)), keys=keys)
        check(sign(claims(AUD, NOW), jku=url), keys=keys)
        clock[0] = 601
        check(sign(claims(AUD, NOW)), keys=keys)

    assert ehr.paths() == ["/jwks", "/jwks"]


def test_a_rotated_key_is_fetched_again_but_not_on_every_request() -> None:
    with serving() as ehr:
        ehr.routes["/jwks"] = {"keys": []}
        trust(web.clinic(), jwks=None, jwks_url=f"{ehr.base_url}/jwks")
        clock = [0.0]
        keys = JwksCache(clock=lambda: NOW + timedelta(seconds=clock[0]), refresh_min=60)
        refused(sign(claims(AUD, NOW)), "no key with kid", keys=keys)
        ehr.routes["/jwks"] = PUBLIC_JWKS
        refused(sign(claims(AUD, NOW)), "no key with kid", keys=keys)
        clock[0] = 60

        check(sign(claims(AUD, NOW)), keys=keys)

    assert ehr.paths() == ["/jwks", "/jwks"]


def test_a_jku_other_than_the_configured_url_is_refused_and_never_fetched() -> None:
    with serving() as attacker:
        attacker.routes["/keys"] = PUBLIC_JWKS
        trust(web.clinic(), jwks_url="https://ehr.example.org/jwks")
        refused(sign(claims(AUD, NOW), jku=f"{attacker.base_url}/keys"), "jku .* is not the JWKS")
    assert attacker.requests == []


def test_a_jku_is_refused_when_only_inline_keys_are_configured() -> None:
    trust(web.clinic())
    refused(sign(claims(AUD, NOW), jku="https://ehr.example.org/jwks"), "jku")


def test_an_unreachable_jwks_url_is_a_refusal() -> None:
    with serving() as ehr:
        trust(web.clinic(), jwks=None, jwks_url=f"{ehr.base_url}/missing")
        refused(sign(claims(AUD, NOW)), "could not be fetched", keys=JwksCache())


def _jwk(public: Any, kid: str) -> dict[str, Any]:
    data: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(public, as_dict=True)
    return {**data, "kid": kid, "use": "sig"}
