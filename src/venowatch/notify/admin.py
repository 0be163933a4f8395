"""Administrators see the outbox here, permanent failures first of all: a notification that
could not be delivered is someone who was not told."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _

from venowatch.audit.admin import AuditedAdmin
from venowatch.clinic.admin_scope import ClinicScopedAdmin, ScopedTabularInline
from venowatch.clinic.models import Clinic, TaskStatus
from venowatch.notify import models
from venowatch.services.care.zones import zone_named


def in_clinic_time(at: datetime | None, clinic: object) -> str:
    """An instant as every other page shows it: the clinic's wall clock, its zone named."""
    if at is None:
        return "-"
    zone = zone_named(getattr(clinic, "time_zone", "UTC"))
    return date_format(at.astimezone(zone), "j M Y, H:i T")


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
        "created", "kind", "channel", "address", "patient", "state_words", "attempts", "sent"
    )  # fmt: skip
    list_select_related = ("clinic", "patient", "task")
    list_filter = ("state", "kind", "channel", "clinic")
    search_fields = ("address", "patient__name", "subject")
    ordering = ("-created_at",)
    inlines = (AttemptInline,)
    readonly_fields = tuple(f.name for f in models.Notification._meta.fields)

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, n: models.Notification) -> str:
        return in_clinic_time(n.created_at, n.clinic)

    @admin.display(description=_("sent"), ordering="sent_at")
    def sent(self, n: models.Notification) -> str:
        return in_clinic_time(n.sent_at, n.clinic)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        """One notification's page, its times and its attempts' in the clinic's zone."""
        clinic = Clinic.objects.filter(notifications__pk=object_id).first()
        with timezone.override(zone_named(clinic.time_zone if clinic else "UTC")):
            response = super().change_view(request, object_id, form_url, extra_context)
            if isinstance(response, TemplateResponse):
                response.render()  # inside the zone: a TemplateResponse renders late
        return response

    @admin.display(description=_("state"), ordering="state")
    def state_words(self, n: models.Notification) -> str:
        """The state in words; a pending escalation whose task someone already answered
        (made before escalations were cancelled at once) reads as no longer needed."""
        if n.state == models.State.PENDING and n.kind == models.Kind.ESCALATION:
            task = n.task
            if task is not None and task.status != TaskStatus.OPEN:
                return str(_("No longer needed: someone answered the alert"))
        return str(models.State(n.state).label)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
