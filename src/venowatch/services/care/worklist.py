"""The worklist's order and filters, shared by the staff pages and the API."""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from venowatch.clinic.models import Patient, Task
from venowatch.protocol import Flag
from venowatch.services.care.emergency import OPEN_EMERGENCY
from venowatch.services.care.search import matching
from venowatch.services.security.access import patients_in_care, patients_in_reach

NO_ADVOCATE = "none"


def _has_flag(path: str, flag: Flag) -> Q:
    """Whether the JSON list at `path` holds `flag`, on every database backend.

    `flags__contains` exists only on PostgreSQL, and matching the JSON text would match any
    flag whose name contains another's. A stored list holds each flag at most once, so it is
    at most len(Flag) long: compare each position exactly (JSON path [i] on SQLite, -> i on
    PostgreSQL)."""
    return reduce(or_, (Q(**{f"{path}__{i}": flag.value}) for i in range(len(Flag))))


def worklist_rows(user: Any, filters: Mapping[str, Any]) -> QuerySet[Patient]:
    """The patients in the user's care, most urgent first, then the longest wait; patients
    never assessed last. A patient with an open emergency task is on top whatever their
    pathway now says (services.care.emergency): only a person closes it. Filters: q (search
    text, services.care.search), pathway, urgency, overdue (bool), advocate (a user id, or
    NO_ADVOCATE), emergencies (bool: instead of the patients in the user's care, every patient
    in reach with an open emergency, the cover rule's)."""
    if filters.get("emergencies"):
        rows = patients_in_reach(user).filter(pk__in=_emergency_patients())
    else:
        rows = patients_in_care(user)
    emergency = Task.objects.filter(OPEN_EMERGENCY, patient=OuterRef("pk"))
    rows = rows.select_related("assessment", "advocate").annotate(open_emergency=Exists(emergency))
    if filters.get("q"):
        rows = matching(rows, filters["q"])
    if filters.get("pathway"):
        rows = rows.filter(assessment__pathway=filters["pathway"])
    if filters.get("urgency"):
        rows = rows.filter(assessment__urgency=filters["urgency"])
    if filters.get("overdue"):
        rows = rows.filter(_has_flag("assessment__flags", Flag.CHECKIN_OVERDUE))
    advocate = filters.get("advocate")
    if advocate == NO_ADVOCATE:
        rows = rows.filter(advocate__isnull=True)
    elif advocate:
        rows = rows.filter(advocate_id=int(advocate))
    return rows.order_by(
        F("open_emergency").desc(),
        F("assessment__urgency_rank").asc(nulls_last=True),
        F("assessment__since").asc(nulls_last=True),
        "name",
        "pk",
    )


def advocates_in_care(user: Any) -> tuple[list[tuple[int, str]], bool]:
    """The advocates of the patients in the user's care, by name (the worklist's filter offers
    only these: a colleague whose patients the user cannot see would always match nobody), and
    whether any patient in their care has no advocate."""
    rows = (
        patients_in_care(user)
        .order_by()
        .values_list(
            "advocate_id", "advocate__first_name", "advocate__last_name", "advocate__username"
        )
        .distinct()
    )
    advocates, unassigned = [], False
    for pk, first, last, username in rows:
        if pk is None:
            unassigned = True
        else:
            advocates.append((pk, f"{first} {last}".strip() or username))
    return sorted(advocates, key=lambda a: (a[1].casefold(), a[0])), unassigned


def _emergency_patients() -> QuerySet[Task, Any]:
    return Task.objects.filter(OPEN_EMERGENCY).values("patient_id")
