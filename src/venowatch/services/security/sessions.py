"""How long a signed-in session lasts: it ends after a spell without activity (staff sooner
than patients: a staff screen shows many patients and is often shared) and, in any case, a
fixed time after sign-in. web.signin_middleware applies this to every request."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from venowatch.services.security.access import User
from venowatch.services.security.second_factor import is_staff_account

# Activity is written to the session at most this often, so a busy page is not one database
# write per request; a session may so end up to this much before its idle limit.
TOUCH_EVERY = timedelta(minutes=1)


class Ending(enum.Enum):
    IDLE = "idle"
    MAX = "max"


@dataclass(frozen=True)
class Times:
    signed_in: datetime
    last_seen: datetime


def idle_limit(user: User) -> timedelta:
    staff = is_staff_account(user)
    limit: timedelta = (
        settings.VENOWATCH_SESSION_IDLE_STAFF if staff else settings.VENOWATCH_SESSION_IDLE_PATIENT
    )
    return limit


def ending(times: Times, now: datetime, idle: timedelta) -> Ending | None:
    """Why the session is over at `now`, or None while it holds."""
    if now - times.signed_in >= settings.VENOWATCH_SESSION_MAX:
        return Ending.MAX
    if now - times.last_seen >= idle:
        return Ending.IDLE
    return None


def expiry_seconds(times: Times, now: datetime, idle: timedelta) -> int:
    """When the stored session and its cookie should lapse on their own if nothing is done:
    the earlier of the idle limit and the absolute one."""
    left = min(idle, settings.VENOWATCH_SESSION_MAX - (now - times.signed_in))
    return max(1, int(left.total_seconds()))
