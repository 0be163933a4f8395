"""The staff worklist: the patients in the user's reach, most urgent first, filtered and paged.

A module of its own because it shares nothing with the patient page beyond staff_common. On top,
every staff member sees the clinic's open emergencies, whoever's patients they are (the cover
rule); then the search box and filters, then the patients in the user's care. It works
without JavaScript; a user without a worklist gets 404. It issues a fixed number of SQL queries
whatever the number of patients, and invalid filters come back with status 400, named on the page.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from venowatch.clinic.models import Clinic, Member, Role
from venowatch.protocol import Flag
from venowatch.services.care import reads
from venowatch.services.care.emergency import EmergencyState
from venowatch.services.care.protocols import clinic_protocol
from venowatch.services.care.worklist import advocates_in_care
from venowatch.services.care.zones import zone_named
from venowatch.services.clock import utc_now
from venowatch.services.notification.delivery import undelivered
from venowatch.services.security.access import Act, log_refusal, may, member_of
from venowatch.web.staff_common import flag_labels, name_of, pathway_titles, urgency_label
from venowatch.web.staff_forms import WorklistFilterForm, pathway_choices
from venowatch.web.staff_tasks import state_words


def _emergency(state: EmergencyState | None, zone: tzinfo) -> str:
    """An open possible-clot task's state in words; empty without one."""
    return state_words(state, zone) if state is not None else ""


PAGE_SIZE = 50


def staff_member(request: HttpRequest) -> Member:
    """The signed-in member who has a worklist; 404 for anyone else."""
    if not may(request.user, Act.WORKLIST):
        log_refusal(request.user, "worklist")
        raise Http404
    member = member_of(request.user)
    if member is None:
        raise Http404
    return member


def filter_form(request: HttpRequest, titles: dict[Any, str]) -> WorklistFilterForm:
    """The filters, offering only advocates whose patients this user's list holds."""
    advocates, unassigned = advocates_in_care(request.user)
    me = request.user.pk
    choices = [
        (str(pk), _("%(name)s (you)") % {"name": n} if pk == me else n) for pk, n in advocates
    ]
    return WorklistFilterForm(
        request.GET, pathways=pathway_choices(titles), advocates=choices, unassigned=unassigned
    )


def counted(n: int, role: Role, clinic: Clinic, filtered: bool) -> str:
    """What the number counts, in words: the user's own patients, those they treated, or the
    clinic's; and whether filters cut it."""
    if role is Role.ADVOCATE:
        text = ngettext("%(n)d of your patients", "%(n)d of your patients", n)
    elif role is Role.CLINICIAN:
        text = ngettext("%(n)d patient you treated", "%(n)d patients you treated", n)
    else:
        text = ngettext("%(n)d patient at %(clinic)s", "%(n)d patients at %(clinic)s", n)
    words = text % {"n": n, "clinic": clinic.name}
    if filtered:
        return _("%(count)s match the filters, most urgent first, then the longest waiting.") % {
            "count": words
        }
    return _("%(count)s, most urgent first, then the longest waiting.") % {"count": words}


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    member = staff_member(request)
    titles = pathway_titles(clinic_protocol(member.clinic))
    form = filter_form(request, titles)
    valid = form.is_valid()  # invalid filters are named on the page and left out
    page = Paginator(reads.worklist(request.user, form.cleaned_data), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    open_tasks = reads.open_task_counts(request.user, list(page))
    emergencies = reads.emergency_states(request.user, list(page))
    zone = zone_named(member.clinic.time_zone)
    rows = []
    for p in page:
        a = getattr(p, "assessment", None)
        rows.append(
            {
                "patient": p,
                "urgency": a.urgency.value if a else "",
                "urgency_label": urgency_label(a.urgency) if a else _("Not assessed"),
                "title": titles[a.pathway] if a else _("Not assessed yet"),
                "flags": flag_labels(Flag(f) for f in a.flags) if a else [],
                "since": a.since if a else None,
                "open_tasks": open_tasks.get(p.pk, 0),
                "advocate": name_of(p.advocate),
                "emergency": _emergency(emergencies.get(p.pk), zone),
            }
        )
    return render(
        request,
        "venowatch/staff_worklist.html",
        {
            "clinic": member.clinic,
            "zone": zone,
            "form": form,
            "page": page,
            "rows": rows,
            "emergencies": _emergency_rows(request),
            "may_take_over": may(request.user, Act.TAKE_OVER),
            "counted": counted(
                page.paginator.count, Role(member.role), member.clinic, _filtered(form)
            ),
            "csv_query": request.GET.urlencode(),
            "now": utc_now(),
            # Administrators see at once that an email failed for good: someone was not told.
            "undelivered": undelivered(member.clinic_id) if member.role == Role.ADMIN else 0,
        },
        status=200 if valid else 400,
    )


def _filtered(form: WorklistFilterForm) -> bool:
    data = getattr(form, "cleaned_data", {})
    return any(data.get(name) for name in ("q", "pathway", "urgency", "overdue", "advocate"))


def _emergency_rows(request: HttpRequest) -> list[dict[str, object]]:
    """The clinic's open emergencies, in words: whose, since when, and where the task is."""
    rows: list[dict[str, object]] = []
    for e in reads.open_emergencies(request.user):
        task, ack = e.task, e.acknowledged
        rows.append(
            {
                "task": task,
                "patient": task.patient,
                "advocate": name_of(task.patient.advocate),
                "assignee": name_of(task.assignee),
                "acknowledged_by": name_of(ack.actor) if ack is not None else "",
                "acknowledged_at": ack.at if ack is not None else None,
                "mine": task.patient.advocate_id == request.user.pk,
            }
        )
    return rows
