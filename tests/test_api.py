"""The REST API: authentication, each resource, bad input and idempotent check-ins."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.api_fixtures import Api
from tests.web_fixtures import PASSWORD, clinic, patient, user
from venowatch.clinic.models import CheckIn, Clinic, Member, Patient, Procedure, Role, Task
from venowatch.protocol import ProcedureKind
from venowatch.security.models import ApiToken, Scope
from venowatch.services.care.records import record_procedure
from venowatch.services.security import tokens

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


@pytest.fixture
def home() -> Clinic:
    return clinic("Clinic A")


@pytest.fixture
def alex(home: Clinic) -> User:
    return user("alex", home, Role.ADVOCATE)


@pytest.fixture
def maria(home: Clinic, alex: User) -> Patient:
    p = patient("Maria Keller", home, advocate=alex)
    now = timezone.now()
    record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=now - 10 * 24 * H, now=now)
    return p


def test_without_credentials_the_answer_is_401_with_a_body(maria: Patient) -> None:
    response = Client().get("/api/v1/patients")
    assert response.status_code == 401
    assert response.json()["detail"][0]["loc"] == ["header", "Authorization"]
    wrong = Client().get("/api/v1/patients", headers={"Authorization": "Bearer vw_nope"})
    assert wrong.status_code == 401


def test_a_token_is_shown_once_and_stored_as_a_digest(alex: User) -> None:
    token, secret = tokens.issue(alex, name="EHR bridge", scope=Scope.READ)
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.digest, stored.prefix)
    assert secret.startswith(stored.prefix)
    assert stored.clinic_id == Member.objects.get(user=alex).clinic_id


def test_a_user_without_a_clinic_gets_no_token() -> None:
    loner = User.objects.create_user("loner", password=PASSWORD)
    with pytest.raises(tokens.TokenError, match="belongs to no clinic"):
        tokens.issue(loner, name="x", scope=Scope.READ)


def test_revoked_tokens_and_tokens_of_users_who_left_stop_working(
    alex: User, maria: Patient
) -> None:
    api = Api(alex)
    assert api.get("/patients").status_code == 200
    tokens.revoke(api.token, timezone.now())
    assert api.get("/patients").status_code == 401
    moved = Api(alex)
    Member.objects.filter(user=alex).update(clinic=clinic("Clinic B"))
    assert moved.get("/patients").status_code == 401


def test_the_worklist_filters_and_pages(alex: User, maria: Patient, home: Clinic) -> None:
    for i in range(3):
        patient(f"Other {i}", home, advocate=alex, login=False)
    api = Api(alex, Scope.READ)
    everyone = api.get("/patients").json()
    assert everyone["count"] == 4
    assert everyone["items"][0]["name"] == "Maria Keller"  # assessed first, unassessed last
    pathway = everyone["items"][0]["assessment"]["pathway"]
    filtered = api.get("/patients", pathway=pathway)
    assert filtered.status_code == 200, filtered.content
    assert [p["name"] for p in filtered.json()["items"]] == ["Maria Keller"]
    bad = api.get("/patients", urgency="whenever")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "urgency"


def test_a_procedure_is_recorded_and_reassesses(alex: User, maria: Patient) -> None:
    api = Api(alex)
    before = api.get(f"/patients/{maria.pk}/assessment").json()
    at = (timezone.now() - 2 * H).isoformat()
    created = api.post(
        f"/patients/{maria.pk}/procedures",
        {"kind": "venoplasty", "performed_at": at, "veins": ["left internal jugular"]},
    )
    assert created.status_code == 201, created.content
    assert created.json()["veins"] == ["left internal jugular"]
    after = api.get(f"/patients/{maria.pk}/assessment").json()
    assert after["as_of"] != before["as_of"]
    assert after["repeats_done"] == before["repeats_done"] + 1
    assert all({"clause", "code", "text", "staff"} <= set(r) for r in after["rationale"])


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"kind": "venoplasty", "performed_at": "2026-01-12T10:00:00"}, "performed_at", "timezone"),
        ({"kind": "balloon", "performed_at": "2026-01-12T10:00:00Z"}, "kind", "venoplasty"),
        ({"kind": "venoplasty", "performed_at": "2999-01-12T10:00:00Z"}, "performed_at", "future"),
        ({"kind": "venoplasty"}, "performed_at", "required"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    alex: User, maria: Patient, body: dict[str, str], field: str, words: str
) -> None:
    response = Api(alex).post(f"/patients/{maria.pk}/procedures", body)
    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert problem["loc"][-1] == field
    assert words in problem["msg"].lower()
    assert Procedure.objects.filter(patient=maria).count() == 1


def test_malformed_json_is_a_4xx_with_a_body(alex: User, maria: Patient) -> None:
    api = Api(alex)
    response = api.client.post(
        f"/api/v1/patients/{maria.pk}/procedures",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.secret}"},
    )
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "path", ["/patients/99999999999999999999", "/tasks?patient_id=99999999999999999999"]
)
def test_an_id_past_64_bits_is_bad_input_not_a_server_error(alex: User, path: str) -> None:
    response = Api(alex).client.get(
        f"/api/v1{path}", headers={"Authorization": f"Bearer {Api(alex).secret}"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] in ("pk", "patient_id")


def test_a_fhir_export_of_an_id_past_64_bits_is_not_found(alex: User) -> None:
    api = Api(alex)
    response = api.client.get(
        "/fhir/r4/Patient/99999999999999999999/$everything",
        headers={"Authorization": f"Bearer {api.secret}"},
    )
    assert response.status_code == 404


def test_a_read_token_cannot_write(alex: User, maria: Patient) -> None:
    at = (timezone.now() - H).isoformat()
    response = Api(alex, Scope.READ).post(
        f"/patients/{maria.pk}/labs", {"at": at, "kind": "blood", "result": "abnormal"}
    )
    assert response.status_code == 403
    assert "only read" in response.json()["detail"][0]["msg"]


def test_as_of_is_for_staff(alex: User, maria: Patient) -> None:
    instant = timezone.now() - 5 * 24 * H
    then = instant.isoformat()
    staff = Api(alex).get(f"/patients/{maria.pk}/assessment", as_of=then)
    assert staff.status_code == 200
    assert abs(datetime.fromisoformat(staff.json()["as_of"]) - instant) < timedelta(seconds=1)
    assert maria.user is not None
    assert Api(maria.user).get(f"/patients/{maria.pk}/assessment", as_of=then).status_code == 404


def test_history_and_tasks(alex: User, maria: Patient) -> None:
    assert maria.user is not None
    Api(maria.user).post(f"/patients/{maria.pk}/checkins", {"pgic": "very_much_worse"})
    api = Api(alex)
    changes = api.get(f"/patients/{maria.pk}/assessments").json()
    assert changes["count"] >= 2
    open_tasks = api.get("/tasks", status="open").json()["items"]
    assert open_tasks
    task = open_tasks[0]
    resolved = api.post(f"/tasks/{task['id']}", {"action": "resolve"})
    assert resolved.status_code == 422
    assert resolved.json()["detail"][0]["msg"] == "say how it was resolved"
    assert resolved.json()["detail"][0]["loc"] == ["body", "note"]
    done = api.post(f"/tasks/{task['id']}", {"action": "resolve", "note": "Called; fine."})
    assert done.json()["status"] == "resolved"
    assert Task.objects.get(pk=task["id"]).status == "resolved"


class TestIdempotentCheckIn:
    def test_the_same_key_and_body_give_the_same_answer_and_one_row(self, maria: Patient) -> None:
        assert maria.user is not None
        api = Api(maria.user)
        body = {"pgic": "much_improved", "note": "better"}
        first = api.post(f"/patients/{maria.pk}/checkins", body, **{"Idempotency-Key": "k-1"})
        again = api.post(
            f"/patients/{maria.pk}/checkins",
            {"note": "better", "pgic": "much_improved"},
            **{"Idempotency-Key": "k-1"},
        )
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        assert CheckIn.objects.filter(patient=maria).count() == 1

    def test_the_same_key_with_another_body_is_a_422(self, maria: Patient) -> None:
        assert maria.user is not None
        api = Api(maria.user)
        url = f"/patients/{maria.pk}/checkins"
        api.post(url, {"pgic": "no_change"}, **{"Idempotency-Key": "k-2"})
        other = api.post(url, {"pgic": "much_worse"}, **{"Idempotency-Key": "k-2"})
        assert other.status_code == 422
        assert other.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
        assert CheckIn.objects.filter(patient=maria).count() == 1

    def test_a_refused_check_in_keeps_nothing_under_its_key(self, maria: Patient) -> None:
        assert maria.user is not None
        api = Api(maria.user)
        url = f"/patients/{maria.pk}/checkins"
        future = (timezone.now() + 48 * H).isoformat()
        refused = api.post(url, {"pgic": "no_change", "at": future}, **{"Idempotency-Key": "k-3"})
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "at"]
        fixed = api.post(url, {"pgic": "no_change"}, **{"Idempotency-Key": "k-3"})
        assert fixed.status_code == 201
        assert CheckIn.objects.filter(patient=maria).count() == 1

    def test_without_a_key_each_post_stores(self, maria: Patient) -> None:
        # Issue 11: a second check-in within a minute is a likely repeat, stored once confirmed.
        assert maria.user is not None
        api = Api(maria.user)
        for body in ({}, {"confirm_duplicate": True}):
            api.post(f"/patients/{maria.pk}/checkins", {"pgic": "no_change", **body})
        assert CheckIn.objects.filter(patient=maria).count() == 2

    def test_an_untracked_symptom_is_named(self, maria: Patient) -> None:
        assert maria.user is not None
        response = Api(maria.user).post(
            f"/patients/{maria.pk}/checkins", {"pgic": "no_change", "symptoms": {"hiccups": 3}}
        )
        assert response.status_code == 422
        assert "hiccups" in response.json()["detail"][0]["msg"]


def test_a_browser_session_needs_its_csrf_token(maria: Patient) -> None:
    assert maria.user is not None
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(maria.user)
    url = f"/api/v1/patients/{maria.pk}/checkins"
    assert browser.get(f"/api/v1/patients/{maria.pk}").status_code == 200
    refused = browser.post(url, {"pgic": "no_change"}, content_type="application/json")
    assert refused.status_code == 403
    browser.get("/accounts/login/")
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.post(
        url, {"pgic": "no_change"}, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert accepted.status_code == 201, accepted.content
    assert CheckIn.objects.filter(patient=maria).count() == 1


def test_the_openapi_document_and_docs_are_served_without_a_cdn() -> None:
    document = Client().get("/api/v1/openapi.json")
    assert document.status_code == 200
    assert "/api/v1/patients/{pk}/checkins" in document.json()["paths"]
    docs = Client().get("/api/v1/docs").content.decode()
    assert "swagger" in docs.lower()
    assert "cdn." not in docs
