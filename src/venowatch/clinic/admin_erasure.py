"""The admin's "erase" action: a confirm page listing the patients, then
services.care.erasure for each. Django's own delete is off for patients (it left the login)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from venowatch.services.care.erasure import erase_patient


@admin.action(description=_("Erase the selected patients and their data"))
def erase(model_admin: Any, request: HttpRequest, queryset: Any) -> TemplateResponse | None:
    """The queryset is the admin's, so already cut to the administrator's clinic."""
    patients = list(queryset.order_by("pk"))
    if request.POST.get("confirm") != "yes":
        return TemplateResponse(
            request,
            "admin/clinic/patient/erase_confirm.html",
            {
                **model_admin.admin_site.each_context(request),
                "title": _("Erase patients"),
                "patients": patients,
                "opts": model_admin.model._meta,
                "back": reverse("admin:clinic_patient_changelist"),
            },
        )
    for patient in patients:
        erase_patient(patient, by=request.user)
    done = ngettext("%(n)d patient was erased.", "%(n)d patients were erased.", len(patients))
    model_admin.message_user(request, done % {"n": len(patients)}, messages.SUCCESS)
    return None
