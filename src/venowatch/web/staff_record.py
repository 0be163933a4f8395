"""The staff patient page's record in staff words: the standing, its history, the procedures,
tests and check-ins, and the tasks lately resolved; kept apart from the page's forms and
handlers (staff_patient)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from venowatch.protocol import Flag, Protocol
from venowatch.protocol.message import Audience
from venowatch.services.care.charts import describe, history_svg
from venowatch.services.care.pgic import PGIC_LABELS
from venowatch.services.care.reads import PatientPage
from venowatch.services.care.standing import Standing
from venowatch.services.care.wording import rationale
from venowatch.web.record_states import staff_state
from venowatch.web.staff_common import flag_labels, name_of, pathway_titles, urgency_label
from venowatch.web.staff_forms import LAB_LABELS, PROCEDURE_LABELS, RESULT_LABELS


def record_context(
    page: PatientPage,
    protocol: Protocol,
    zone: tzinfo,
    name: str,
    changes: Sequence[datetime] = (),
) -> dict[str, Any]:
    """The template's context for the record part of the page; `changes` are the instants the
    replay changed the advice, marked on the chart."""
    timeline = page.timeline
    titles = pathway_titles(protocol)
    chart_title = _("How %(name)s has felt since the procedures") % {"name": name}
    description = describe(timeline, zone)
    if changes:
        description += " " + ngettext(
            "A triangle along the top marks the time the advice changed, listed under How the "
            "advice changed.",
            "Triangles along the top mark the %(n)d times the advice changed, listed under "
            "How the advice changed.",
            len(changes),
        ) % {"n": len(changes)}
    chart = history_svg(
        timeline,
        protocol.parameters,
        zone,
        title=chart_title,
        description=description,
        changes=changes,
    )
    return {
        "current": assessment_view(page.standing, protocol, zone),
        "past": page.past,
        # Reviewed: history_svg escapes its title and draws no field of the record as text.
        # nosemgrep: mark-safe-on-data
        "chart": mark_safe(chart),  # nosec B703, B308
        "description": description,
        "checkin_count": len(timeline.checkins),
        "history": [
            {
                "at": change.at,
                "title": titles[change.pathway],
                "urgency": change.urgency.value,
                "urgency_label": urgency_label(change.urgency),
                "flags": flag_labels(Flag(f) for f in change.flags),
            }
            for change in page.changes
        ],
        **_records(page, zone),
        "notes": page.notes,
        "resolved": [
            {"task": r.task, "at": r.at, "by": name_of(r.by), "note": r.note} for r in page.resolved
        ],
    }


def _records(page: PatientPage, zone: tzinfo) -> dict[str, Any]:
    """The procedures, tests and check-ins as rows, voided and corrected ones among them."""
    return {
        "checkins": [
            {
                "at": c.at,
                "feeling": PGIC_LABELS[c.pgic],
                "returned": c.symptoms_returned,
                "ratings": dict(c.symptoms),
                "note": c.note,
                **_state(c, "checkins", zone),
            }
            for c in page.checkins
        ],
        "procedures": [
            {
                "at": p.performed_at,
                "kind": PROCEDURE_LABELS[p.kind],
                "veins": ", ".join(p.veins),
                "by": name_of(p.performed_by),
                "note": p.note,
                **_state(p, "procedures", zone),
            }
            for p in page.procedures
        ],
        "labs": [
            {
                "at": lab.at,
                "kind": LAB_LABELS[lab.kind],
                "result": lab.result.value,
                "result_label": RESULT_LABELS[lab.result],
                "finding": lab.finding,
                **_state(lab, "labs", zone),
            }
            for lab in page.labs
        ],
    }


def _state(row: Any, kind: str, zone: tzinfo) -> dict[str, Any]:
    """A record's state in words, and the page to correct or void it while it counts."""
    counts = row.voided_at is None
    url = reverse("staff-record", args=[row.patient_id, kind, row.pk]) if counts else ""
    return {"counts": counts, "state": staff_state(row, zone), "fix_url": url}


def assessment_view(current: Standing, protocol: Protocol, zone: tzinfo) -> dict[str, Any]:
    """A standing (stored, fresh or as of a past instant) in staff words."""
    reasons = rationale(current.rationale, Audience.STAFF, zone)
    cited = dict.fromkeys(r.clause for r in current.rationale if r.clause is not None)
    return {
        "pathway": current.pathway.value,
        "title": protocol.pathways[current.pathway].title.staff,
        "urgency": current.urgency.value,
        "urgency_label": urgency_label(current.urgency),
        "actions": [protocol.actions[a].staff for a in current.actions],
        "flags": flag_labels(current.flags),
        "rationale": reasons,
        "clauses": [(c.value, protocol.clauses[c]) for c in cited],
        "repeats_done": current.repeats_done,
        "as_of": current.as_of,
        "earliest_next_procedure_at": current.earliest_next_procedure_at,
        "valid_until": current.valid_until,
        "protocol": current.protocol,
    }
