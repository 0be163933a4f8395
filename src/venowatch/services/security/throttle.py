"""Sign-in throttling: django-axes counts failed sign-ins in the database (so every worker and
every machine sees the same counts), per username and, on its own, per client address. After
AXES_FAILURE_LIMIT failures either is refused until AXES_COOLOFF_TIME has passed since its last
failure: a cool-off, never a lock that needs an admin. API tokens never pass through here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q, Sum
from django.http import HttpRequest


class ThrottleBackend(AxesStandaloneBackend):  # type: ignore[misc]  # axes ships no types
    """Axes' guard, first among the backends. A call without a request is not a sign-in from
    the web (a script, the test client's login()): axes cannot count it, and refusing it would
    only break such callers, so it passes on to the password backend unthrottled."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return
        super().authenticate(request, username=username, password=password, **kwargs)
        return


@dataclass(frozen=True)
class Lockout:
    """Why and until when sign-in is refused."""

    until: datetime
    by_username: bool  # else by the client's address


def lockout_of(username: str, address: str | None, now: datetime) -> Lockout | None:
    """The cool-off now holding for this username or address, if any, ending when the last
    failure counted against it is older than the cool-off. It is the latest such end: by then
    sign-in works, though it may work sooner if older failures age out first."""
    cooloff = settings.AXES_COOLOFF_TIME
    live = AccessAttempt.objects.filter(attempt_time__gt=now - cooloff)
    found: list[Lockout] = []
    for by_username, value, match in (
        (True, username, Q(username=username)),
        (False, address, Q(ip_address=address)),
    ):
        if not value:
            continue
        counts = live.filter(match).aggregate(
            n=Sum("failures_since_start"), last=Max("attempt_time")
        )
        if (counts["n"] or 0) >= settings.AXES_FAILURE_LIMIT and counts["last"] is not None:
            found.append(Lockout(counts["last"] + cooloff, by_username))
    return max(found, key=lambda lock: lock.until, default=None)
