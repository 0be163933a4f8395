"""The second factor in the admin: an administrator sees who has one and can remove it (a
lost phone: the person sets up a new one at their next sign-in), but never its secret or the
recovery codes, which django-otp's own admin pages show."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from venowatch.clinic.admin_scope import ClinicScopedAdmin


class _NoSecrets(ClinicScopedAdmin):  # type: ignore[type-arg]  # django-otp ships no types
    list_display = ("user", "name", "confirmed", "last_used_at")
    fields = ("user", "name", "confirmed", "last_used_at")
    readonly_fields = fields
    search_fields = ("user__username",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a device is set up by its owner, with their phone

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, _NoSecrets)


class _SignIns(ClinicScopedAdmin):  # type: ignore[type-arg]  # axes ships no types
    """Sign-in attempts and lockouts (django-axes, AXES_ENABLE_ADMIN off so that these are the
    only admin pages of them): read-only, and the operator's alone, since they name usernames
    and addresses of every clinic."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


for model in (AccessAttempt, AccessLog, AccessFailureLog):
    admin.site.register(model, _SignIns)
