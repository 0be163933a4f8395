"""The staff navigation's links that depend on the role: the worklist for those who follow
patients, the outcome figures for those who may see them, enrolment for those who may enrol, the
admin for those who may open it. Decided here, not in the template, so that the template
compares no role codes."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from venowatch.services.security.access import Act, may, outcome_clinics

register = template.Library()


@register.simple_tag
def staff_links(user: Any) -> list[tuple[str, str]]:
    """(address, words) for each link after "Worklist" this user's navigation carries."""
    links = []
    if outcome_clinics(user) != []:  # None: the operator, every clinic's figures
        links.append((reverse("outcomes"), _("Outcomes")))
    if may(user, Act.ENROL):
        links.append((reverse("staff-enrol"), _("Enrol a patient")))
    if getattr(user, "is_staff", False) and getattr(user, "is_active", False):
        links.append((reverse("admin:index"), _("Clinic set-up (admin)")))
    return links


@register.simple_tag
def sees_worklist(user: Any) -> bool:
    """An analyst sees figures, not the list of patients."""
    return may(user, Act.WORKLIST)
