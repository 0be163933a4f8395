"""Voiding and correcting records over the API, duplicates as 409, and who may do which: every
role x every correction endpoint x own and other patient, failing closed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.api_fixtures import Api
from tests.permission_world import ROLES, Caller, World
from tests.web_fixtures import D, H, clinic, patient, user
from venowatch.clinic.models import Assessment, CheckIn, Lab, Patient, Procedure, Role
from venowatch.protocol import LabKind, LabResult, Pgic, ProcedureKind
from venowatch.services.care.records import record_checkin, record_lab, record_procedure

pytestmark = pytest.mark.django_db


def _maria() -> tuple[Patient, Api, Api]:
    c = clinic()
    alex = user("alex", c, Role.ADVOCATE)
    p = patient("Maria Keller", c, advocate=alex)
    now = timezone.now()
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now - 20 * H, now=now)
    assert p.user is not None
    return p, Api(alex), Api(p.user)


def test_void_and_correct_a_procedure() -> None:
    p, staff, _me = _maria()
    old = Procedure.objects.get(patient=p)
    at = (old.performed_at - 2 * H).isoformat()
    body = {"kind": "stent", "performed_at": at, "reason": "it was a stent, earlier"}
    fixed = staff.post(f"/patients/{p.pk}/procedures/{old.pk}/correct", body)
    assert fixed.status_code == 201, fixed.content
    assert (fixed.json()["replaces_id"], fixed.json()["state"]) == (old.pk, "current")
    listed = {r["id"]: r for r in staff.get(f"/patients/{p.pk}/procedures").json()["items"]}
    assert listed[old.pk]["state"] == "superseded"
    assert listed[old.pk]["void_reason"] == "it was a stent, earlier"
    new = fixed.json()["id"]
    voided = staff.post(f"/patients/{p.pk}/procedures/{new}/void", {"reason": "wrong patient"})
    assert (voided.status_code, voided.json()["state"]) == (200, "voided")
    assert Assessment.objects.get(patient=p).pathway == "no_procedure"


def test_void_and_correct_a_lab() -> None:
    p, staff, _me = _maria()
    now = timezone.now()
    lab = record_lab(p, at=now - H, kind=LabKind.URINE, result=LabResult.NORMAL, now=now)
    body = {"at": lab.at.isoformat(), "kind": "urine", "result": "abnormal", "reason": "misread"}
    no_finding = staff.post(f"/patients/{p.pk}/labs/{lab.pk}/correct", body)
    assert no_finding.status_code == 422
    assert no_finding.json()["detail"][0]["loc"] == ["body", "finding"]
    assert Lab.objects.get(pk=lab.pk).voided_at is None, "a refused correction changes nothing"
    fixed = staff.post(f"/patients/{p.pk}/labs/{lab.pk}/correct", {**body, "finding": "infection"})
    assert fixed.status_code == 201, fixed.content
    gone = staff.post(f"/patients/{p.pk}/labs/{fixed.json()['id']}/void", {"reason": "no"})
    assert gone.json()["state"] == "voided"
    again = staff.post(f"/patients/{p.pk}/labs/{fixed.json()['id']}/void", {"reason": "no"})
    assert again.status_code == 422
    assert again.json()["detail"][0]["loc"] == ["path", "rid"]


def test_void_and_correct_a_checkin_and_the_patient_withdraws_their_own() -> None:
    p, staff, me = _maria()
    saved = me.post(f"/patients/{p.pk}/checkins", {"pgic": "no_change", "symptoms_returned": True})
    assert saved.json()["assessment"]["pathway"] == "possible_thrombosis"
    first = saved.json()["checkin"]["id"]
    withdrawn = me.post(f"/patients/{p.pk}/checkins/{first}/void", {"reason": "wrong button"})
    assert (withdrawn.status_code, withdrawn.json()["state"]) == (200, "voided")
    assert Assessment.objects.get(patient=p).pathway == "awaiting_checkin"
    at = (timezone.now() - 2 * H).isoformat()
    again = me.post(f"/patients/{p.pk}/checkins", {"pgic": "much_worse", "at": at})
    fix = {"at": at, "pgic": "much_improved", "reason": "the patient misread the scale"}
    fixed = staff.post(f"/patients/{p.pk}/checkins/{again.json()['checkin']['id']}/correct", fix)
    assert fixed.status_code == 201, fixed.content
    assert CheckIn.objects.get(pk=fixed.json()["id"]).pgic is Pgic.MUCH_IMPROVED
    assert (
        me.post(f"/patients/{p.pk}/checkins/{fixed.json()['id']}/correct", fix).status_code == 404
    )


def test_a_repeat_within_a_minute_is_a_409_until_confirmed() -> None:
    p, staff, me = _maria()
    old = Procedure.objects.get(patient=p)
    body = {"kind": "venoplasty", "performed_at": old.performed_at.isoformat()}
    repeat = staff.post(f"/patients/{p.pk}/procedures", body)
    assert repeat.status_code == 409
    detail = repeat.json()["detail"][0]
    assert detail["loc"] == ["body", "confirm_duplicate"]
    assert f"id {old.pk}" in detail["msg"]
    assert Procedure.objects.filter(patient=p).count() == 1
    confirmed = staff.post(f"/patients/{p.pk}/procedures", {**body, "confirm_duplicate": True})
    assert confirmed.status_code == 201
    assert me.post(f"/patients/{p.pk}/checkins", {"pgic": "no_change"}).status_code == 201
    assert me.post(f"/patients/{p.pk}/checkins", {"pgic": "no_change"}).status_code == 409
    ok = me.post(f"/patients/{p.pk}/checkins", {"pgic": "no_change", "confirm_duplicate": True})
    assert ok.status_code == 201


def test_dates_before_the_clinics_floor_are_refused_with_the_reason() -> None:
    p, staff, _me = _maria()
    body = {"kind": "venoplasty", "performed_at": "1900-01-01T10:00:00+00:00"}
    old = staff.post(f"/patients/{p.pk}/procedures", body)
    assert old.status_code == 422
    assert old.json()["detail"][0]["loc"] == ["body", "performed_at"]
    assert "1 January 2005" in old.json()["detail"][0]["msg"]


def test_the_openapi_document_describes_the_confirmation_and_the_409() -> None:
    _p, staff, _me = _maria()
    doc = staff.get("/openapi.json").json()
    post = doc["paths"]["/api/v1/patients/{pk}/procedures"]["post"]
    assert "409" in post["responses"]
    assert "confirm_duplicate" in doc["components"]["schemas"]["ProcedureIn"]["properties"]
    assert "/api/v1/patients/{pk}/checkins/{rid}/void" in doc["paths"]


# --- who may ------------------------------------------------------------------------------

STAFF = {"void_procedure", "correct_procedure", "void_lab", "correct_lab"}
ALLOWED = {
    "patient": {"void_checkin"},
    "advocate": {*STAFF, "void_checkin", "correct_checkin"},
    "clinician": {*STAFF, "void_checkin", "correct_checkin"},
    "admin": {*STAFF, "void_checkin", "correct_checkin"},
    "analyst": set(),  # sees outcome figures, never a record
    "no_role": set(),
    "signed_out": set(),
}
ACTIONS = sorted(STAFF | {"void_checkin", "correct_checkin"})
CASES = [(r, a, w) for r in ROLES for a in ACTIONS for w in ("own", "other", "foreign")]


def _reaches(role: str, whose: str) -> bool:
    """Whose records the role corrects: its own patients; an administrator the whole clinic
    (a colleague's patient too); nobody another clinic's."""
    return whose == "own" or (role == "admin" and whose == "other")


def _calls(caller: Any, target: Patient) -> dict[str, Callable[[], Any]]:
    pk, now = target.pk, timezone.now()
    procedure = Procedure.objects.filter(patient=target).first()
    checkin = CheckIn.objects.filter(patient=target).first() or record_checkin(
        target, at=now - 2 * H, pgic=Pgic.NO_CHANGE, now=now
    )
    lab = record_lab(target, at=now - D, kind=LabKind.BLOOD, result=LabResult.NORMAL, now=now)
    assert procedure is not None
    assert checkin is not None
    at = (now - 3 * H).isoformat()
    why = {"reason": "entered by mistake"}
    return {
        "void_procedure": lambda: caller.post(
            f"/patients/{pk}/procedures/{procedure.pk}/void", why
        ),
        "correct_procedure": lambda: caller.post(
            f"/patients/{pk}/procedures/{procedure.pk}/correct",
            {"kind": "stent", "performed_at": procedure.performed_at.isoformat(), **why},
        ),
        "void_lab": lambda: caller.post(f"/patients/{pk}/labs/{lab.pk}/void", why),
        "correct_lab": lambda: caller.post(
            f"/patients/{pk}/labs/{lab.pk}/correct",
            {"at": lab.at.isoformat(), "kind": "urine", "result": "normal", **why},
        ),
        "void_checkin": lambda: caller.post(f"/patients/{pk}/checkins/{checkin.pk}/void", why),
        "correct_checkin": lambda: caller.post(
            f"/patients/{pk}/checkins/{checkin.pk}/correct", {"at": at, "pgic": "no_change", **why}
        ),
    }


def _voided() -> int:
    return sum(m.objects.filter(voided_at__isnull=False).count() for m in (Procedure, CheckIn, Lab))


@pytest.mark.parametrize(("role", "action", "whose"), CASES, ids=["-".join(c) for c in CASES])
def test_correction_permission_matrix(world: World, role: str, action: str, whose: str) -> None:
    target = world.target(role, whose)
    if role == "patient":  # the world's check-ins were saved by nobody; make one the patient's
        CheckIn.objects.filter(patient=target).update(recorded_by=target.user)
    calls = _calls(Caller(world, role), target)
    before = _voided()
    response = calls[action]()
    if action in ALLOWED[role] and _reaches(role, whose):
        assert response.status_code in (200, 201), response.content
        assert _voided() == before + 1
    else:
        assert response.status_code == (401 if role == "signed_out" else 404), response.content
        assert response.json()["detail"], "every refusal says why"
        assert _voided() == before, "a refused request changes nothing"


def test_record_ids_of_another_patient_are_not_found(world: World) -> None:
    alex = world.people["advocate"]
    assert alex is not None
    theirs = Procedure.objects.get(patient=world.other["advocate"])
    response = Api(alex).post(
        f"/patients/{world.own['advocate'].pk}/procedures/{theirs.pk}/void", {"reason": "x"}
    )
    assert response.status_code == 404
    assert Procedure.objects.get(pk=theirs.pk).voided_at is None


def test_a_reason_is_required(world: World) -> None:
    alex = world.people["advocate"]
    assert alex is not None
    mine = Procedure.objects.get(patient=world.own["advocate"])
    response = Api(alex).post(
        f"/patients/{world.own['advocate'].pk}/procedures/{mine.pk}/void",
        {"reason": " "},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "reason"
