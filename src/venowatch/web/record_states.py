"""Whether a record still counts, in words, for staff and for the patient: voided (by whom, when,
why), corrected (replaced by a newer record), or itself a correction. Never a code."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from django.utils import dateformat
from django.utils.translation import gettext as _

from venowatch.clinic.models import RecordState
from venowatch.web.staff_common import name_of


def when(at: datetime, zone: tzinfo) -> str:
    """An instant as people read it, with its zone: 1 Dec 2026, 10:02 EST."""
    return dateformat.format(at.astimezone(zone), "j M Y, H:i T")


def staff_state(row: Any, zone: tzinfo) -> str:
    """What staff read beside a record: empty for a current record that corrects nothing."""
    state: RecordState = row.state
    if state is RecordState.CURRENT:
        return _("Correction of an earlier record.") if row.replaces_id else ""
    who = name_of(row.voided_by) or _("a former member of staff")
    words = {"who": who, "when": when(row.voided_at, zone)}
    words["why"] = row.void_reason
    if state is RecordState.SUPERSEDED:
        return _("Corrected by %(who)s, %(when)s: %(why)s. No longer counts.") % words
    return _("Voided by %(who)s, %(when)s: %(why)s. No longer counts.") % words


def patient_state(row: Any, user: Any, zone: tzinfo) -> str:
    """What the patient reads beside one of their records."""
    state: RecordState = row.state
    if state is RecordState.CURRENT:
        return _("Corrected by your care team.") if row.replaces_id else ""
    at = when(row.voided_at, zone)
    if state is RecordState.SUPERSEDED:
        return _("Replaced by a correction from your care team, %(when)s: %(why)s.") % {
            "when": at,
            "why": row.void_reason,
        }
    if row.voided_by_id is not None and row.voided_by_id == getattr(user, "pk", None):
        return _("Withdrawn by you, %(when)s.") % {"when": at}
    return _("Removed by your care team, %(when)s: %(why)s.") % {"when": at, "why": row.void_reason}
