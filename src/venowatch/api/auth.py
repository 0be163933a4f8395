"""How API requests are authenticated: a bearer token for integrations, or the browser's
session with its CSRF token. Both set request.user, so the web's access rules apply as they
are; a token also carries its scope (`may_write`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from venowatch.security.models import ApiToken, Scope
from venowatch.services.clock import utc_now
from venowatch.services.security import audit, tokens


class TokenRefusedError(HttpError):
    """A 401 that says why (an expired token), answered by each API in its own shape."""

    def __init__(self, message: str) -> None:
        super().__init__(401, message)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        try:
            found = tokens.authenticate(token, utc_now())
        except tokens.TokenExpiredError as exc:
            raise TokenRefusedError(str(exc)) from None
        if found is not None:
            request.user = found.user
            audit.with_token(found.pk, found.user_id)
        return found


class SessionAuth(NinjaSessionAuth):
    """The browser's session, which must send its CSRF token. ninja's checks the token before
    it looks for a session, so a request with no credentials at all was refused as a forgery
    (403); the CSRF check guards a signed-in session, and a request without one gets the 401
    every unauthenticated request gets (docs/api.md)."""

    def __call__(self, request: HttpRequest) -> Any | None:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


AUTH: list[Any] = [TokenAuth(), SessionAuth()]
"""Every endpoint's authentication, tried in this order."""


def may_write(request: HttpRequest) -> bool:
    """A session may do what its user may; a token only if it was made for writing."""
    auth = getattr(request, "auth", None)
    return not isinstance(auth, ApiToken) or auth.scope == Scope.WRITE
