"""Staff tasks made from assessments: list them, and acknowledge, assign, resolve one or record
a call tried (action `call`; the task's `calls` list them)."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from venowatch.api.access import require_write
from venowatch.api.errors import READ_ERRORS, WRITE_ERRORS, not_found
from venowatch.api.pages import Pages
from venowatch.api.schemas import Id, TaskAction, TaskMove, TaskOut
from venowatch.clinic.models import Task, TaskStatus
from venowatch.services.care import tasks
from venowatch.services.care.emergency import is_open_emergency, record_call
from venowatch.services.care.reads import task_in_reach, tasks_in_reach
from venowatch.services.care.staff import staff_member
from venowatch.services.clock import utc_now
from venowatch.services.errors import FieldError
from venowatch.services.security.access import Act, may, may_manage_task

router = Router(tags=["tasks"])


class TaskFilters(Schema):
    status: TaskStatus | None = None
    patient_id: Id | None = None


def _tasks(request: HttpRequest) -> Any:
    if not may(request.user, Act.MANAGE_TASKS):
        raise not_found(None)
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
    return rows.prefetch_related("calls").order_by("-created_at", "-pk")


@router.post("/{int:pk}", response={200: TaskOut, **WRITE_ERRORS})
def move_task(request: HttpRequest, pk: Id, payload: TaskMove) -> Task:
    """Acknowledge, assign or resolve a task: an advocate's or administrator's in reach, or
    any staff member's if it is an open emergency (the cover rule)."""
    require_write(request)
    task = task_in_reach(request.user, pk)
    if task is None or not may_manage_task(request.user, task, is_open_emergency(task)):
        raise not_found()
    _move(request, task, payload)
    moved = task_in_reach(request.user, pk)  # read again: its state, events and calls moved
    assert moved is not None, "acting on a task keeps it in reach"
    return moved


def _move(request: HttpRequest, task: Task, payload: TaskMove) -> None:
    now = utc_now()
    if payload.action is TaskAction.ACKNOWLEDGE:
        tasks.acknowledge(task, request.user, now)
    elif payload.action is TaskAction.RESOLVE:
        tasks.resolve(task, request.user, now, payload.note, payload.resolution)
    elif payload.action is TaskAction.CALL:
        if payload.call_outcome is None:
            raise FieldError("call_outcome", "say what happened on the call")
        record_call(task, request.user, now, payload.call_outcome, payload.note)
    else:
        assignee = staff_member(task.patient.clinic_id, payload.assignee_id)
        tasks.assign(task, assignee, request.user, now)
