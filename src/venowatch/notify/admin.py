"""Administrators see the outbox here, permanent failures first of all: a notification that
could not be delivered is someone who was not told."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from venowatch.audit.admin import AuditedAdmin
from venowatch.clinic.admin_scope import ClinicScopedAdmin, ScopedTabularInline
from venowatch.notify import models


class AttemptInline(ScopedTabularInline[models.Attempt, models.Notification]):
    model = models.Attempt
    extra = 0
    can_delete = False
    readonly_fields = ("at", "outcome", "detail", "worker")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(models.Notification)
class NotificationAdmin(AuditedAdmin, ClinicScopedAdmin[models.Notification]):
    list_display = (
        "created_at", "kind", "channel", "address", "patient", "state", "attempts", "sent_at"
    )  # fmt: skip
    list_filter = ("state", "kind", "channel", "clinic")
    search_fields = ("address", "patient__name", "subject")
    ordering = ("-created_at",)
    inlines = (AttemptInline,)
    readonly_fields = tuple(f.name for f in models.Notification._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
