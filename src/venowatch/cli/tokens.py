"""`venowatch token create USER`: an API token for an integration, its secret printed once."""

from __future__ import annotations

import argparse

from venowatch.cli.database import open_database


def create(args: argparse.Namespace) -> int:
    open_database()
    from django.contrib.auth.models import User

    from venowatch.cli.errors import UsageError
    from venowatch.security.models import Scope
    from venowatch.services.security import tokens

    user = User.objects.filter(username=args.user).first()
    if user is None:
        raise UsageError(f"no user named {args.user!r}")
    try:
        token, secret = tokens.issue(user, name=args.name, scope=Scope(args.scope))
    except tokens.TokenError as exc:
        raise UsageError(str(exc)) from None
    print(secret)
    print(
        f"token {token.name!r} ({token.scope}) for {user.get_username()} made; copy it now, "
        "it is not shown again",
        flush=True,
    )
    return 0
