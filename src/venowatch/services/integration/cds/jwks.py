"""The public keys an EHR signs its CDS Hooks requests with: checking a JWK Set an administrator
pastes, choosing the key for a token, and fetching the set from the issuer's own URL."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import jwt

from venowatch.integration.models import FetchedJwks
from venowatch.services.clock import utc_now
from venowatch.services.wire import read_json

ALGORITHMS: dict[str, str] = {
    **{f"ES{bits}": "EC" for bits in (256, 384, 512)},
    **{f"RS{bits}": "RSA" for bits in (256, 384, 512)},
    **{f"PS{bits}": "RSA" for bits in (256, 384, 512)},
}
"""The signing algorithms accepted, with the key type each needs: asymmetric only. `none` and
HMAC are not here, so a token can never choose to be checked with a shared or public secret."""

_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")

JWKS_TTL = 600.0
"""Seconds a fetched JWK Set is used before it is fetched again."""
JWKS_REFRESH_MIN = 60.0
"""A token naming a key the cached set lacks (the EHR rotated its keys) fetches the set again,
but not more often than this, so unknown key ids cannot make us hammer the EHR."""
FETCH_TIMEOUT = 5.0
MAX_JWKS_BYTES = 1 << 20


class JwksError(ValueError):
    """A JWK Set, or a key in it, that cannot be used; the message says why."""


def check_jwks(value: object) -> None:
    """Refuse anything but a JWK Set of public signing keys venowatch can use, each with a
    `kid` (tokens choose their key by it)."""
    if not isinstance(value, dict) or not isinstance(value.get("keys"), list):
        raise JwksError('a JWK Set is a JSON object with a "keys" list')
    if not value["keys"]:
        raise JwksError("the JWK Set has no keys")
    kids: set[str] = set()
    for n, jwk in enumerate(value["keys"], 1):
        kid = jwk.get("kid") if isinstance(jwk, dict) else None
        name = f"key {n}" + (f" ({kid})" if isinstance(kid, str) else "")
        if not isinstance(jwk, dict):
            raise JwksError(f"{name} is not a JSON object")
        if jwk.get("kty") == "oct":
            raise JwksError(f"{name} is a symmetric (oct) key; only public keys are accepted")
        if any(member in jwk for member in _PRIVATE_MEMBERS):
            raise JwksError(f"{name} is a private key; paste the public key only")
        if not isinstance(kid, str) or not kid:
            raise JwksError(f"{name} has no kid")
        if kid in kids:
            raise JwksError(f"two keys have the kid {kid}")
        kids.add(kid)
        _public_key(jwk, jwk.get("alg") or _default_alg(jwk, name), name)


def signing_key(jwks: object, kid: str, alg: str) -> Any:
    """The public key with this `kid`, if it may verify `alg`."""
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    found = [k for k in keys if isinstance(k, dict) and k.get("kid") == kid] if keys else []
    if len(found) != 1:
        raise JwksError(f"the issuer has no key with kid {kid!r}")
    jwk = found[0]
    name = f"key {kid}"
    if jwk.get("use", "sig") != "sig":
        raise JwksError(f"{name} is not a signing key")
    if jwk.get("alg", alg) != alg:
        raise JwksError(f"{name} is for {jwk['alg']}, not {alg}")
    return _public_key(jwk, alg, name)


def _default_alg(jwk: Mapping[str, Any], name: str) -> str:
    kty = jwk.get("kty")
    if kty == "RSA":
        return "RS384"
    if kty == "EC":
        by_curve = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}
        return by_curve.get(str(jwk.get("crv")), "ES384")
    raise JwksError(f"{name} has key type {kty!r}; venowatch accepts EC and RSA keys")


def _public_key(jwk: Mapping[str, Any], alg: str, name: str) -> Any:
    if alg not in ALGORITHMS:
        raise JwksError(f"{name} is for {alg!r}; accepted: {', '.join(ALGORITHMS)}")
    if jwk.get("kty") != ALGORITHMS[alg]:
        raise JwksError(f"{name} is a {jwk.get('kty')!r} key, which cannot verify {alg}")
    if any(member in jwk for member in _PRIVATE_MEMBERS):
        raise JwksError(f"{name} is a private key")
    try:
        return jwt.PyJWK.from_dict(dict(jwk), algorithm=alg).key
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
        raise JwksError(f"{name} is not a valid {alg} key: {exc}") from None


def fetch_jwks(url: str) -> dict[str, Any]:
    """The JWK Set at the issuer's configured URL (the EHR's own server, never a URL a token
    names)."""
    if not url.startswith(("https://", "http://")):
        raise JwksError(f"the JWKS URL {url!r} is not http(s)")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        # Reviewed: the scheme is http(s), checked above; no file: or custom scheme gets here.
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # nosec B310
            raw = response.read(MAX_JWKS_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise JwksError(f"the issuer's JWKS could not be fetched from {url}: {exc}") from None
    if len(raw) > MAX_JWKS_BYTES:
        raise JwksError(f"the issuer's JWKS at {url} is larger than {MAX_JWKS_BYTES} bytes")
    try:
        data = read_json(raw, max_bytes=MAX_JWKS_BYTES)
    except ValueError as exc:
        raise JwksError(f"the issuer's JWKS at {url} is refused: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise JwksError(f'the document at {url} is not a JWK Set (no "keys" list)')
    return data


class JwksCache:
    """Fetched JWK Sets by URL, for `ttl` seconds, in the database (FetchedJwks): shared by
    every process and machine, so a set is fetched once for all of them and a rotated key is
    seen by all at once. Two requests racing on an expired row may both fetch; the set is the
    same, and the last to write keeps its copy."""

    def __init__(
        self,
        fetch: Callable[[str], dict[str, Any]] = fetch_jwks,
        clock: Callable[[], datetime] = utc_now,
        ttl: float = JWKS_TTL,
        refresh_min: float = JWKS_REFRESH_MIN,
    ) -> None:
        self._fetch, self._clock = fetch, clock
        self._ttl, self._refresh_min = timedelta(seconds=ttl), timedelta(seconds=refresh_min)

    def get(self, url: str, kid: str) -> dict[str, Any]:
        now = self._clock()
        row = FetchedJwks.objects.filter(url=url).first()
        if row is not None and self._fresh(row, now, kid):
            jwks: dict[str, Any] = row.jwks
            return jwks
        fetched = self._fetch(url)
        # Two processes storing at once is fine: update_or_create retries as an update.
        FetchedJwks.objects.update_or_create(url=url, defaults={"jwks": fetched, "fetched_at": now})
        return fetched

    def _fresh(self, row: FetchedJwks, now: datetime, kid: str) -> bool:
        age = now - row.fetched_at
        if not timedelta(0) <= age < self._ttl:  # a clock set back counts as stale
            return False
        keys = row.jwks.get("keys", []) if isinstance(row.jwks, dict) else []
        has_kid = any(isinstance(k, dict) and k.get("kid") == kid for k in keys)
        return has_kid or age < self._refresh_min

    def clear(self) -> None:
        FetchedJwks.objects.all().delete()


JWKS = JwksCache()
"""The cache of fetched JWK Sets, in the database."""
