"""Who may be named on a clinic's records: the clinician who performed a procedure, the staff
member a task is assigned to. The edges offer only these people; the rules live here so that a
write from any edge, or from code, is held to them."""

from __future__ import annotations

from typing import Any

from venowatch.clinic.models import Member, Role
from venowatch.services.errors import FieldError

NOT_A_CLINICIAN = "is not a clinician of this clinic"
NOT_STAFF = "is not staff of this clinic"
NOBODY = "say whom to assign the task to"


def clinician(clinic_id: int, user_id: int) -> Any:
    """User `user_id` if they are a clinician of the clinic; else FieldError on `performed_by`."""
    member = (
        Member.objects.select_related("user")
        .filter(user_id=user_id, clinic_id=clinic_id, role=Role.CLINICIAN)
        .first()
    )
    if member is None:
        raise FieldError("performed_by", NOT_A_CLINICIAN)
    return member.user


def staff_member(clinic_id: int, user_id: int | None) -> Any:
    """User `user_id` if they are on the clinic's staff (any role but patient); else FieldError
    on `assignee`."""
    if user_id is None:
        raise FieldError("assignee", NOBODY)
    member = (
        Member.objects.select_related("user")
        .filter(user_id=user_id, clinic_id=clinic_id)
        .exclude(role=Role.PATIENT)
        .first()
    )
    if member is None:
        raise FieldError("assignee", NOT_STAFF)
    return member.user
