"""Users and groups in the admin, scoped like every other model (clinic.admin_scope).

A clinic's administrator manages the logins of their clinic's people: a new user is made with
their membership (an inline, required for them, with their clinic the only choice), so the new
login is theirs to manage at once. They never see the superuser flag, groups or permissions:
those are the installation operator's, as is every group."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from venowatch.clinic import models
from venowatch.clinic.admin_scope import ClinicScopedAdmin, ScopedStackedInline, admin_clinic

_CLINIC_ADMIN_FIELDSETS = (
    (None, {"fields": ("username", "password")}),
    (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
    (_("Access"), {"fields": ("is_active", "is_staff")}),
    (_("Important dates"), {"fields": ("last_login", "date_joined")}),
)


class MembershipInline(ScopedStackedInline[models.Member, User]):
    model = models.Member
    can_delete = False
    max_num = 1

    def get_min_num(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        # A clinic's administrator's new user needs a clinic, else it leaves their reach.
        return 1 if admin_clinic(request) is not None else 0


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class ClinicUserAdmin(ClinicScopedAdmin[User], UserAdmin[User]):
    inlines = (MembershipInline,)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and admin_clinic(request) is not None:
            return _CLINIC_ADMIN_FIELDSETS
        return super().get_fieldsets(request, obj)

    def get_list_filter(self, request: HttpRequest) -> Any:
        if admin_clinic(request) is not None:
            return ("is_staff", "is_active")
        return super().get_list_filter(request)


@admin.register(Group)
class OperatorGroupAdmin(ClinicScopedAdmin[Group], GroupAdmin):  # type: ignore[misc]
    """Groups are installation-wide: the table in admin_scope gives them to the operator."""
