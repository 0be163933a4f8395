"""Who looked at or changed a patient's record, in words, for the staff page: the audit log's
rows for the patient, newest first, with each actor's name looked up now (the log keeps ids
only, so a row outlives the person it names: then it says so)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from venowatch.audit.models import (
    ACTION_LABELS,
    CHANNEL_LABELS,
    OUTCOME_LABELS,
    Action,
    ActorKind,
    AuditEvent,
    Outcome,
)
from venowatch.clinic.models import Role
from venowatch.security.models import ApiToken

SHORT = 20
"""Rows on the patient's page; the rest are a link away."""
PAGE = 100


@dataclass(frozen=True, slots=True)
class Entry:
    at: datetime
    who: str
    role: str
    did: str
    channel: str
    outcome: str
    refused: bool


@dataclass(frozen=True, slots=True)
class Trail:
    entries: list[Entry]
    more: bool
    """Whether older rows than these exist."""


_TRAIL_OUTCOMES = {
    # After the action on the staff page ("read records — turned away"): a phrase, where the
    # admin's column shows the bare word.
    Outcome.REFUSED: gettext_lazy("turned away"),
    Outcome.ERROR: gettext_lazy("it failed"),
}


def trail(patient_id: int, limit: int = SHORT, offset: int = 0) -> Trail:
    # Being on a worklist page is logged too, but it is not looking at the record: it would
    # bury the views and changes (the admin and the export have every row).
    shown = AuditEvent.objects.filter(patient_id=patient_id).exclude(action=Action.WORKLIST)
    rows = list(shown[offset : offset + limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    users = _users({r.actor_id for r in rows if r.actor_kind is ActorKind.USER})
    tokens = {
        t.pk: t
        for t in ApiToken.objects.filter(
            pk__in={r.actor_id for r in rows if r.actor_kind is ActorKind.API_TOKEN}
        ).select_related("user")
    }
    return Trail([_entry(r, users, tokens) for r in rows], more)


def _users(ids: set[int | None]) -> dict[int, str]:
    found = User.objects.filter(pk__in={i for i in ids if i is not None})
    return {u.pk: u.get_full_name() or u.username for u in found}


def _entry(row: AuditEvent, users: dict[int, str], tokens: dict[int, ApiToken]) -> Entry:
    return Entry(
        at=row.at,
        who=_who(row, users, tokens),
        role=role_words(row.role),
        did=str(ACTION_LABELS[row.action]),
        channel=str(CHANNEL_LABELS[row.channel]),
        outcome=str(_TRAIL_OUTCOMES.get(row.outcome, OUTCOME_LABELS[row.outcome])),
        refused=row.outcome is not Outcome.ALLOWED,
    )


def _who(row: AuditEvent, users: dict[int, str], tokens: dict[int, ApiToken]) -> str:
    kind = row.actor_kind
    if kind is ActorKind.USER:
        known = users.get(row.actor_id or 0)
        return known or _("a former user (no longer in venowatch)")
    if kind is ActorKind.API_TOKEN:
        token = tokens.get(row.actor_id or 0)
        if token is None:
            return _("an API token since deleted")
        owner = token.user.get_full_name() or token.user.username
        return _("the API token “%(name)s” of %(owner)s") % {"name": token.name, "owner": owner}
    if kind is ActorKind.CDS_ISSUER:
        return _("the EHR %(issuer)s, through CDS Hooks") % {"issuer": row.actor_ref}
    if kind is ActorKind.CLI:
        if row.actor_ref:
            return _("the operator %(login)s, at the command line") % {"login": row.actor_ref}
        return _("an operator at the command line")
    if kind is ActorKind.SYSTEM:
        return _("venowatch itself")
    return _("someone not signed in")


def role_words(role: str) -> str:
    if role == "operator":
        return _("installation operator")
    try:
        return str(Role(role).label)
    except ValueError:
        return ""
