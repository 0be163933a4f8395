"""Staff words for tasks: where an emergency stands, and each task's history.

Kept apart from staff_patient and staff_worklist, which both show them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from venowatch.clinic.models import CallOutcome, Resolution, TaskStatus
from venowatch.services.care.emergency import EmergencyState, Step
from venowatch.web.staff_common import name_of
from venowatch.web.templatetags.zones import zone_place


def when(at: datetime, zone: tzinfo) -> str:
    """A time in staff words, with its zone's place: "1 Dec 2026, 14:05 (Berlin)"."""
    local = at.astimezone(zone)
    return f"{formats.date_format(local, 'j M Y, H:i')} ({zone_place(zone)})"


def state_words(state: EmergencyState, zone: tzinfo) -> str:
    """Where an open emergency stands: new, or acknowledged by whom and when; calls tried."""
    if state.acknowledged_at is None:
        said = _("New: nobody has acknowledged it yet")
    else:
        said = _("Acknowledged by %(name)s at %(when)s") % {
            "name": name_of(state.acknowledged_by) or _("a former staff member"),
            "when": when(state.acknowledged_at, zone),
        }
    if state.calls == 0:
        calls = _("no call tried yet")
    else:
        calls = ngettext("%(n)d call tried", "%(n)d calls tried", state.calls) % {"n": state.calls}
        if state.last_call is not None:
            calls += _(", the last: %(outcome)s") % {"outcome": CallOutcome(state.last_call).label}
    return f"{said}; {calls}."


@dataclass(frozen=True, slots=True)
class HistoryRow:
    at: datetime
    when: str
    who: str
    what: str
    note: str


_STATUS_WORDS = {
    TaskStatus.OPEN: gettext_lazy("Opened"),
    TaskStatus.ACKNOWLEDGED: gettext_lazy("Acknowledged"),
    TaskStatus.RESOLVED: gettext_lazy("Resolved"),
}


def history_rows(steps: Sequence[Step], zone: tzinfo) -> list[HistoryRow]:
    """The task's history in staff words, oldest first."""
    rows = []
    status: TaskStatus | None = None
    for step in steps:
        what = _what(step, status)
        rows.append(HistoryRow(step.at, when(step.at, zone), _who(step), what, step.note))
        status = step.status or status
    return rows


def _who(step: Step) -> str:
    if step.actor is not None:
        return name_of(step.actor)
    return _("venowatch") if step.status is TaskStatus.OPEN else _("a former staff member")


def _what(step: Step, before: TaskStatus | None) -> str:
    if step.call is not None:
        return _("Call: %(outcome)s") % {"outcome": CallOutcome(step.call).label}
    if step.status is TaskStatus.RESOLVED and step.resolution is not None:
        return _("Resolved: %(outcome)s") % {"outcome": Resolution(step.resolution).label}
    if step.status is before and step.actor is not None:  # same state: a new assignee
        return _("Assigned to %(name)s") % {"name": name_of(step.assignee) or _("nobody")}
    assert step.status is not None
    return str(_STATUS_WORDS[step.status])
