"""Clinic-scoped administration: a clinic's administrator (role admin, staff, not a superuser)
sees and changes only their clinic's rows in /admin/; only a superuser, the installation's
operator, sees across clinics.

One table says how each model reaches its clinic (`CLINIC_PATHS`), and one base class for
model admins and one for inlines apply it to everything the admin shows or accepts: the lists,
the change and delete pages, the list filters, every foreign-key and many-to-many field's
choices (so a row pointing at another clinic's patient or user cannot be saved), autocomplete
and raw-id lookups (they list through the related model's admin). A model missing from the
table is shown to nobody but the operator: tests/test_admin_scope.py fails for any registered
admin that does not use these bases."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from venowatch.clinic.models import Role
from venowatch.services.security.access import member_of

M = TypeVar("M", bound=models.Model)
P = TypeVar("P", bound=models.Model)

OPERATOR_ONLY = None
"""A model with no clinic (installation-wide): only the operator manages it."""

CLINIC_PATHS: dict[str, str | None] = {
    "clinic.clinic": "pk",
    "clinic.member": "clinic",
    "clinic.patient": "clinic",
    "clinic.patientidentifier": "clinic",
    "clinic.patientphone": "patient__clinic",
    "clinic.patientdetails": "patient__clinic",
    "clinic.procedure": "patient__clinic",
    "clinic.checkin": "patient__clinic",
    "clinic.lab": "patient__clinic",
    "clinic.note": "patient__clinic",
    "clinic.assessment": "patient__clinic",
    "clinic.assessmentchange": "patient__clinic",
    "clinic.task": "patient__clinic",
    "clinic.taskevent": "task__patient__clinic",
    "clinic.callattempt": "task__patient__clinic",
    "clinic.takeover": "patient__clinic",
    "clinic.consent": "patient__clinic",
    "audit.auditevent": "clinic_id",
    "audit.chainhead": OPERATOR_ONLY,
    "clinic.pgicscale": "clinic",
    "clinic.pgicscaleanswer": "scale__clinic",
    "clinic.patientdemographics": "patient__clinic",
    "notify.notification": "clinic",
    "notify.attempt": "notification__clinic",
    "notify.reminder": "patient__clinic",
    "notify.digest": "advocate__member__clinic",
    "api.apitoken": "clinic",
    "api.idempotentrequest": "user__member__clinic",
    "cdshooks.trustedissuer": "clinic",
    "cdshooks.seentoken": OPERATOR_ONLY,
    "cdshooks.feedback": "issuer__clinic",
    "cdshooks.fetchedjwks": OPERATOR_ONLY,
    "otp_totp.totpdevice": "user__member__clinic",
    "otp_static.staticdevice": "user__member__clinic",
    "axes.accessattempt": OPERATOR_ONLY,
    "axes.accesslog": OPERATOR_ONLY,
    "axes.accessfailurelog": OPERATOR_ONLY,
    "auth.user": "member__clinic",
    "auth.group": OPERATOR_ONLY,
    "auth.permission": OPERATOR_ONLY,
}
"""How a row of each model (app label.model name) reaches its clinic, as a lookup path."""

_HIDDEN: dict[str, Q] = {
    "auth.user": Q(is_superuser=True),
    "clinic.member": Q(user__is_superuser=True),
}
"""Rows of a clinic a clinic's administrator still may not touch: the operator's account
(else a clinic's administrator could set the operator's password and act as them)."""


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def admin_clinic(request: HttpRequest) -> int | None:
    """The clinic that the signed-in user administers as a clinic's administrator; None for a
    superuser and for anyone who is not a clinic's administrator."""
    user = request.user
    if user.is_superuser or not user.is_staff:
        return None
    member = member_of(user)
    if member is None or member.role != Role.ADMIN:
        return None
    return member.clinic_id


