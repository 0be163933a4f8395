"""GET and PUT /patients/{id}/contacts: the contact details as the staff form keeps them, read
by staff who open the patient's page, replaced by those who may edit them, refusals naming the
field in the body."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_fixtures import Api
from tests.web_fixtures import clinic, patient, user
from venowatch.clinic.models import PatientDetails, PatientPhone, Role
from venowatch.security.models import Scope

pytestmark = pytest.mark.django_db

BODY: dict[str, Any] = {
    "phones": {"mobile": "(415) 555-2671", "home": "+44 20 7946 0958"},
    "preferred": "home",
    "date_of_birth": "1970-04-02",
    "language": "en",
    "messages_by": "email",
    "emergency_contact": {"name": "Chris Keller", "relation": "partner", "phone": "415 555 0199"},
    "mrn": "MRN-00123",
}


@pytest.fixture
def setting() -> dict[str, Any]:
    a = clinic("Clinic A")
    alex = user("alex", a, Role.ADVOCATE)
    p = patient("Maria Keller", a, advocate=alex)
    return {"clinic": a, "alex": alex, "patient": p, "url": f"/patients/{p.pk}/contacts"}


def test_put_then_get_gives_the_details_back_in_e164(setting: dict[str, Any]) -> None:
    api = Api(setting["alex"])
    put = api.put(setting["url"], BODY)
    assert put.status_code == 200, put.content
    got = api.get(setting["url"])
    assert got.status_code == 200
    assert got.json() == put.json()
    body = got.json()
    assert body["phones"] == [
        {"kind": "mobile", "number": "+14155552671", "preferred": False},
        {"kind": "home", "number": "+442079460958", "preferred": True},
    ]
    assert body["preferred"] == "home"
    assert body["date_of_birth"] == "1970-04-02"
    assert body["emergency_contact"] == {
        "name": "Chris Keller", "relation": "partner", "phone": "+14155550199"
    }  # fmt: skip
    assert body["mrn"] == "MRN-00123"
    system = setting["clinic"].mrn_uri
    assert body["identifiers"] == [{"system": system, "value": "MRN-00123"}]


def test_a_put_replaces_everything_left_out_is_cleared(setting: dict[str, Any]) -> None:
    api = Api(setting["alex"])
    assert api.put(setting["url"], BODY).status_code == 200
    again = api.put(setting["url"], {"phones": {"work": "415 555 0123"}})
    assert again.status_code == 200, again.content
    body = again.json()
    assert [p["kind"] for p in body["phones"]] == ["work"]
    assert body["preferred"] == "work"  # the only number is the one to call
    assert body["mrn"] == ""
    assert body["identifiers"] == []
    assert body["date_of_birth"] is None


@pytest.mark.parametrize(
    ("change", "loc", "words"),
    [
        ({"phones": {"mobile": "12"}}, ["body", "phones", "mobile"], "number"),
        ({"preferred": "work"}, ["body", "preferred"], "without a number"),
        ({"date_of_birth": "2999-01-01"}, ["body", "date_of_birth"], "future"),
        ({"language": "xx"}, ["body", "language"], "language"),
        ({"emergency_contact": {"phone": "nope"}}, ["body", "emergency_contact", "phone"], ""),
        ({"phones": {"fax": "415 555 0100"}}, ["body", "phones", "fax"], "mobile"),
        ({"colour": "blue"}, ["body", "colour"], ""),
    ],
)
def test_a_refused_detail_is_a_422_naming_it_and_stores_nothing(
    setting: dict[str, Any], change: dict[str, Any], loc: list[str], words: str
) -> None:
    api = Api(setting["alex"])
    response = api.put(setting["url"], {**BODY, **change})
    assert response.status_code == 422, response.content
    details = response.json()["detail"]
    named = [d for d in details if d["loc"][: len(loc)] == loc]
    assert len(named) == 1, details
    detail = named[0]
    assert words in detail["msg"]
    assert not PatientPhone.objects.exists()
    assert not PatientDetails.objects.exists()


def test_an_mrn_of_another_patient_is_refused(setting: dict[str, Any]) -> None:
    api = Api(setting["alex"])
    other = patient("Other Patient", setting["clinic"], advocate=setting["alex"])
    assert api.put(f"/patients/{other.pk}/contacts", BODY).status_code == 200
    response = api.put(setting["url"], BODY)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "mrn"]


def test_sms_needs_a_mobile_number(setting: dict[str, Any]) -> None:
    body = {**BODY, "phones": {"home": "415 555 0100"}, "preferred": None, "messages_by": "sms"}
    response = Api(setting["alex"]).put(setting["url"], body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "messages_by"]


def test_a_read_token_reads_but_may_not_replace(setting: dict[str, Any]) -> None:
    api = Api(setting["alex"], Scope.READ)
    assert api.get(setting["url"]).status_code == 200
    assert api.put(setting["url"], BODY).status_code == 403
    assert not PatientPhone.objects.exists()
