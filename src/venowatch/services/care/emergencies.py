"""Open emergencies: the possible-clot call tasks nobody has resolved yet.

One definition for every reader: the cover rule (services.security.access) lets every staff
member of a clinic reach the patients it names, and the worklist lists them at the top. A task
is an emergency by the change that opened it (possible thrombosis: `Task.emergency`), so it
stays one whatever the patient reports later, until a person resolves it."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from venowatch.clinic.models import Task, TaskStatus

OPEN_EMERGENCY = Q(emergency=True) & ~Q(status=TaskStatus.RESOLVED)
"""A task that is an open emergency (a filter on Task): a possible clot's call task
(`Task.emergency`, set when it opens; services.care.tasks), not yet resolved."""


def open_emergency_tasks(clinic_id: int) -> QuerySet[Task]:
    """The clinic's open emergency tasks, oldest first (the longest waiting on top)."""
    return Task.objects.filter(OPEN_EMERGENCY, patient__clinic_id=clinic_id).order_by(
        "created_at", "pk"
    )


def is_open_emergency(task: Task) -> bool:
    """OPEN_EMERGENCY for one task in hand."""
    return task.emergency and task.status != TaskStatus.RESOLVED
