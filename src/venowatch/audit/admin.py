"""The audit log in the admin: searched and filtered, exported, never added to, changed or
deleted (for every role, the superuser included). A clinic's administrator sees their
clinic's rows only.

Also here, `AuditedAdmin`: a mixin for the admin pages of patient models, so that the admin is
one more edge whose reads, changes and deletions of a patient's record are logged."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from venowatch.audit.models import (
    ACTION_LABELS,
    ACTOR_LABELS,
    CHANNEL_LABELS,
    OUTCOME_LABELS,
    Action,
    AuditEvent,
)
from venowatch.clinic.admin_scope import ReadOnlyAdmin
from venowatch.services.clock import utc_now
from venowatch.services.security import audit, audit_export
from venowatch.services.security.audit_trail import role_words


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent]):
    list_display = (
        "seq", "at", "actor", "actor_id", "actor_ref", "role_words", "patient_id", "did",
        "resource", "resource_id", "channel_words", "ip", "outcome_words",
    )  # fmt: skip
    fields = (*list_display, "clinic_id", "prev_hash", "hash")
    readonly_fields = fields
    list_filter = ("action", "actor_kind", "channel", "outcome", "at")
    date_hierarchy = "at"
    search_fields = ("=patient_id", "=actor_id", "=actor_ref", "=resource_id", "=ip")
    search_help_text = _(
        "A patient id, a user or token id, an EHR's issuer, a record id or an IP address "
        "(whole values)."
    )
    actions = ("export_csv",)
    list_per_page = 100
    show_full_result_count = False  # counting a long log on every page is slow

    # Words, not the stored codes (the admin looks choices up by the code, and the row holds
    # the enum member).
    @admin.display(description=_("actor"), ordering="actor_kind")
    def actor(self, row: AuditEvent) -> str:
        return str(ACTOR_LABELS[row.actor_kind])

    @admin.display(description=_("action"), ordering="action")
    def did(self, row: AuditEvent) -> str:
        return str(ACTION_LABELS[row.action])

    @admin.display(description=_("from"), ordering="channel")
    def channel_words(self, row: AuditEvent) -> str:
        return str(CHANNEL_LABELS[row.channel])

    @admin.display(description=_("outcome"), ordering="outcome")
    def outcome_words(self, row: AuditEvent) -> str:
        return str(OUTCOME_LABELS[row.outcome])

    @admin.display(description=_("role"), ordering="role")
    def role_words(self, row: AuditEvent) -> str:
        return role_words(row.role)

    @admin.action(description=_("Export the selected rows (CSV)"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> HttpResponse:
        out = io.StringIO()
        audit_export.write_csv(queryset.order_by("seq"), out)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        return response


def _patient_of(obj: Model) -> Any:
    """The patient a patient model's row belongs to (the row itself for a patient)."""
    if obj._meta.model_name == "patient":
        return obj
    return getattr(obj, "patient", None)


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Logs who opened, added, changed or deleted a patient's rows in the admin. Writes are
    logged where the admin writes its own history (LogEntry), in the same transaction."""

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if isinstance(response, TemplateResponse) and object_id.isdigit():
            obj = response.context_data.get("original") if response.context_data else None
            patient = _patient_of(obj) if obj is not None else None
            if patient is not None:
                audit.read(request.user, Action.ADMIN_VIEW, [patient.pk])
        return response

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if isinstance(response, TemplateResponse) and response.context_data:
            shown = response.context_data.get("cl")
            rows = list(shown.result_list) if shown is not None else []
            ids = [p.pk for p in map(_patient_of, rows) if p is not None]
            audit.read(request.user, Action.ADMIN_VIEW, ids)
        return response

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        _wrote(request, Action.ADMIN_ADD, obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        _wrote(request, Action.ADMIN_CHANGE, obj)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            _wrote(request, Action.ADMIN_DELETE, obj)
        return super().log_deletions(request, queryset)


def _wrote(request: HttpRequest, action: Action, obj: Model) -> None:
    patient = _patient_of(obj)
    if patient is not None:
        audit.wrote(request.user, action, patient, obj)
