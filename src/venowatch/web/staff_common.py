"""What the staff pages share: who is on a clinic's staff, and the staff's words for pathways,
urgencies and flags.

Kept apart so that staff_worklist and staff_patient need not import from each other, and so that
both pages name a patient's standing in the same words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from venowatch.clinic.models import Member, Role, TaskStatus
from venowatch.protocol import Flag, Pathway, Protocol, Urgency
from venowatch.web.staff_forms import FLAG_LABELS, URGENCY_LABELS

OPEN = (TaskStatus.OPEN, TaskStatus.ACKNOWLEDGED)


# --- who is on staff ------------------------------------------------------------------------


def name_of(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.username)


@dataclass(frozen=True)
class _Staff:
    """The clinic's staff, loaded once: choices for every form on the page."""

    users: Mapping[str, AbstractBaseUser]
    everyone: list[tuple[str, str]]
    clinicians: list[tuple[str, str]]
    advocates: list[tuple[str, str]]

    def user(self, pk: str | None) -> AbstractBaseUser | None:
        return self.users.get(pk) if pk else None


def staff_of(clinic_id: int) -> _Staff:
    members = (
        Member.objects.filter(clinic_id=clinic_id)
        .exclude(role=Role.PATIENT)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    users: dict[str, AbstractBaseUser] = {}
    everyone, clinicians, advocates = [], [], []
    for m in members:
        if not m.user.is_active:
            continue
        key, name = str(m.user_id), name_of(m.user)
        users[key] = m.user
        everyone.append((key, f"{name} ({Role(m.role).label})"))
        if m.role == Role.CLINICIAN:
            clinicians.append((key, name))
        elif m.role == Role.ADVOCATE:
            advocates.append((key, name))
    return _Staff(users, everyone, clinicians, advocates)


# --- words ----------------------------------------------------------------------------------


def pathway_titles(protocol: Protocol) -> dict[Pathway, str]:
    return {p: protocol.pathways[p].title.staff for p in Pathway}


def urgency_label(urgency: Urgency) -> str:
    return str(URGENCY_LABELS[urgency])


def flag_labels(flags: Iterable[Flag]) -> list[str]:
    return [str(FLAG_LABELS[f]) for f in flags]
