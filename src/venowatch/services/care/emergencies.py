"""Open emergencies: the possible-clot call tasks nobody has resolved yet.

One definition for every reader: the cover rule (services.security.access) lets every staff
member of a clinic reach the patients it names, and the worklist lists them at the top. A task
is an emergency by the change that opened it (possible thrombosis), so it stays one whatever
the patient reports later, until a person resolves it."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from venowatch.clinic.models import Task, TaskKind, TaskStatus
from venowatch.protocol import Pathway

OPEN_EMERGENCY = Q(kind=TaskKind.CALL_PATIENT, change__pathway=Pathway.POSSIBLE_THROMBOSIS) & ~Q(
    status=TaskStatus.RESOLVED
)
"""A task that is an open emergency (a filter on Task)."""


def open_emergency_tasks(clinic_id: int) -> QuerySet[Task]:
    """The clinic's open emergency tasks, oldest first (the longest waiting on top)."""
    return Task.objects.filter(OPEN_EMERGENCY, patient__clinic_id=clinic_id).order_by(
        "created_at", "pk"
    )


def is_open_emergency(task: Task) -> bool:
    """OPEN_EMERGENCY for one task in hand (its change loaded, or one query to load it)."""
    if task.kind != TaskKind.CALL_PATIENT or task.status == TaskStatus.RESOLVED:
        return False
    change = task.change
    return change is not None and change.pathway is Pathway.POSSIBLE_THROMBOSIS