def scoped(queryset: QuerySet[Any], request: HttpRequest) -> QuerySet[Any]:
    """`queryset` cut to what the signed-in user may administer: everything for a superuser,
    their clinic's rows for a clinic's administrator, nothing for anyone else."""
    user = request.user
    if user.is_active and user.is_staff and user.is_superuser:
        return queryset
    clinic = admin_clinic(request)
    label = _label(queryset.model)
    path = CLINIC_PATHS.get(label, OPERATOR_ONLY)
    if clinic is None or path is OPERATOR_ONLY:
        return queryset.none()
    hidden = _HIDDEN.get(label)
    queryset = queryset.filter(**{path: clinic})
    return queryset.exclude(hidden) if hidden is not None else queryset


def is_scoped(model: type[models.Model]) -> bool:
    """Whether the table says how the model reaches its clinic (or that it has none)."""
    return _label(model) in CLINIC_PATHS


class _Scoping:
    """What model admins and inlines share: choices of every relation cut to the scope."""

    def _choices(self, db_field: Any, request: HttpRequest, kwargs: dict[str, Any]) -> None:
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(None, db_field, request)  # type: ignore[attr-defined]
        if queryset is None:
            remote = db_field.remote_field
            queryset = remote.model._default_manager.complex_filter(remote.limit_choices_to)
        kwargs["queryset"] = scoped(queryset, request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    def _clinic_may(self, request: HttpRequest, model: type[models.Model]) -> bool | None:
        """For a clinic's administrator, whether the model is theirs to manage at all; None for
        others (Django's own permissions apply, over querysets already cut to nothing)."""
        if admin_clinic(request) is None:
            return None
        return CLINIC_PATHS.get(_label(model), OPERATOR_ONLY) is not OPERATOR_ONLY


class ClinicScopedAdmin(_Scoping, admin.ModelAdmin[M]):
    """The base of every venowatch model admin (see the module's docstring)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[M]:
        return scoped(super().get_queryset(request), request)

    def get_list_filter(self, request: HttpRequest) -> Any:
        """A filter on a relation lists only the related rows the scoped list holds: Django's
        default lists every row of the related model (every clinic, every clinic's users)."""
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        cut = []
        for item in filters:
            # A path across relations (patient__clinic) filters on its last field.
            field = get_fields_from_path(self.model, item)[-1] if isinstance(item, str) else None
            related = field is not None and field.is_relation
            cut.append((item, admin.RelatedOnlyFieldListFilter) if related else item)
        return cut

    def _may(self, request: HttpRequest, obj: Any, default: bool) -> bool:
        allowed = self._clinic_may(request, self.model)
        if allowed is None:
            return default
        if not allowed:
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_module_permission(self, request: HttpRequest) -> bool:
        allowed = self._clinic_may(request, self.model)
        return super().has_module_permission(request) if allowed is None else allowed

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj, super().has_view_permission(request, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj, super().has_change_permission(request, obj))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may(request, None, super().has_add_permission(request))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj, super().has_delete_permission(request, obj))


class ReadOnlyAdmin(ClinicScopedAdmin[M]):
    """An admin that only shows: for rows the services alone write and nobody may change (the
    audit log, take-overs, CDS Hooks feedback). No add, change or delete, whoever asks, a
    superuser too; what may be seen is still scoped to the admin's clinic."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _ScopedInline(_Scoping):
    """What every venowatch inline shares; the parent's admin has already scoped the parent."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scoped(super().get_queryset(request), request)  # type: ignore[misc]

    def _inline_may(self, request: HttpRequest, default: bool) -> bool:
        allowed = self._clinic_may(request, self.model)  # type: ignore[attr-defined]
        return default if allowed is None else allowed

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._inline_may(request, super().has_view_permission(request, obj))  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._inline_may(request, super().has_change_permission(request, obj))  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, obj: Any) -> bool:
        return self._inline_may(request, super().has_add_permission(request, obj))  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._inline_may(request, super().has_delete_permission(request, obj))  # type: ignore[misc]


class ScopedTabularInline(_ScopedInline, admin.TabularInline[M, P]):  # type: ignore[misc]
    pass


class ScopedStackedInline(_ScopedInline, admin.StackedInline[M, P]):  # type: ignore[misc]
    pass
