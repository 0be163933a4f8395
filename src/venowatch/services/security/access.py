"""Who may see and do what. Everything fails closed: a user without a role sees nothing, and a
record outside a user's reach does not exist for them (views answer 404, not 403).

Cover: a patient is in a staff member's reach if they are in their care (assigned, treated,
or, for an administrator, the clinic's), or if the clinic has an open emergency for them
(services.care.emergency): a sick colleague's emergency patients are never out of reach.
Anyone else's patient stays out of reach, except that an advocate may take them over."""

from __future__ import annotations

import enum

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.db.models import Q, QuerySet

from venowatch.clinic.models import Member, Patient, Role, Task
from venowatch.services.care.emergency import OPEN_EMERGENCY
from venowatch.services.security import audit

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
    EDIT_CONTACT = "edit_contact"  # the patient's phones, date of birth, identifiers
    MANAGE_EMERGENCIES = "manage_emergencies"  # act on the clinic's open emergency tasks
    TAKE_OVER = "take_over"  # become the advocate of a colleague's patient, with a reason
    RECORD_CONSENT = "record_consent"  # record the patient's consent given or withdrawn
    ENROL = "enrol"  # add a patient to the clinic, with their account and invitation
    VIEW_OUTCOMES = "view_outcomes"  # the clinic's outcome figures: counts, never a record


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
            Act.EDIT_CONTACT,
            Act.MANAGE_EMERGENCIES,
            Act.TAKE_OVER,
            Act.RECORD_CONSENT,
            Act.ENROL,
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
            Act.MANAGE_EMERGENCIES,
        }
    ),
    # An administrator reaches the whole clinic but is nobody's advocate.
    Role.ADMIN: frozenset(Act) - {Act.CHECK_IN, Act.TAKE_OVER},
    # An analyst sees the figures and nothing of any one patient: no patient is in their care
    # or reach (patients_in_care falls through to none for them).
    Role.ANALYST: frozenset({Act.VIEW_OUTCOMES}),
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


def outcome_clinics(user: User) -> list[int] | None:
    """The clinics whose outcome figures the user may see: an analyst's or administrator's own
    clinic; every clinic (None) for the installation's operator, a superuser; else none."""
    if user.is_authenticated and user.is_active and getattr(user, "is_superuser", False):
        return None
    member = member_of(user)
    if member is None or Act.VIEW_OUTCOMES not in _ALLOWED[Role(member.role)]:
        return []
    return [member.clinic_id]


def patients_in_care(user: User) -> QuerySet[Patient]:
    """The patients in this user's care: their own record, their assigned patients, those
    they treated, or (admin) their clinic's. The worklist lists these."""
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


def patients_in_reach(user: User) -> QuerySet[Patient]:
    """The patients this user may see and act on: those in their care and, for staff, every
    patient of their clinic with an open emergency."""
    member = member_of(user)
    if member is None:
        return Patient.objects.none()
    role = Role(member.role)
    if role not in (Role.ADVOCATE, Role.CLINICIAN):
        return patients_in_care(user)  # a patient's own record; an admin's whole clinic
    emergencies = Task.objects.filter(OPEN_EMERGENCY, patient__clinic_id=member.clinic_id)
    return Patient.objects.filter(
        Q(pk__in=patients_in_care(user).values("pk")) | Q(pk__in=emergencies.values("patient_id")),
        clinic_id=member.clinic_id,
    )


def patient_in_reach(user: User, pk: int, *related: str) -> Patient | None:
    """Patient `pk` if this user may see them, with `related` loaded; else None, and the
    refusal is logged (the id is the one asked for: it may name nobody)."""
    found = patients_in_reach(user).select_related(*related).filter(pk=pk).first()
    if found is None:
        audit.refused(user, "patient", pk, patient_id=pk)
    return found


def may_manage_task(user: User, task: Task, emergency: bool) -> bool:
    """Whether the user may acknowledge, assign or resolve `task` (already in their reach);
    `emergency`: the task is an open emergency (services.care.emergency)."""
    acts = acts_of(user)
    return Act.MANAGE_TASKS in acts or (emergency and Act.MANAGE_EMERGENCIES in acts)


def patient_to_take_over(user: User, pk: int) -> Patient | None:
    """Patient `pk` if this user may take them over: an advocate, a patient of their clinic
    not already theirs. In reach or not: a take-over is how a colleague's patient comes in."""
    member = member_of(user)
    found = None
    if member is not None and Act.TAKE_OVER in _ALLOWED.get(Role(member.role), frozenset()):
        found = (
            Patient.objects.filter(clinic_id=member.clinic_id, pk=pk)
            .exclude(advocate_id=member.user_id)
            .select_related("clinic", "advocate")
            .first()
        )
    if found is None:
        audit.refused(user, "patient", pk, patient_id=pk)
    return found


def log_refusal(user: User | None, what: str, pk: int | None = None) -> None:
    """Log that an edge refused `user` an act their role does not allow (it answers 404)."""
    audit.refused(user, what, pk, patient_id=pk if what == "patient" else None)
