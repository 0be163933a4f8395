"""`venowatch token create|list|revoke`: API tokens for integrations. A secret is printed once,
when its token is made; the list shows what each token is for and whether it still works."""

from __future__ import annotations

import argparse
from datetime import datetime

from venowatch.cli.database import open_database


def create(args: argparse.Namespace) -> int:
    open_database()
    from django.contrib.auth.models import User

    from venowatch.cli.errors import UsageError
    from venowatch.security.models import Scope
    from venowatch.services.clock import utc_now
    from venowatch.services.security import tokens

    user = User.objects.filter(username=args.user).first()
    if user is None:
        raise UsageError(f"no user named {args.user!r}")
    try:
        token, secret = tokens.issue(user, name=args.name, scope=Scope(args.scope), now=utc_now())
    except tokens.TokenError as exc:
        raise UsageError(str(exc)) from None
    print(secret)
    print(
        f"token {token.name!r} ({token.get_scope_display()}) for {user.get_username()} made, "
        f"valid until {token.expires_at:%Y-%m-%d %H:%M} UTC; copy it now, it is not shown again",
        flush=True,
    )
    return 0


def _state(revoked_at: datetime | None, expires_at: datetime, now: datetime) -> str:
    if revoked_at is not None:
        return f"revoked {revoked_at:%Y-%m-%d}"
    if expires_at <= now:
        return f"expired {expires_at:%Y-%m-%d}"
    return f"live until {expires_at:%Y-%m-%d}"


def list_(args: argparse.Namespace) -> int:
    open_database()
    from venowatch.services.clock import utc_now
    from venowatch.services.security import tokens

    now = utc_now()
    found = tokens.listing()
    if not found:
        print("no API tokens")
        return 0
    print(f"{'id':>5}  {'prefix':<12} {'name':<24} {'user':<16} {'clinic':<20} {'scope':<15} state")
    for t in found:
        used = f", last used {t.last_used_at:%Y-%m-%d}" if t.last_used_at else ", never used"
        print(
            f"{t.pk:>5}  {t.prefix + '…':<12} {t.name[:24]:<24} {t.user.get_username()[:16]:<16} "
            f"{t.clinic.name[:20]:<20} {t.get_scope_display():<15} "
            f"{_state(t.revoked_at, t.expires_at, now)}{used}"
        )
    return 0


def revoke(args: argparse.Namespace) -> int:
    open_database()
    from venowatch.cli.errors import UsageError
    from venowatch.security.models import ApiToken
    from venowatch.services.clock import utc_now
    from venowatch.services.security import tokens

    wanted = args.token.removesuffix("…")
    if wanted.isdigit():
        token = ApiToken.objects.filter(pk=int(wanted)).first()
    else:
        matches = list(ApiToken.objects.filter(prefix=wanted)[:2])
        if len(matches) > 1:
            raise UsageError(f"token: more than one token starts {wanted!r}; give its id")
        token = matches[0] if matches else None
    if token is None:
        raise UsageError(f"token: no token with id or prefix {args.token!r} (see `token list`)")
    if tokens.revoke(token, utc_now()):
        print(f"token {token.name!r} ({token.prefix}…) revoked: it no longer works")
    else:
        print(f"token {token.name!r} ({token.prefix}…) was revoked already")
    return 0
