"""FHIR create, transaction and batch over HTTP: what is stored, what each entry answers,
who may, and that every answer is valid R4 (errors included)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.conftest import SHARED, load_json
from tests.fhir_fixtures import schema_errors, treated_patient
from tests.fhir_write_fixtures import checkin_response, lab
from tests.web_fixtures import clinic, patient, user
from venowatch.clinic.models import CheckIn, Lab, Patient, PgicScale, PgicScaleAnswer, Role
from venowatch.protocol import Pgic
from venowatch.security.models import Scope
from venowatch.services.clock import utc_now
from venowatch.services.integration.fhir_export import export_patient, fhir_base
from venowatch.services.security import tokens

pytestmark = pytest.mark.django_db
SYNTHEA = SHARED / "fhir" / "synthea" / "synthea_r4_1MB.json"
TRANSACTION_EXAMPLE = SHARED / "fhir" / "r4-examples" / "Bundle-bundle-transaction.json"


def token_of(u: Any, scope: Scope = Scope.WRITE) -> str:
    return tokens.issue(u, name="app", scope=scope)[1]


def post(path: str, data: Any, token: str | None) -> Any:
    body = data if isinstance(data, (str, bytes)) else json.dumps(data)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().post(path, body, content_type="application/fhir+json", headers=headers)


def valid(answer: Any) -> dict[str, Any]:
    data: dict[str, Any] = answer.json()
    assert answer["Content-Type"] == "application/fhir+json"
    assert schema_errors(data) == [], data
    return data


def test_a_patient_s_app_creates_their_check_in_and_reads_back_the_stored_resource() -> None:
    p, _ = treated_patient(utc_now())
    assert p.user is not None
    token = token_of(p.user)
    answer = post("/fhir/r4/QuestionnaireResponse", checkin_response(p.pk), token)
    assert answer.status_code == 201, answer.json()
    stored = valid(answer)
    checkin = CheckIn.objects.filter(patient=p).latest("pk")
    assert stored["id"] == f"checkin-{checkin.pk}"
    # The answer is what a read of it gives: the same body, version and ETag.
    address = f"QuestionnaireResponse/checkin-{checkin.pk}"
    read = Client().get(f"/fhir/r4/{address}", headers={"Authorization": f"Bearer {token}"})
    assert read.status_code == 200
    assert valid(read) == stored
    version = stored["meta"]["versionId"]
    assert answer["ETag"] == read["ETag"] == f'W/"{version}"'
    assert answer["Location"] == f"{fhir_base()}/{address}/_history/{version}"
    for kind in ("QuestionnaireResponse", "Observation"):  # in the statement it is served by
        (found,) = [r for r in _statement()["rest"][0]["resource"] if r["type"] == kind]
        assert {"code": "create"} in found["interaction"]
    assert (checkin.pgic.value, checkin.symptoms, checkin.recorded_by) == (
        "much_worse", {"fatigue": 6}, p.user,
    )  # fmt: skip


def _statement() -> dict[str, Any]:
    data: dict[str, Any] = Client().get("/fhir/r4/metadata").json()
    return data


def test_the_statement_offers_transaction_and_batch_at_the_base() -> None:
    assert _statement()["rest"][0]["interaction"] == [{"code": "transaction"}, {"code": "batch"}]


def test_a_check_in_is_held_to_the_web_s_rules_and_named_by_fhirpath() -> None:
    p, advocate = treated_patient(utc_now())
    untracked = checkin_response(p.pk)
    untracked["item"][1]["item"][0]["answer"][0]["valueString"] = "hiccups"
    answer = post("/fhir/r4/QuestionnaireResponse", untracked, token_of(advocate))
    assert answer.status_code == 422
    (issue,) = valid(answer)["issue"]
    assert issue["expression"] == ["QuestionnaireResponse.item"]
    assert "hiccups" in issue["diagnostics"]
    future = checkin_response(p.pk, minutes_ago=-60)
    answer = post("/fhir/r4/QuestionnaireResponse", future, token_of(advocate))
    (issue,) = valid(answer)["issue"]
    assert issue["expression"] == ["QuestionnaireResponse.authored"]
    assert issue["diagnostics"].startswith("QuestionnaireResponse.authored is in the future")
    assert "your" not in issue["diagnostics"]


def test_a_check_in_before_any_procedure_is_explained_to_the_integrator() -> None:
    c = clinic()
    staff = user("sam", c, Role.ADVOCATE)
    fresh = patient("New Patient", c, advocate=staff)
    answer = post("/fhir/r4/QuestionnaireResponse", checkin_response(fresh.pk), token_of(staff))
    assert answer.status_code == 422
    (issue,) = valid(answer)["issue"]
    assert issue["expression"] == ["QuestionnaireResponse.authored"]
    assert "before the patient's first venoplasty or stent" in issue["diagnostics"]


def test_a_repeat_within_a_minute_is_a_conflict_naming_the_stored_one() -> None:
    p, advocate = treated_patient(utc_now())
    secret = token_of(advocate)
    first = post("/fhir/r4/QuestionnaireResponse", checkin_response(p.pk), secret)
    again = post("/fhir/r4/QuestionnaireResponse", checkin_response(p.pk), secret)
    assert (first.status_code, again.status_code) == (201, 409)
    assert first.json()["id"] in valid(again)["issue"][0]["diagnostics"]


def test_who_may_create() -> None:
    p, advocate = treated_patient(utc_now())
    other = patient("Other Patient", p.clinic)
    assert other.user is not None
    body = checkin_response(p.pk)
    # Another patient, a read-only token, a colleague without the patient, no credentials.
    assert post("/fhir/r4/QuestionnaireResponse", body, token_of(other.user)).status_code == 422
    read_only = token_of(advocate, Scope.READ)
    assert post("/fhir/r4/QuestionnaireResponse", body, read_only).status_code == 403
    colleague = user("colin", p.clinic, Role.ADVOCATE)
    answer = post("/fhir/r4/QuestionnaireResponse", body, token_of(colleague))
    assert answer.status_code == 422
    assert valid(answer)["issue"][0]["expression"] == ["QuestionnaireResponse.subject"]
    assert post("/fhir/r4/QuestionnaireResponse", body, None).status_code == 401
    assert CheckIn.objects.filter(patient=p).count() == 2


def test_a_lab_is_created_by_staff_with_its_loinc_panel_and_not_by_the_patient() -> None:
    p, advocate = treated_patient(utc_now())
    assert p.user is not None
    refused = post("/fhir/r4/Observation", lab(p.pk), token_of(p.user))
    assert refused.status_code == 422
    answer = post("/fhir/r4/Observation", lab(p.pk), token_of(advocate))
    assert answer.status_code == 201, answer.json()
    stored = valid(answer)
    row = Lab.objects.filter(patient=p).latest("pk")
    assert stored["id"] == f"lab-{row.pk}"
    assert row.kind.value == "blood"


@pytest.mark.parametrize(
    ("body", "status", "expression"),
    [
        ("{nope", 400, None),
        ({"resourceType": "Patient"}, 400, "resourceType"),
        ({"resourceType": "QuestionnaireResponse", "status": "completed"}, 422, None),
    ],
)
def test_bad_create_bodies_are_operation_outcomes(body: Any, status: int, expression: Any) -> None:
    _, advocate = treated_patient(utc_now())
    answer = post("/fhir/r4/QuestionnaireResponse", body, token_of(advocate))
    assert answer.status_code == status
    (issue,) = valid(answer)["issue"]
    if expression:
        assert issue["expression"] == [expression]


def transaction_of(*entries: tuple[str, str, dict[str, Any] | None], kind: str) -> dict[str, Any]:
    made = []
    for method, url, resource in entries:
        entry: dict[str, Any] = {"request": {"method": method, "url": url}}
        if resource is not None:
            entry["resource"] = resource
        made.append(entry)
    return {"resourceType": "Bundle", "type": kind, "entry": made}


@pytest.mark.parametrize("path", ["/fhir/r4", "/fhir/r4/"])
def test_a_transaction_is_answered_entry_by_entry_and_stored(path: str) -> None:
    p, advocate = treated_patient(utc_now())
    bundle = transaction_of(
        ("POST", "QuestionnaireResponse", checkin_response(p.pk)),
        ("POST", "Observation", lab(p.pk)),
        ("POST", "Claim", {"resourceType": "Claim", "id": "c1"}),
        ("GET", "Questionnaire/venowatch-checkin", None),
        kind="transaction",
    )
    answer = post(path, bundle, token_of(advocate))
    assert answer.status_code == 200, answer.json()
    response = valid(answer)
    assert response["type"] == "transaction-response"
    created, labbed, claim, read = (e["response"] for e in response["entry"])
    checkin = CheckIn.objects.filter(patient=p).latest("pk")
    assert created == {
        "status": "201 Created",
        "location": f"QuestionnaireResponse/checkin-{checkin.pk}",
    }
    assert labbed["status"] == "201 Created"
    assert claim["status"] == "200 OK"
    assert "venowatch does not read Claim" in claim["outcome"]["issue"][0]["diagnostics"]
    assert read["status"] == "200 OK"
    assert response["entry"][3]["resource"]["resourceType"] == "Questionnaire"


def test_a_transaction_with_a_delete_is_refused_whole() -> None:
    p, advocate = treated_patient(utc_now())
    before = CheckIn.objects.count()
    bundle = transaction_of(
        ("POST", "QuestionnaireResponse", checkin_response(p.pk)),
        ("DELETE", f"Patient/{p.pk}", None),
        kind="transaction",
    )
    answer = post("/fhir/r4", bundle, token_of(advocate))
    assert answer.status_code == 405
    (issue,) = valid(answer)["issue"]
    assert issue["expression"] == ["Bundle.entry[1].request.method"]
    assert "nothing in this transaction was stored" in issue["diagnostics"]
    assert CheckIn.objects.count() == before


def test_a_transaction_whose_read_fails_stores_nothing() -> None:
    p, advocate = treated_patient(utc_now())
    before = CheckIn.objects.count()
    bundle = transaction_of(
        ("POST", "QuestionnaireResponse", checkin_response(p.pk)),
        ("GET", "CodeSystem/no-such-thing", None),
        kind="transaction",
    )
    answer = post("/fhir/r4", bundle, token_of(advocate))
    assert answer.status_code == 404
    (issue,) = valid(answer)["issue"]
    assert "nothing in this transaction was stored" in issue["diagnostics"]
    assert CheckIn.objects.count() == before


def test_a_transaction_refused_by_a_rule_stores_nothing_and_names_the_entry() -> None:
    p, advocate = treated_patient(utc_now())
    before = (CheckIn.objects.count(), Lab.objects.count())
    bundle = transaction_of(
        ("POST", "Observation", lab(p.pk)),
        ("POST", "QuestionnaireResponse", checkin_response(p.pk, minutes_ago=-600)),
        kind="transaction",
    )
    answer = post("/fhir/r4", bundle, token_of(advocate))
    assert answer.status_code == 422
    (issue,) = valid(answer)["issue"]
    assert issue["expression"] == ["Bundle.entry[1].resource.authored"]
    assert (CheckIn.objects.count(), Lab.objects.count()) == before


def test_a_batch_takes_each_entry_on_its_own() -> None:
    p, advocate = treated_patient(utc_now())
    bundle = transaction_of(
        ("POST", "QuestionnaireResponse", checkin_response(p.pk)),
        ("POST", "QuestionnaireResponse", checkin_response(p.pk, minutes_ago=-600)),
        ("PUT", f"Patient/{p.pk}", {"resourceType": "Patient"}),
        ("DELETE", f"Patient/{p.pk}", None),
        ("GET", "CodeSystem/pgic", None),
        ("GET", "Nothing/here", None),
        ("POST", "Patient", {"resourceType": "Patient"}),
        kind="batch",
    )
    answer = post("/fhir/r4/", bundle, token_of(advocate))
    assert answer.status_code == 200
    response = valid(answer)
    assert response["type"] == "batch-response"
    statuses = [e["response"]["status"] for e in response["entry"]]
    assert statuses == [
        "201 Created", "422 Unprocessable Entity", "405 Method Not Allowed",
        "405 Method Not Allowed", "200 OK", "404 Not Found", "422 Unprocessable Entity",
    ]  # fmt: skip
    future = response["entry"][1]["response"]["outcome"]["issue"][0]
    assert future["expression"] == ["Bundle.entry[1].resource.authored"]
    assert "never deletes" in response["entry"][3]["response"]["outcome"]["issue"][0]["diagnostics"]
    assert CheckIn.objects.filter(patient=p).count() == 3


def test_the_official_transaction_example_is_refused_naming_its_first_put() -> None:
    c = clinic()
    staff = user("imogen", c, Role.ADVOCATE)
    answer = post("/fhir/r4", load_json(TRANSACTION_EXAMPLE), token_of(staff))
    assert answer.status_code == 405
    assert valid(answer)["issue"][0]["expression"] == ["Bundle.entry[2].request.method"]
    assert Patient.objects.filter(clinic=c).count() == 0


def test_an_export_posted_as_a_transaction_creates_the_patient_with_its_records() -> None:
    source, _ = treated_patient(utc_now())
    bundle = copy.deepcopy(export_patient(source))
    bundle["type"] = "transaction"
    for entry in bundle["entry"]:
        del entry["search"]
        entry["request"] = {"method": "POST", "url": entry["resource"]["resourceType"]}
    c = clinic("Other clinic")
    staff = user("imogen", c, Role.ADVOCATE)
    answer = post("/fhir/r4", bundle, token_of(staff))
    assert answer.status_code == 200, answer.json()
    response = valid(answer)
    (imported,) = Patient.objects.filter(clinic=c)
    first = response["entry"][0]["response"]
    assert first == {"status": "201 Created", "location": f"Patient/{imported.pk}"}
    assert [e["response"]["status"] for e in response["entry"]].count("201 Created") == 7


MiB = 1024 * 1024


@override_settings(VENOWATCH_FHIR_MAX_BODY=4 * MiB)
def test_a_bundle_over_django_s_limit_imports_and_one_over_the_setting_is_413() -> None:
    """The 1 MB Synthea bundle, padded to 3 MiB (above Django's 2.5 MB default), is taken;
    a bundle of exactly the setting's size is taken, one byte over it is refused before it is
    read. (The bundle at the limit is a small one padded: the size is what is tested, and a
    second import of Synthea's 286 resources took half this test's time.)"""
    c = clinic()
    staff = user("imogen", c, Role.ADVOCATE)
    raw = SYNTHEA.read_bytes()
    padded = raw + b" " * (3 * MiB - len(raw))
    answer = post("/fhir/r4", padded, token_of(staff))
    assert answer.status_code == 200
    assert len(valid(answer)["entry"]) == 286
    small = json.dumps(transaction_of(kind="batch")).encode()
    at_limit = small + b" " * (4 * MiB - len(small))
    assert post("/fhir/r4", at_limit, token_of(staff)).status_code == 200
    answer = post("/fhir/r4", at_limit + b" ", token_of(staff))
    assert answer.status_code == 413
    assert "larger than 4 MiB" in valid(answer)["issue"][0]["diagnostics"]


def test_the_default_limit_is_32_mib() -> None:
    from django.conf import settings

    assert 32 * MiB == settings.VENOWATCH_FHIR_MAX_BODY


def test_a_get_entry_is_read_as_its_caller_with_reach_applied() -> None:
    p, advocate = treated_patient(utc_now())
    colleague = user("colin", p.clinic, Role.ADVOCATE)
    bundle = transaction_of(("GET", f"Patient/{p.pk}/$everything", None), kind="batch")
    mine = valid(post("/fhir/r4", bundle, token_of(advocate)))["entry"][0]
    assert mine["response"]["status"] == "200 OK"
    assert mine["resource"]["type"] == "searchset"
    theirs = valid(post("/fhir/r4", bundle, token_of(colleague)))["entry"][0]
    assert theirs["response"]["status"] == "404 Not Found"
    assert "resource" not in theirs


def test_a_post_entry_must_carry_the_resource_its_url_names() -> None:
    p, advocate = treated_patient(utc_now())
    before = CheckIn.objects.count()
    mismatched = transaction_of(
        ("POST", "QuestionnaireResponse", checkin_response(p.pk)),
        ("POST", "Observation", checkin_response(p.pk, minutes_ago=30)),
        kind="transaction",
    )
    answer = post("/fhir/r4", mismatched, token_of(advocate))
    assert answer.status_code == 400
    assert valid(answer)["issue"][0]["expression"] == ["Bundle.entry[1].request.url"]
    empty = transaction_of(("POST", "Observation", None), kind="batch")
    (entry,) = valid(post("/fhir/r4", empty, token_of(advocate)))["entry"]
    assert entry["response"]["status"] == "400 Bad Request"
    assert entry["response"]["outcome"]["issue"][0]["expression"] == ["Bundle.entry[0].resource"]
    assert CheckIn.objects.count() == before


def test_a_patient_s_app_may_send_the_clinic_s_other_pgic_questionnaire() -> None:
    p, _ = treated_patient(utc_now())
    assert p.user is not None
    url = "http://ehr.example.org/Questionnaire/pgic"
    scale = PgicScale.objects.create(clinic=p.clinic, questionnaire=url, link_id="q1")
    PgicScaleAnswer.objects.create(scale=scale, code="7", means=Pgic.VERY_MUCH_WORSE)
    response = checkin_response(p.pk, questionnaire=url)
    response["item"] = [{"linkId": "q1", "answer": [{"valueCoding": {"code": "7"}}]}]
    answer = post("/fhir/r4/QuestionnaireResponse", response, token_of(p.user))
    assert answer.status_code == 201, answer.json()
    stored = CheckIn.objects.filter(patient=p).latest("pk")
    assert stored.pgic is Pgic.VERY_MUCH_WORSE
    # Served back as venowatch's own check-in, its answer kept.
    assert valid(answer)["item"][0]["answer"][0]["valueCoding"]["code"] == "very_much_worse"
