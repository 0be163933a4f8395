"""Staff tasks made from assessments: list them, and acknowledge, assign or resolve one."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from venowatch.api.access import require_write
from venowatch.api.errors import READ_ERRORS, WRITE_ERRORS, not_found
from venowatch.api.pages import Pages
from venowatch.api.schemas import Id, TaskAction, TaskMove, TaskOut
from venowatch.clinic.models import Task, TaskStatus
from venowatch.services.care import tasks
from venowatch.services.care.emergencies import is_open_emergency
from venowatch.services.care.reads import task_in_reach, tasks_in_reach
from venowatch.services.care.staff import staff_member
from venowatch.services.security.access import Act, may, may_manage_task

router = Router(tags=["tasks"])


class TaskFilters(Schema):
    status: TaskStatus | None = None
    patient_id: Id | None = None


def _tasks(request: HttpRequest) -> Any:
    if not may(request.user, Act.MANAGE_TASKS):
        raise not_found()
    return tasks_in_reach(request.user)


@router.get("", response={200: list[TaskOut], **READ_ERRORS})
@paginate(Pages)
def list_tasks(request: HttpRequest, filters: Query[TaskFilters]) -> Any:
    """Tasks of the patients in your reach, newest first."""
    rows = _tasks(request)
    if filters.status is not None:
        rows = rows.filter(status=filters.status)
    if filters.patient_id is not None:
        rows = rows.filter(patient_id=filters.patient_id)
    return rows.order_by("-created_at", "-pk")


@router.post("/{int:pk}", response={200: TaskOut, **WRITE_ERRORS})
def move_task(request: HttpRequest, pk: Id, payload: TaskMove) -> Task:
    """Acknowledge, assign or resolve a task: an advocate's or administrator's in reach, or
    any staff member's if it is an open emergency (the cover rule)."""
    require_write(request)
    task = task_in_reach(request.user, pk)
    if task is None or not may_manage_task(request.user, task, is_open_emergency(task)):
        raise not_found()
    now = timezone.now()
    if payload.action is TaskAction.ACKNOWLEDGE:
        return tasks.acknowledge(task, request.user, now)
    if payload.action is TaskAction.RESOLVE:
        return tasks.resolve(task, request.user, now, payload.note)
    assignee = staff_member(task.patient.clinic_id, payload.assignee_id)
    return tasks.assign(task, assignee, request.user, now)
