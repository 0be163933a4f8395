"""The outcome figures page, for analysts and administrators (their clinic) and the
installation's operator (every clinic, or one). It answers from the stored episode facts
(services.outcomes.facts): a constant number of queries, whatever the cohort's size."""

from __future__ import annotations

from datetime import UTC, date, tzinfo
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from venowatch.services.care.reads import outcome_figures
from venowatch.services.care.zones import zone_named
from venowatch.services.clock import utc_now
from venowatch.services.outcomes import facts
from venowatch.services.outcomes.charts import km_svg, pgic_svg
from venowatch.services.outcomes.figures import Figures
from venowatch.services.outcomes.wording import (
    CENSORING,
    LIMITS,
    answer_label,
    estimate_words,
    left_out_words,
    percent,
)
from venowatch.services.security.access import log_refusal, member_of, outcome_clinics
from venowatch.web.record_states import when


class CohortForm(forms.Form):
    clinic = forms.TypedChoiceField(label=_("Clinic"), required=False, coerce=int,
                                    empty_value=None)  # fmt: skip
    start = forms.DateField(label=_("Venoplasties from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    end = forms.DateField(label=_("to"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period must not be before its start."))
        return data


def _zone(request: HttpRequest) -> tzinfo:
    """The clinic's time for its own staff; UTC, said as such, for the installation's operator."""
    member = member_of(request.user)
    return zone_named(member.clinic.time_zone) if member is not None else UTC


@login_required
def outcomes(request: HttpRequest) -> HttpResponse:
    allowed = outcome_clinics(request.user)
    if allowed == []:
        log_refusal(request.user, "outcomes")
        raise Http404
    form = CohortForm(request.GET or None)
    names = facts.clinic_names(allowed)
    choices: list[tuple[Any, Any]] = list(names.items())
    if allowed is None:  # the operator may look at every clinic at once
        choices.insert(0, ("", _("Every clinic")))
    clinic_field = form.fields["clinic"]
    assert isinstance(clinic_field, forms.TypedChoiceField)
    clinic_field.choices = choices
    chosen, start, end = allowed, None, None
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        if form.cleaned_data["clinic"] is not None:
            chosen = [form.cleaned_data["clinic"]]
    now = utc_now()
    figures, _episodes = outcome_figures(request.user, chosen, now, start, end)
    context = {
        "form": form,
        "f": figures,
        "scope": ", ".join(names[c] for c in chosen) if chosen else _("every clinic"),
        "operator": allowed is None,
        "stale": facts.stale_count(chosen),
        "curves": _curves(figures),
        "pgic": _pgic_rows(figures),
        # Reviewed: drawn by matplotlib from numbers, its title and description escaped.
        # nosemgrep: mark-safe-on-data
        "pgic_chart": mark_safe(pgic_svg(figures.pgic, "pgic-chart")),  # nosec B308, B703
        "limits": LIMITS,
        "censoring": CENSORING,
        "now": when(now, _zone(request)),
        "left_out": left_out_words(figures.left_out_withdrawn),
        "csv_url": _csv_url(chosen if chosen != allowed else None, start, end),
    }
    return render(request, "venowatch/staff_outcomes.html", context)


def _csv_url(clinics: list[int] | None, start: date | None, end: date | None) -> str:
    """The same cohort's episodes from the API (services.outcomes.export), which a signed-in
    session may read: one export, whether a program or a person downloads it."""
    query: dict[str, str] = {"format": "csv"}
    if clinics:
        query["clinic"] = str(clinics[0])
    if start is not None:
        query["from"] = start.isoformat()
    if end is not None:
        query["to"] = end.isoformat()
    return f"{reverse('api-v1:outcomes')}?{urlencode(query)}"


def _curves(f: Figures) -> list[dict[str, Any]]:
    return [
        {
            "c": c,
            # Reviewed: drawn by matplotlib from numbers, its title and description escaped.
            # nosemgrep: mark-safe-on-data
            "svg": mark_safe(km_svg(c, f"km-{c.key}")),  # nosec B308, B703
            "estimates": [(d, estimate_words(c, d)) for d in (30, 90, 180, 365)],
        }
        for c in f.curves
    ]


def _pgic_rows(f: Figures) -> list[dict[str, Any]]:
    if not f.pgic:
        return []
    rows = []
    for i, (answer, _n) in enumerate(f.pgic[0].counts):
        cells = [(p.counts[i][1], percent(p.share(answer) if p.total else None)) for p in f.pgic]
        rows.append({"label": answer_label(answer), "cells": cells, "silent": answer is None})
    return rows
