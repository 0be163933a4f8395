"""The people and patients of the permission matrices (web pages and API): each role's "own"
record, the one it legitimately reaches, and an "other" just outside it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.web_fixtures import H, clinic, patient, user
from venowatch.clinic.models import CheckIn, Lab, Note, Patient, Procedure, Role, TaskEvent
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care.records import record_checkin, record_procedure

ROLES = ["patient", "advocate", "clinician", "admin", "no_role", "signed_out"]


@dataclass
class World:
    people: dict[str, User | None]
    own: dict[str, Patient]
    other: dict[str, Patient]


def _operated(p: Patient, ir: User) -> None:
    """A procedure by `ir` and a markedly worse check-in: an emergency, so a task is open."""
    now = timezone.now()
    record_procedure(
        p, kind=ProcedureKind.VENOPLASTY, performed_at=now - 5 * H, performed_by=ir, now=now
    )
    record_checkin(p, at=now - 1 * H, pgic=Pgic.MUCH_WORSE, now=now)


@pytest.fixture
def world() -> World:
    a, b = clinic("Clinic A"), clinic("Clinic B")
    alex, jordan = user("alex", a, Role.ADVOCATE), user("jordan", a, Role.ADVOCATE)
    ruiz, other_ir = user("dr.ruiz", a, Role.CLINICIAN), user("dr.other", a, Role.CLINICIAN)
    admin = user("admin", a, Role.ADMIN)
    mine = patient("Own Patient", a, advocate=alex)
    theirs = patient("Other Patient", a, advocate=jordan)
    foreign = patient("Foreign Patient", b, advocate=user("casey", b, Role.ADVOCATE))
    _operated(mine, ruiz)
    _operated(theirs, other_ir)
    _operated(foreign, user("dr.b", b, Role.CLINICIAN))
    people: dict[str, User | None] = {
        "patient": mine.user, "advocate": alex, "clinician": ruiz, "admin": admin,
        "no_role": User.objects.create_user("nobody", password="x"), "signed_out": None,
    }  # fmt: skip
    own = dict.fromkeys(ROLES, mine)
    other = dict.fromkeys(ROLES, theirs)
    other["admin"] = foreign  # an administrator reaches the whole clinic, not another one
    return World(people, own, other)


def footprint() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (CheckIn, Procedure, Lab, Note, TaskEvent))
