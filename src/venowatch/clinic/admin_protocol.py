"""A new protocol file for a clinic is first previewed, then saved only once confirmed.

Saving a clinic whose protocol text changed shows, instead of saving, what the new file would
change (services.care.reads.protocol_impact): the moves now, the patients who become more
urgent first, and the replayed history under both files. Its "save" button carries a token
bound to the administrator, the clinic, the file in force and the file previewed; the save
goes ahead only with the token of exactly that pair, checked with the clinic's row locked in
the transaction that then saves and re-assesses (ClinicAdmin.save_model, change_protocol). A
file edited after the preview, or another administrator's save in between, is previewed
again, never saved unseen.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from venowatch.clinic import models
from venowatch.protocol import Protocol
from venowatch.protocol.message import stamp
from venowatch.services.care.clinics import check_protocol_text
from venowatch.services.care.impact import Impact
from venowatch.services.care.impact_words import (
    distinct,
    onset_words,
    placing_words,
    shift_row,
    target_words,
)
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.reads import protocol_impact
from venowatch.services.care.zones import zone_named
from venowatch.services.clock import utc_now

CONFIRM = "_protocol_confirmed"
"""The form field the preview's save button sends its token in."""
REPLAY_AT_MOST = 10_000
"""Above this many patients the page leaves the replayed history out. For 10,000 patients the
whole preview takes about two thirds of the re-assessment that saving the file then does
(bench/impact.py; 32 s on a busy 2-core machine), so a clinic whose save fits the server's
timeout has its preview fit too; `venowatch protocol impact --clinic` replays any number."""
LISTED = 200
"""Patients the page names; the command line's --json lists every one."""
_NOT_CARRIED = {"csrfmiddlewaretoken", "protocol_text", CONFIRM, "_save", "_continue",
                "_addanother", "_preview_again"}  # fmt: skip


def preview_token(request: HttpRequest, clinic: models.Clinic, current: str, new: str) -> str:
    """Binds a confirmation to who previewed, which clinic, and both files' exact text."""
    digest = [hashlib.sha256(t.encode()).hexdigest() for t in (current, new)]
    value = f"{getattr(request.user, 'pk', '')}:{clinic.pk}:{digest[0]}:{digest[1]}"
    return salted_hmac("venowatch.clinic.protocol-preview", value).hexdigest()


@dataclass(frozen=True, slots=True)
class Held:
    """A save held back for its preview: the clinic, the new text, the token that will confirm
    it, and whether a confirmation came for another pair of files."""

    clinic: models.Clinic
    text: str
    token: str
    stale: bool


class ProtocolPreviewMixin(admin.ModelAdmin[models.Clinic]):
    """For ClinicAdmin: a changed protocol file is previewed before it is saved."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method != "POST" or object_id is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic():
            held = self._held(request, object_id)
            if held is None:  # no new file, a refused one (shown inline), or confirmed
                return super().changeform_view(request, object_id, form_url, extra_context)
        # The preview reads every patient: outside the transaction, holding no lock.
        return self._preview(request, held)

    def _held(self, request: HttpRequest, object_id: str) -> Held | None:
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_change_permission(request, obj):
            return None  # Django's own view answers (not found, or refused)
        # Locked until the save commits, so the file in force cannot change under the check.
        clinic = models.Clinic.objects.select_for_update().get(pk=obj.pk)
        form = self.get_form(request, obj, change=True)(request.POST, request.FILES, instance=obj)
        if not form.is_valid():
            return None
        text: str = form.cleaned_data["protocol_text"]
        if _same_file(text, clinic.protocol_text):
            return None
        token = preview_token(request, clinic, clinic.protocol_text, text)
        sent = request.POST.get(CONFIRM, "")
        if sent and constant_time_compare(sent, token):
            return None
        return Held(clinic, text, token, stale=bool(sent))

    def _preview(self, request: HttpRequest, held: Held) -> TemplateResponse:
        clinic = held.clinic
        new = check_protocol_text(held.text)
        current = clinic_protocol(clinic)
        impact = protocol_impact(
            request.user, clinic, new, utc_now(), replay_at_most=REPLAY_AT_MOST
        )
        return TemplateResponse(
            request,
            "admin/clinic/clinic/protocol_preview.html",
            {
                **self.admin_site.each_context(request),
                "title": _("What the new protocol file changes at %(clinic)s")
                % {"clinic": clinic.name},
                "opts": self.model._meta,
                "original": clinic,
                "held": held,
                "confirm_name": CONFIRM,
                "carried": _carried(request),
                "impact": impact,
                "summary": _summary(impact, current, new),
                "moves": _moves(impact, current, new),
                "patients": _patients(impact, current, new, clinic),
                "more": max(0, len(impact.patients) - LISTED),
                "history": _history(impact, new),
                "replay_at_most": REPLAY_AT_MOST,
                "back": reverse("admin:clinic_clinic_change", args=[clinic.pk]),
                "clinic_id": clinic.pk,
            },
        )


def _same_file(text: str, stored: str) -> bool:
    return (text if text.strip() else "") == stored


def _carried(request: HttpRequest) -> list[tuple[str, str]]:
    """The other fields as posted, so that confirming saves them too."""
    return [
        (name, value)
        for name in request.POST
        if name not in _NOT_CARRIED
        for value in request.POST.getlist(name)
    ]


def _summary(impact: Impact, current: Protocol, new: Protocol) -> dict[str, Any]:
    return {
        "current": f"{current.ref.id} {current.ref.version}",
        "new": f"{new.ref.id} {new.ref.version}",
        "compared": impact.compared,
        "moved": impact.moved,
        "risers": len(impact.risers),
    }


def _moves(impact: Impact, current: Protocol, new: Protocol) -> list[dict[str, Any]]:
    return [
        {
            "count": m.count,
            "before": placing_words(m.before, current),
            "after": placing_words(m.after, new),
            "rises": m.rises,
        }
        for m in impact.moves
    ]


def _patients(
    impact: Impact, current: Protocol, new: Protocol, clinic: models.Clinic
) -> list[dict[str, Any]]:
    zone = zone_named(clinic.time_zone)

    def when(t: Any) -> str:
        return stamp(t, zone)

    return [
        {
            "name": p.label,
            "url": reverse("admin:clinic_patient_change", args=[p.key]),
            "before": placing_words(p.current, current),
            "after": placing_words(p.new, new),
            "moved": p.moved,
            "rises": p.rises,
            "history": [onset_words(o, new, when) for o in distinct(p.differences)],
        }
        for p in impact.patients[:LISTED]
    ]


def _history(impact: Impact, new: Protocol) -> list[dict[str, str]] | None:
    if impact.history is None:
        return None
    return [{"target": target_words(s.target, new), **shift_row(s)} for s in impact.history]
