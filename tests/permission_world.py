"""The people and patients of the permission matrices (web pages and API): each role's "own"
record (the one it legitimately reaches), "other" (a colleague's patient at the same clinic,
not an emergency), "emergency" (a colleague's patient at the same clinic with an open
possible-clot task: the cover rule brings them in for all staff) and "foreign" (an emergency
at another clinic)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.api_fixtures import Api
from tests.web_fixtures import H, clinic, patient, user
from venowatch.clinic.models import (
    CallAttempt,
    CheckIn,
    Lab,
    Note,
    Patient,
    PatientDetails,
    PatientPhone,
    Procedure,
    Role,
    Takeover,
    Task,
    TaskEvent,
    TaskKind,
)
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.security.models import Scope
from venowatch.services.care.records import record_checkin, record_procedure

ROLES = ["patient", "advocate", "clinician", "admin", "analyst", "no_role", "signed_out"]
WHOSE = ["own", "other", "emergency", "foreign"]


@dataclass
class World:
    people: dict[str, User | None]
    own: dict[str, Patient]
    other: dict[str, Patient]
    emergency: Patient
    foreign: Patient

    def target(self, role: str, whose: str) -> Patient:
        if whose == "own":
            return self.own[role]
        if whose == "other":
            return self.other[role]
        return self.emergency if whose == "emergency" else self.foreign


def _operated(p: Patient, ir: User) -> None:
    """A procedure by `ir` and a markedly worse check-in: an emergency, so a task is open."""
    now = timezone.now()
    record_procedure(
        p, kind=ProcedureKind.VENOPLASTY, performed_at=now - 5 * H, performed_by=ir, now=now
    )
    record_checkin(p, at=now - 1 * H, pgic=Pgic.MUCH_WORSE, now=now)


def _quiet(p: Patient, ir: User) -> None:
    """A procedure by `ir`, no check-in yet, and a task that is not an emergency (a call, so
    that recording a call tried on it is a question of permission only)."""
    now = timezone.now()
    record_procedure(
        p, kind=ProcedureKind.VENOPLASTY, performed_at=now - 5 * H, performed_by=ir, now=now
    )
    Task.objects.create(
        patient=p, kind=TaskKind.CALL_PATIENT, reason="Call.", assignee=p.advocate,
        created_at=now,
    )  # fmt: skip


@pytest.fixture
def world() -> World:
    a, b = clinic("Clinic A"), clinic("Clinic B")
    alex, jordan = user("alex", a, Role.ADVOCATE), user("jordan", a, Role.ADVOCATE)
    ruiz, other_ir = user("dr.ruiz", a, Role.CLINICIAN), user("dr.other", a, Role.CLINICIAN)
    admin = user("admin", a, Role.ADMIN)
    mine = patient("Own Patient", a, advocate=alex)
    theirs = patient("Other Patient", a, advocate=jordan)
    sick = patient("Emergency Patient", a, advocate=jordan)
    foreign = patient("Foreign Patient", b, advocate=user("casey", b, Role.ADVOCATE))
    _operated(mine, ruiz)
    _quiet(theirs, other_ir)
    _operated(sick, other_ir)
    _operated(foreign, user("dr.b", b, Role.CLINICIAN))
    people: dict[str, User | None] = {
        "patient": mine.user, "advocate": alex, "clinician": ruiz, "admin": admin,
        "analyst": user("ana", a, Role.ANALYST),
        "no_role": User.objects.create_user("nobody", password="x"), "signed_out": None,
    }  # fmt: skip
    own = dict.fromkeys(ROLES, mine)
    other = dict.fromkeys(ROLES, theirs)
    return World(people, own, other, sick, foreign)


def footprint() -> tuple[int, ...]:
    models = (CheckIn, Procedure, Lab, Note, TaskEvent, Takeover, CallAttempt, PatientPhone,
              PatientDetails)  # fmt: skip
    return tuple(m.objects.count() for m in models)


class Caller:
    """GET and POST to /api/v1 as one role: a token, a session, or nobody."""

    def __init__(self, world: World, role: str, scope: Scope = Scope.WRITE) -> None:
        person = world.people[role]
        self.api = Api(person, scope) if person is not None and role != "no_role" else None
        self.client = Client()
        if role == "no_role" and person is not None:
            self.client.force_login(person)

    def get(self, path: str, **params: Any) -> Any:
        if self.api:
            return self.api.get(path, **params)
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path: str, body: Any) -> Any:
        if self.api:
            return self.api.post(path, body)
        return self.client.post(f"/api/v1{path}", body, content_type="application/json")

    def put(self, path: str, body: Any) -> Any:
        if self.api:
            return self.api.put(path, body)
        return self.client.put(f"/api/v1{path}", body, content_type="application/json")
