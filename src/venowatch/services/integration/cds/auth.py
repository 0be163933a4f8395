"""Who is calling a CDS service: the EHR's signed JWT, checked as CDS Hooks 2.0 requires.

The token must come from an allow-listed issuer, be signed with an asymmetric algorithm by one of
that issuer's keys, be addressed to the exact URL called, be current, and be used once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from django.db import IntegrityError, transaction

from venowatch.integration.models import MAX_JTI, SeenToken, TrustedIssuer
from venowatch.services.integration.cds.jwks import (
    ALGORITHMS,
    JWKS,
    JwksCache,
    JwksError,
    signing_key,
)

LEEWAY = timedelta(seconds=60)
"""Clock difference tolerated between the EHR and us, on exp, iat and nbf."""

_REQUIRED = ("iss", "aud", "exp", "iat", "jti")


@dataclass(frozen=True, slots=True)
class TokenError(Exception):
    """The request is not authenticated; `reason` says why, for the caller's integrators."""

    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated EHR: its issuer (hence its clinic) and the token's claims."""

    issuer: TrustedIssuer
    claims: Mapping[str, Any]


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenError("send the EHR's signed JWT as 'Authorization: Bearer <token>'")
    return token.strip()


def authenticate(
    authorization: str | None, audience: str, now: datetime, keys: JwksCache = JWKS
) -> Caller:
    """The caller of a request to `audience` (the absolute URL called), or TokenError."""
    token = bearer_token(authorization)
    try:
        header = jwt.get_unverified_header(token)
        # Read unverified only to find whose keys to verify with; nothing else is trusted yet.
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise TokenError(f"the bearer token is not a JWT: {exc}") from None
    alg, kid, jku = header.get("alg"), header.get("kid"), header.get("jku")
    if alg not in ALGORITHMS:
        raise TokenError(f"alg {alg!r} is not accepted; use one of {', '.join(ALGORITHMS)}")
    if not isinstance(kid, str) or not kid:
        raise TokenError("the token's header has no kid")
    issuer = _issuer(unverified.get("iss"))
    if jku is not None and jku != issuer.jwks_url:
        raise TokenError(f"jku {jku!r} is not the JWKS URL configured for this issuer")
    try:
        jwks = issuer.jwks if issuer.jwks is not None else keys.get(issuer.jwks_url, kid)
        key = signing_key(jwks, kid, alg)
    except JwksError as exc:
        raise TokenError(str(exc)) from None
    claims = _verified(token, key, alg, issuer.iss, audience)
    expires = _check_times(claims, now)
    _use_once(issuer.iss, claims["jti"], expires, now)
    return Caller(issuer=issuer, claims=claims)


def _issuer(iss: object) -> TrustedIssuer:
    if not isinstance(iss, str) or not iss:
        raise TokenError("the token has no iss")
    found = TrustedIssuer.objects.select_related("clinic").filter(iss=iss, enabled=True).first()
    if found is None:
        raise TokenError(f"iss {iss!r} is not a trusted issuer of this service")
    if found.jwks is None and not found.jwks_url:
        raise TokenError(f"no keys are configured for issuer {iss!r}")
    return found


def _verified(token: str, key: Any, alg: str, iss: str, audience: str) -> dict[str, Any]:
    try:
        # `alg` comes from the header, but only after it was found in ALGORITHMS and matched to
        # the key's type by signing_key, so it cannot pick HMAC or none.
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[alg],
            audience=audience,
            issuer=iss,
            # Times are checked by _check_times against the caller's clock, not PyJWT's.
            options={
                "require": list(_REQUIRED),
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.InvalidAudienceError:
        raise TokenError(f"the token's aud is not this service's URL, {audience}") from None
    except jwt.MissingRequiredClaimError as exc:
        raise TokenError(f"the token has no {exc.claim}") from None
    except jwt.PyJWTError as exc:
        raise TokenError(f"the token is refused: {exc}") from None
    jti = claims["jti"]
    if not isinstance(jti, str) or not jti or len(jti) > MAX_JTI:
        raise TokenError(f"the token's jti must be a string of 1 to {MAX_JTI} characters")
    return claims


def _check_times(claims: Mapping[str, Any], now: datetime) -> datetime:
    """The instant after which the token can no longer be accepted."""
    exp, iat = _instant(claims, "exp"), _instant(claims, "iat")
    if now >= exp + LEEWAY:
        raise TokenError(f"the token expired at {exp.isoformat()}")
    if iat > now + LEEWAY:
        raise TokenError(f"the token's iat, {iat.isoformat()}, is in the future")
    if "nbf" in claims and _instant(claims, "nbf") > now + LEEWAY:
        raise TokenError("the token is not valid yet (nbf)")
    return exp + LEEWAY


def _instant(claims: Mapping[str, Any], name: str) -> datetime:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenError(f"the token's {name} must be a number of seconds since 1970")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise TokenError(f"the token's {name} is out of range") from None


def _use_once(iss: str, jti: str, until: datetime, now: datetime) -> None:
    # Rows are kept only while their token could pass the time checks; the index on expires_at
    # makes this purge touch just the rows that expired since the last request.
    SeenToken.objects.filter(expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            SeenToken.objects.create(iss=iss, jti=jti, expires_at=until)
    except IntegrityError:
        raise TokenError("this token was already used (its jti was seen before)") from None
