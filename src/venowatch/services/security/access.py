"""Who may see and do what. Everything fails closed: a user without a role sees nothing, and a
record outside a user's reach does not exist for them (views answer 404, not 403)."""

from __future__ import annotations

import enum

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.db.models import QuerySet

from venowatch.clinic.models import Member, Patient, Role

User = AbstractBaseUser | AnonymousUser


class Act(enum.Enum):
    VIEW = "view"
    CHECK_IN = "check_in"
    RECORD_PROCEDURE = "record_procedure"
    RECORD_LAB = "record_lab"
    ADD_NOTE = "add_note"
    CORRECT_CHECKIN = "correct_checkin"  # staff: void or correct a check-in
    MANAGE_TASKS = "manage_tasks"
    VIEW_AS_OF = "view_as_of"
    WORKLIST = "worklist"


_ALLOWED: dict[Role, frozenset[Act]] = {
    Role.PATIENT: frozenset({Act.VIEW, Act.CHECK_IN}),
    Role.ADVOCATE: frozenset(
        {
            Act.VIEW,
            Act.RECORD_PROCEDURE,
            Act.RECORD_LAB,
            Act.ADD_NOTE,
            Act.CORRECT_CHECKIN,
            Act.MANAGE_TASKS,
            Act.VIEW_AS_OF,
            Act.WORKLIST,
        }
    ),
    Role.CLINICIAN: frozenset(
        {
            Act.VIEW,
            Act.RECORD_PROCEDURE,
            Act.RECORD_LAB,
            Act.ADD_NOTE,
            Act.CORRECT_CHECKIN,
            Act.VIEW_AS_OF,
            Act.WORKLIST,
        }
    ),
    Role.ADMIN: frozenset(Act) - {Act.CHECK_IN},
}


class MemberBackend(ModelBackend):
    """Django's own password backend, loading a signed-in user's membership and clinic in the
    same query as the user: every page asks for them, so each request saves one query."""

    def get_user(self, user_id: int) -> AuthUser | None:
        user = AuthUser.objects.select_related("member__clinic").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


def member_of(user: User) -> Member | None:
    """The user's membership: loaded with the user by MemberBackend, else looked up here."""
    if not user.is_authenticated or not user.is_active:
        return None
    try:
        member: Member = user.member  # type: ignore[attr-defined]  # the reverse one-to-one
    except Member.DoesNotExist:
        return None
    return member


def role_of(user: User) -> Role | None:
    member = member_of(user)
    return Role(member.role) if member else None


def acts_of(user: User) -> frozenset[Act]:
    """What the user's role allows at all (on patients in reach); nothing without a role."""
    role = role_of(user)
    return _ALLOWED[role] if role is not None else frozenset()


def may(user: User, act: Act) -> bool:
    return act in acts_of(user)


def patients_in_reach(user: User) -> QuerySet[Patient]:
    """The patients this user may see: their own record, their assigned patients, those they
    treated, or (admin) their clinic's."""
    member = member_of(user)
    if member is None:
        return Patient.objects.none()
    mine = Patient.objects.filter(clinic_id=member.clinic_id)
    role = Role(member.role)
    if role is Role.PATIENT:
        return mine.filter(user_id=member.user_id)
    if role is Role.ADVOCATE:
        return mine.filter(advocate_id=member.user_id)
    if role is Role.CLINICIAN:
        treated = Patient.objects.filter(procedures__performed_by_id=member.user_id)
        return mine.filter(pk__in=treated.values("pk"))
    if role is Role.ADMIN:
        return mine
    return Patient.objects.none()


def patient_in_reach(user: User, pk: int, *related: str) -> Patient | None:
    """Patient `pk` if this user may see them, with `related` loaded; else None."""
    return patients_in_reach(user).select_related(*related).filter(pk=pk).first()
