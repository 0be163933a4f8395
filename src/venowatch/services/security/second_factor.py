"""The second factor: a TOTP authenticator app (django-otp), with ten single-use recovery codes
for a lost phone. Every staff and admin account needs it before any patient data is shown
(web.signin_middleware enforces that); a patient may turn it on, and then needs it too.

A wrong code slows the next try on that device (django-otp's throttling doubles the wait after
each failure), so six digits cannot be guessed at the speed of the network."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User as AuthUser
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from venowatch.clinic.models import Role
from venowatch.services.errors import FieldError
from venowatch.services.security.access import User, role_of

RECOVERY_CODES = 10
_APP = "authenticator app"
_RECOVERY = "recovery codes"


def is_staff_account(user: User) -> bool:
    """Staff, administrators and operators: anyone who may see more than their own record."""
    if not user.is_authenticated:
        return False
    role = role_of(user)
    operator = getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)
    return bool(operator or (role is not None and role != Role.PATIENT))


def has_second_factor(user: User) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_second_factor(user: User) -> bool:
    """Whether this signed-in account must give a code before it sees anything."""
    return is_staff_account(user) or has_second_factor(user)


def pending_device(user: AuthUser) -> TOTPDevice:
    """The authenticator being set up: the same secret until it is confirmed, so reloading the
    page does not make a code already scanned useless."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_APP, confirmed=False)
    return device


def _clean(code: str) -> str:
    return "".join(code.split()).lower()


def confirm(user: AuthUser, code: str) -> tuple[Device, list[str]]:
    """Confirm the pending authenticator with a code it shows; returns it and the new recovery
    codes (stored, shown once by the caller). Any earlier authenticator and codes are
    replaced: one phone at a time, and old codes stop working."""
    device = pending_device(user)
    if not device.verify_token(_clean(code)):
        raise FieldError(
            "code", _("That code does not match. Type the 6 digits the app shows now.")
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
    return device, codes


def _new_recovery_codes(user: AuthUser) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=_RECOVERY, confirmed=True)
    codes: list[str] = []
    while len(codes) < RECOVERY_CODES:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=t) for t in codes)
    return codes


def verify(user: AuthUser, code: str) -> Device:
    """The device a code belongs to (an authenticator's current code or an unused recovery
    code, which is then spent); FieldError on the code otherwise."""
    cleaned = _clean(code)
    if not cleaned:
        raise FieldError("code", "Type the 6-digit code from your authenticator app.")
    device: Device | None = match_token(user, cleaned)
    if device is not None:
        return device
    # One wrong code holds the next for a second, too short to mention; from the third the
    # wait (doubling each time) is long enough to explain why a right code is refused.
    app = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if app is not None and app.throttling_failure_count >= 3 and not app.verify_is_allowed()[0]:
        raise FieldError(
            "code",
            "Too many wrong codes: wait a few seconds (longer after each wrong code), "
            "then type the code the app shows then.",
        )
    raise FieldError(
        "code",
        _("That code does not match. Type the code the app shows now, or one recovery code."),
    )


def replace_recovery_codes(user: AuthUser, code: str) -> list[str]:
    """New recovery codes, for a current code from the app (not a recovery code: one who has
    only those left should not turn one into ten); the old ones stop working."""
    app = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if app is None:
        raise FieldError("code", "Set up two-step sign-in first.")
    if not app.verify_token(_clean(code)):
        raise FieldError("code", _("That code does not match. Type the code the app shows now."))
    with transaction.atomic():
        return _new_recovery_codes(user)


def is_recovery(device: Device) -> bool:
    return isinstance(device, StaticDevice)


def recovery_codes_left(user: AuthUser) -> int:
    left: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return left


def turn_off(user: AuthUser, code: str) -> None:
    """A patient turns the second factor off with a current code; staff cannot."""
    if is_staff_account(user):
        raise FieldError("code", "Staff accounts need a second factor; it cannot be turned off.")
    verify(user, code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def enrol_with_key(user: AuthUser, key_hex: str) -> Any:
    """Give an account a confirmed authenticator with a known secret (the demo's logins, whose
    secrets are printed so that docs and screenshots can use them)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=_APP, key=key_hex, confirmed=True)
