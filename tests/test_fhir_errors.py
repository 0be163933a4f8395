"""Every error under /fhir/r4/ is an OperationOutcome with the right status and headers, and
the CapabilityStatement tells the truth about what the routes serve. The `fhir_client`
fixture checks each answer on the R4 schema and the R4B models."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern

from tests.fhir_checks import CheckedClient, empty_parts, resource_problems
from tests.fhir_fixtures import treated_patient
from tests.fhir_rest_fixtures import NOW, bearer
from venowatch.fhir.capability import INTERACTIONS
from venowatch.fhir.query import PARAMETERS
from venowatch.fhirserver import urls

pytestmark = pytest.mark.django_db


def diagnostics(answer: Any) -> str:
    text: str = answer.json()["issue"][0]["diagnostics"]
    return text


@pytest.mark.parametrize(
    "path", ["/fhir/r4/nonesuch", "/fhir/r4/Encounter/1", "/fhir/r4/Patient/1/extra/parts",
             "/fhir/r4/Patient/1/_history"],
)  # fmt: skip
def test_an_unrouted_path_is_a_404_operation_outcome(fhir_client: CheckedClient, path: str) -> None:
    for method in (fhir_client.get, fhir_client.post, fhir_client.delete):
        answer = method(path)
        assert answer.status_code == 404
        assert answer.json()["issue"][0]["code"] == "not-found"
        assert "/fhir/r4/metadata" in diagnostics(answer)


def test_a_method_a_path_does_not_answer_is_a_405_with_allow(fhir_client: CheckedClient) -> None:
    for answer in (fhir_client.delete("/fhir/r4/Patient/1"), fhir_client.put("/fhir/r4/metadata")):
        assert answer.status_code == 405
        assert answer["Allow"] == "GET"
        assert "it answers GET" in diagnostics(answer)


@pytest.mark.parametrize(
    ("query", "accept"),
    [("", "application/fhir+xml"), ("", "application/xml, text/xml;q=0.9"),
     ("?_format=xml", ""), ("?_format=application/fhir%2Bxml", "application/fhir+json")],
)  # fmt: skip
def test_xml_is_a_406(fhir_client: CheckedClient, query: str, accept: str) -> None:
    headers = {"Accept": accept} if accept else {}
    answer = fhir_client.get(f"/fhir/r4/metadata{query}", headers=headers)
    assert answer.status_code == 406
    assert "FHIR JSON only" in diagnostics(answer)


@pytest.mark.parametrize(
    "accept", ["application/fhir+json", "application/json", "*/*", "text/html, */*;q=0.8"]
)
def test_json_or_anything_is_served(fhir_client: CheckedClient, accept: str) -> None:
    answer = fhir_client.get("/fhir/r4/metadata?_format=json", headers={"Accept": accept})
    assert answer.status_code == 200


@pytest.mark.parametrize("path", ["/fhir/r4", "/fhir/r4/"])
def test_a_post_without_credentials_is_a_401_asking_for_a_token_never_a_redirect_or_csrf(
    fhir_client: CheckedClient, path: str
) -> None:
    # enforce_csrf_checks: as a browser or an EHR meets the server, not as tests usually do.
    client = CheckedClient(enforce_csrf_checks=True)
    answer = client.post(path, "{}", content_type="application/fhir+json")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in diagnostics(answer)


def test_a_post_with_a_token_needs_no_csrf_token_at_the_base_without_its_slash() -> None:
    _, advocate = treated_patient(NOW)
    client = CheckedClient(enforce_csrf_checks=True)
    body = '{"resourceType": "Bundle", "type": "collection"}'
    answer = client.post("/fhir/r4", body, content_type="application/fhir+json",
                         headers=bearer(advocate))  # fmt: skip
    assert answer.status_code == 403  # a read token: refused by the import, not by CSRF
    assert "write access" in diagnostics(answer)


def test_a_session_write_without_its_csrf_token_is_a_403_operation_outcome() -> None:
    from tests.web_fixtures import PASSWORD

    _, advocate = treated_patient(NOW)
    client = CheckedClient(enforce_csrf_checks=True)
    client.login(username=advocate.username, password=PASSWORD)
    answer = client.post("/fhir/r4/", "{}", content_type="application/fhir+json")
    assert answer.status_code == 403
    assert "CSRF" in diagnostics(answer)


def test_the_capability_statement_lists_what_the_routes_serve(fhir_client: CheckedClient) -> None:
    statement = fhir_client.get("/fhir/r4/metadata").json()
    assert statement["fhirVersion"] == "4.0.1"
    assert statement["format"] == ["json", "application/fhir+json"]
    rest = statement["rest"][0]
    assert rest["security"]["description"].count("Bearer") == 1
    served = {r["type"]: r for r in rest["resource"]}
    assert set(served) == set(INTERACTIONS)
    routes = {str(p.pattern) for p in urls._routes if isinstance(p, URLPattern)}
    for kind, resource in served.items():
        codes = {i["code"] for i in resource["interaction"]}
        assert f"{kind}/<id>" in routes
        assert f"{kind}/<id>/_history/<vid>" in routes
        assert ("search-type" in codes) == (kind in routes)
        named = {s["name"] for s in resource.get("searchParam", [])} - {"_count", "_offset"}
        assert named == {p.name for p in PARAMETERS.get(kind, ())}
    assert served["Patient"]["operation"][0]["name"] == "everything"
    assert "Patient/<patient_id>/$everything" in routes


def test_every_param_the_statement_lists_is_searched_without_refusal(
    fhir_client: CheckedClient,
) -> None:
    p, advocate = treated_patient(NOW)
    auth = bearer(advocate)
    samples = {"token": "x|y", "string": "a", "date": "ge2020-01-01", "reference": str(p.pk),
               "uri": "urn:x", "number": "1"}  # fmt: skip
    statement = fhir_client.get("/fhir/r4/metadata").json()
    for resource in statement["rest"][0]["resource"]:
        for param in resource.get("searchParam", []):
            url = f"/fhir/r4/{resource['type']}?{param['name']}={samples[param['type']]}"
            answer = fhir_client.get(url, headers={**auth, "Prefer": "handling=strict"})
            assert answer.status_code == 200, url


def test_the_check_finds_empty_parts_and_invalid_resources() -> None:
    assert empty_parts({"a": [], "b": {"c": {}}, "d": [""]}) == [
        "$.a: empty array", "$.b.c: empty object", "$.d[0]: empty string",
    ]  # fmt: skip
    outcome = {"resourceType": "OperationOutcome", "issue": []}
    assert "$.issue: empty array" in resource_problems(outcome)
    assert resource_problems({"resourceType": "Patient", "gender": "sometimes"}) != []
    assert resource_problems({"resourceType": "Patient", "id": "1"}) == []
    statement = {"resourceType": "CapabilityStatement", "status": "active", "kind": "instance",
                 "date": "2026-12-01", "format": ["json"]}  # fmt: skip
    assert resource_problems({**statement, "fhirVersion": "4.0.1"}) == []  # the erratum only
    assert resource_problems({**statement, "fhirVersion": "4.0.9"}) != []


def test_a_body_over_the_limit_is_a_413(fhir_client: CheckedClient, settings: Any) -> None:
    from venowatch.security.models import Scope
    from venowatch.services.security import tokens

    settings.VENOWATCH_FHIR_MAX_BODY = 1000  # the FHIR edge's own limit (services.wire.body_limit)
    _, advocate = treated_patient(NOW)
    _, secret = tokens.issue(advocate, name="ehr", scope=Scope.WRITE)
    body = '{"resourceType": "Bundle", "type": "collection", "entry": []' + " " * 2000 + "}"
    answer = fhir_client.post("/fhir/r4/", body, content_type="application/fhir+json",
                              headers={"Authorization": f"Bearer {secret}"})  # fmt: skip
    assert answer.status_code == 413
    assert answer.json()["issue"][0]["code"] == "too-costly"


def test_a_refused_field_is_a_422_naming_it_in_fhirpath() -> None:
    import json

    from venowatch.fhirserver.errors import field_error
    from venowatch.services.errors import FieldError

    refusal = FieldError("QuestionnaireResponse.authored", "is before the procedure")
    answer = field_error(refusal)
    assert answer.status_code == 422
    issue = json.loads(answer.content)["issue"][0]
    assert issue["expression"] == ["QuestionnaireResponse.authored"]
    assert resource_problems(json.loads(answer.content)) == []


@pytest.mark.parametrize(
    ("sent", "current", "refused"),
    [(None, "abc", False), ('W/"abc"', "abc", False), ('"abc"', "abc", False),
     ("*", "abc", False), ('W/"old"', "abc", True), ('W/"abc"', None, True)],
)  # fmt: skip
def test_if_match_on_a_write_is_a_412_unless_it_names_the_current_version(
    rf: Any, sent: str | None, current: str | None, refused: bool
) -> None:
    from venowatch.fhirserver.errors import FhirError, check_if_match

    request = rf.post("/fhir/r4/Observation/1", headers={"If-Match": sent} if sent else {})
    if not refused:
        check_if_match(request, "Observation", "1", current)
        return
    with pytest.raises(FhirError) as error:
        check_if_match(request, "Observation", "1", current)
    assert error.value.status == 412


def test_a_server_failure_is_a_500_operation_outcome_not_a_page(
    fhir_client: CheckedClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from venowatch.services.care import reads

    def broken(*args: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(reads, "fhir_resource", broken)
    answer = fhir_client.get("/fhir/r4/CodeSystem/pgic")
    assert answer.status_code == 500
    assert answer.json()["issue"][0]["code"] == "exception"
    assert "database" not in diagnostics(answer)  # what failed is logged, not told


def test_what_a_client_sent_is_echoed_as_a_fhir_string_may_hold_it() -> None:
    from venowatch.fhirserver.errors import printable

    assert printable("Observation?\x85: x\u2028y\x00") == "Observation?\\u0085: x\\u2028y\\u0000"
    assert printable("a b\tc\nd") == "a b\tc\nd"
    assert printable("") == "(nothing)"
