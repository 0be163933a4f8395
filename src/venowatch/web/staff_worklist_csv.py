"""The worklist as a CSV file, with the filters the page has: every patient the list holds, not
one page, in the worklist's order and the page's words (labels, never codes; times in the
clinic's zone, named). The read is services.care.reads.worklist_export's, logged per patient.

A spreadsheet runs a cell that begins with = + - @ (or a tab or carriage return) as a formula;
a patient's name or a finding typed by anyone must not, so such a cell starts with an
apostrophe, which spreadsheets show as text and do not display."""

from __future__ import annotations

import csv
import io
from datetime import datetime, tzinfo

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from venowatch.protocol import Flag
from venowatch.services.care import reads
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.zones import zone_named
from venowatch.services.clock import utc_now
from venowatch.web.staff_common import flag_labels, name_of, pathway_titles, urgency_label
from venowatch.web.staff_tasks import state_words
from venowatch.web.staff_worklist import filter_form, staff_member, worklist

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """The text of one cell, made inert for a spreadsheet."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _when(at: datetime | None, zone: tzinfo) -> str:
    return date_format(at.astimezone(zone), "j M Y, H:i T") if at is not None else ""


@login_required
def worklist_csv(request: HttpRequest) -> HttpResponse:
    member = staff_member(request)
    titles = pathway_titles(clinic_protocol(member.clinic))
    form = filter_form(request, titles)
    if not form.is_valid():
        # The file must be the list the page shows: the page names what is wrong.
        return worklist(request)
    listed = reads.worklist_export(request.user, form.cleaned_data)
    zone = zone_named(member.clinic.time_zone)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Patient"),
            _("Urgency"),
            _("Pathway"),
            _("Flags"),
            _("Waiting since"),
            _("Open tasks"),
            _("Advocate"),
            _("Possible blood clot"),
        ]
    )
    for p in listed.patients:
        a = getattr(p, "assessment", None)
        state = listed.emergencies.get(p.pk)
        row = [
            p.name,
            urgency_label(a.urgency) if a else _("Not assessed"),
            titles[a.pathway] if a else _("Not assessed yet"),
            "; ".join(flag_labels(Flag(f) for f in a.flags)) if a else "",
            _when(a.since if a else None, zone),
            listed.open_tasks.get(p.pk, 0),
            name_of(p.advocate) or _("Nobody assigned"),
            state_words(state, zone) if state is not None else "",
        ]
        writer.writerow([cell(v) for v in row])
    day = utc_now().astimezone(zone).date().isoformat()
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="worklist-{day}.csv"'
    return response
