"""API tokens: made with their secret shown once, stored as a SHA-256 digest, checked on every
request. A token acts as its user, so the user's role and reach bound it; it also names one
clinic and stops working if the user no longer belongs to it."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User as AuthUser

from venowatch.security.models import ApiToken, Scope
from venowatch.services.clock import utc_now
from venowatch.services.errors import FieldError
from venowatch.services.limits import check_length
from venowatch.services.security.access import member_of

PREFIX = "vw_"
# A token's last use is written at most this often: a busy integration should not turn every
# read into a write.
_TOUCH_EVERY = timedelta(minutes=1)


class TokenError(ValueError):
    """A token cannot be made as asked; the message says why."""


class TokenExpiredError(Exception):
    """The token was good but its time is up: the caller is told so, not just 401."""

    def __init__(self, token: ApiToken) -> None:
        super().__init__(
            f"this token ({token.prefix}…) expired on {token.expires_at:%Y-%m-%d %H:%M} UTC; "
            "ask an administrator for a new one"
        )
        self.token = token


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(
    user: AuthUser, *, name: str, scope: Scope, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user` in their clinic, and its secret (not stored anywhere)."""
    token = ApiToken(user=user, name=name, scope=scope)
    secret = prepare(token, now or utc_now())
    token.save()
    return token, secret


def lifetime() -> timedelta:
    return timedelta(days=settings.VENOWATCH_TOKEN_DAYS)


def prepare(token: ApiToken, now: datetime) -> str:
    """Give an unsaved token its clinic, digest and expiry; the secret, to be shown once."""
    member = member_of(token.user)
    if member is None:
        raise TokenError(f"user {token.user.get_username()!r} belongs to no clinic")
    token.name = token.name.strip()
    if not token.name:
        raise TokenError("name: give the token a name that says what uses it")
    try:
        check_length(ApiToken, "name", token.name)
    except FieldError as exc:
        raise TokenError(f"name: {exc.message}") from None
    secret = PREFIX + secrets.token_urlsafe(32)
    token.clinic_id = member.clinic_id
    token.prefix = secret[:10]
    token.digest = _digest(secret)
    token.expires_at = now + lifetime()
    return secret


def authenticate(secret: str, now: datetime) -> ApiToken | None:
    """The live token with this secret, its user and clinic loaded; None for anything else.
    Raises TokenExpiredError for a token that would be live but for its expiry."""
    if not secret.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user__member__clinic")
        .filter(digest=_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    member = member_of(token.user)
    if member is None or member.clinic_id != token.clinic_id:
        return None
    if token.expires_at <= now:
        raise TokenExpiredError(token)
    if token.last_used_at is None or now - token.last_used_at >= _TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def revoke(token: ApiToken, now: datetime) -> bool:
    """Revoke a token; False if it was revoked already."""
    return bool(
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    )


def listing() -> list[ApiToken]:
    """Every token, newest first, with its user and clinic loaded (for the CLI's list)."""
    return list(ApiToken.objects.select_related("user", "clinic").order_by("-created_at", "-pk"))
