"""The CDS Hooks endpoints end to end: discovery, and the patient-view service reading FHIR
from the prefetch or the EHR's FHIR server, assessing with the calling clinic's protocol and
answering with one card, or a JSON refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests import cds_fhir as fhir
from tests import web_fixtures as web
from tests.cds_fixtures import AUD, NOW, PROTOCOL, URL, at, call, request_for, the_card
from tests.cds_tokens import CDS, bearer, claims, sign, trust
from tests.conftest import SCENARIOS, load_json
from tests.http_stub import serving
from venowatch.clinic.models import Clinic, PatientIdentifier
from venowatch.protocol import Pathway
from venowatch.services.clock import parse_instant

pytestmark = pytest.mark.django_db

INDICATOR = {"emergency": "critical", "urgent": "warning"}


@pytest.fixture(autouse=True)
def _clock_and_address(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.VENOWATCH_BASE_URL_SET = False
    at(monkeypatch, NOW)


def scenario(name: str) -> tuple[dict[str, Any], datetime]:
    data = load_json(next(p for p in SCENARIOS if p.stem == name))
    return data, parse_instant(data["timeline"]["as_of"]).astimezone(UTC)


def test_discovery_lists_the_patient_view_service_without_authentication(
    client: Client,
) -> None:
    services = client.get("/cds-services").json()["services"]

    assert [(s["hook"], s["id"]) for s in services] == [("patient-view", "venowatch-patient-view")]
    (service,) = services
    assert service["title"]
    assert service["description"]
    # Check-ins and tests are bounded by category and by date, two years back from now.
    assert service["prefetch"] == {
        "patient": "Patient/{{context.patientId}}",
        "procedures": "Procedure?patient={{context.patientId}}",
        "responses": "QuestionnaireResponse?patient={{context.patientId}}&authored=ge2024-03-07",
        "observations": (
            "Observation?patient={{context.patientId}}&category=survey,laboratory&date=ge2024-03-07"
        ),
    }
    assert client.post("/cds-services").status_code == 405


def test_the_specs_example_request_with_our_prefetch_keys(client: Client) -> None:
    trust(web.clinic())
    body = load_json(CDS / "example-patient-view-request.json")
    greeted = body["prefetch"].pop("patientToGreet")
    body["prefetch"] = {
        "patient": greeted,
        "procedures": fhir.searchset([]),
        "responses": fhir.searchset([]),
        "observations": fhir.searchset([]),
    }

    card = the_card(call(client, body))

    assert card["indicator"] == "info"
    assert PROTOCOL.pathways[Pathway.NO_PROCEDURE].title.staff in card["summary"]
    assert card["source"]["label"] == f"{PROTOCOL.title} v{PROTOCOL.ref.version}"
    assert card["links"] == [
        {"label": "Open venowatch", "url": "http://testserver/", "type": "absolute"}
    ]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_scenario_read_from_fhir_gets_its_pathway(
    client: Client, monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    trust(web.clinic())
    data, as_of = scenario(path.stem)
    at(monkeypatch, as_of)
    body = request_for("pt-1", fhir.prefetch(data["timeline"], "pt-1"))

    card = the_card(call(client, body, as_of))

    expect = data["expect"]
    assert card["indicator"] == INDICATOR.get(expect["urgency"], "info")
    assert PROTOCOL.pathways[Pathway(expect["pathway"])].title.staff in card["summary"]
    assert len(card["summary"]) < 140
    assert "not a diagnosis" in card["detail"]


def test_the_callers_clinic_protocol_is_applied(client: Client) -> None:
    shipped = resources.files("venowatch.protocol").joinpath("default.toml")
    text = shipped.read_text("utf-8").replace('version = "1.0.0"', 'version = "7.1.0"')
    trust(Clinic.objects.create(name="Own rules", protocol_text=text))
    trust(web.clinic("Shipped rules"), "https://other-ehr.example.org/")
    body = request_for("pt-1", fhir.prefetch({}, "pt-1"))

    assert the_card(call(client, body))["source"]["label"].endswith(" v7.1.0")


def test_missing_prefetch_without_a_fhir_server_is_412(client: Client) -> None:
    trust(web.clinic())
    prefetch = fhir.prefetch({}, "pt-1")
    del prefetch["observations"]

    response = call(client, request_for("pt-1", prefetch))

    assert response.status_code == 412
    assert "'observations'" in response.json()["message"]


def test_a_fhir_server_without_authorization_is_not_used(client: Client) -> None:
    trust(web.clinic())
    with serving() as ehr:
        body = request_for("pt-1", None, fhirServer=ehr.base_url)
        assert call(client, body).status_code == 412
    assert ehr.requests == []


def test_missing_prefetch_is_fetched_from_the_fhir_server_every_page(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, as_of = scenario("04-thrombosis-flag")
    at(monkeypatch, as_of)
    resources = fhir.prefetch(data["timeline"], "pt-1")
    with serving() as ehr:
        trust(web.clinic(), fhir_servers=f"{ehr.base_url}/fhir\n")
        first, second = resources["responses"]["entry"]
        ehr.routes["/fhir/Patient/pt-1"] = resources["patient"]
        ehr.routes["/fhir/Procedure?patient=pt-1"] = resources["procedures"]
        since = (as_of - timedelta(days=730)).date().isoformat()
        responses = f"/fhir/QuestionnaireResponse?patient=pt-1&authored=ge{since}"
        observations = f"/fhir/Observation?patient=pt-1&category=survey,laboratory&date=ge{since}"
        ehr.routes[responses] = fhir.searchset([first["resource"]], f"{ehr.base_url}/fhir/page-2")
        ehr.routes["/fhir/page-2"] = fhir.searchset([second["resource"]])
        ehr.routes[observations] = fhir.searchset([])
        access = {"access_token": "opaque-token", "token_type": "Bearer", "expires_in": 300}
        body = request_for(
            "pt-1",
            {"patient": resources["patient"], "procedures": None},
            fhirServer=f"{ehr.base_url}/fhir/",
            fhirAuthorization=access,
        )

        card = the_card(call(client, body, as_of))

    assert card["indicator"] == "critical"
    assert sorted(ehr.paths()) == sorted(
        [
            "/fhir/Procedure?patient=pt-1",
            responses,
            "/fhir/page-2",
            observations,
        ]
    )
    for _, headers in ehr.requests:
        assert headers["Authorization"] == "Bearer opaque-token"
        assert headers["Accept"] == "application/fhir+json"


def test_an_incomplete_prefetch_page_without_a_fhir_server_is_412(client: Client) -> None:
    trust(web.clinic())
    prefetch = fhir.prefetch({}, "pt-1")
    prefetch["responses"] = fhir.searchset([], "https://ehr.example.org/fhir/page-2")

    response = call(client, request_for("pt-1", prefetch))

    assert response.status_code == 412
    assert "more pages" in response.json()["message"]


def test_a_next_page_on_another_host_is_not_fetched(client: Client) -> None:
    with serving() as elsewhere, serving() as ehr:
        trust(web.clinic(), fhir_servers=ehr.base_url)
        elsewhere.routes["/page-2"] = fhir.searchset([])
        prefetch = fhir.prefetch({}, "pt-1")
        prefetch["responses"] = fhir.searchset([], f"{elsewhere.base_url}/page-2")
        access = {"access_token": "opaque-token", "token_type": "Bearer"}
        body = request_for("pt-1", prefetch, fhirServer=ehr.base_url, fhirAuthorization=access)

        response = call(client, body)

    assert response.status_code == 412
    assert "not on the fhirServer" in response.json()["message"]
    assert elsewhere.requests == []


def test_a_bundle_without_an_entry_list_is_412(client: Client) -> None:
    trust(web.clinic())
    prefetch = fhir.prefetch({}, "pt-1")
    prefetch["procedures"]["entry"] = 5

    response = call(client, request_for("pt-1", prefetch))

    assert response.status_code == 412
    assert "'procedures' is a Bundle" in response.json()["message"]


def test_a_fhir_server_refusal_is_412(client: Client) -> None:
    with serving() as ehr:
        trust(web.clinic(), fhir_servers=ehr.base_url)
        access = {"access_token": "expired", "token_type": "Bearer"}
        body = request_for("pt-1", None, fhirServer=ehr.base_url, fhirAuthorization=access)
        response = call(client, body)

    assert response.status_code == 412
    assert "answered 404" in response.json()["message"]


def test_a_fhir_server_the_administrator_did_not_list_is_never_asked(client: Client) -> None:
    with serving() as listed, serving() as other:
        trust(web.clinic(), fhir_servers=listed.base_url)
        access = {"access_token": "opaque-token", "token_type": "Bearer"}
        body = request_for("pt-1", None, fhirServer=other.base_url, fhirAuthorization=access)
        response = call(client, body)

    assert response.status_code == 412
    assert "not one of this issuer's FHIR servers" in response.json()["message"]
    assert other.requests == []
    assert listed.requests == []


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda b: b.pop("hookInstance"), "hookInstance"),
        (lambda b: b["context"].pop("patientId"), "context.patientId"),
        (lambda b: b["context"].update(patientId="../../Patient/x"), "context.patientId"),
        (lambda b: b.update(hook="order-select"), "patient-view hook"),
        (lambda b: b.update(fhirServer="ftp://ehr.example.org"), "fhirServer"),
        (lambda b: b.update(prefetch=[]), "prefetch"),
    ],
)
def test_a_bad_request_is_400_saying_why(client: Client, change: Any, why: str) -> None:
    trust(web.clinic())
    body = request_for("pt-1", fhir.prefetch({}, "pt-1"))
    change(body)

    response = call(client, body)

    assert response.status_code == 400
    assert why in response.json()["message"]


def test_a_body_that_is_not_json_is_400(client: Client) -> None:
    trust(web.clinic())
    assert call(client, b"{not json").status_code == 400


def test_a_body_nested_a_thousand_deep_is_400_not_a_server_error(client: Client) -> None:
    trust(web.clinic())
    response = call(client, b'{"a":' * 1000 + b"1" + b"}" * 1000)
    assert response.status_code == 400
    assert "nested deeper than 64 levels" in response.json()["message"]


def test_a_prefetch_larger_than_djangos_form_limit_is_read(client: Client) -> None:
    trust(web.clinic())
    prefetch = fhir.prefetch({}, "pt-1")
    prefetch["patient"]["text"] = {"status": "generated", "div": "x" * 3_000_000}

    the_card(call(client, request_for("pt-1", prefetch)))


def test_an_oversized_body_is_413(client: Client, settings: Any) -> None:
    trust(web.clinic())
    settings.VENOWATCH_CDS_MAX_BODY = 100

    response = call(client, request_for("pt-1", fhir.prefetch({}, "pt-1")))

    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_no_token_is_401_with_a_json_reason(client: Client) -> None:
    trust(web.clinic())
    response = client.post(URL, request_for("pt-1", None), content_type="application/json")

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert "Bearer" in response.json()["message"]
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_the_audience_is_the_configured_address_when_there_is_one(
    client: Client, settings: Any
) -> None:
    trust(web.clinic())
    settings.VENOWATCH_BASE_URL_SET = True
    settings.VENOWATCH_BASE_URL = "https://venowatch.example.org"
    body = request_for("pt-1", fhir.prefetch({}, "pt-1"))

    assert call(client, body).status_code == 401
    card = the_card(call(client, body, aud=f"https://venowatch.example.org{URL}"))
    assert card["links"][0]["url"] == "https://venowatch.example.org/"


def test_a_token_for_another_issuer_or_replayed_is_401(client: Client) -> None:
    trust(web.clinic())
    body = request_for("pt-1", fhir.prefetch({}, "pt-1"))
    token = bearer(sign(claims(AUD, NOW)))

    assert call(client, body, HTTP_AUTHORIZATION=token).status_code == 200
    replay = call(client, body, HTTP_AUTHORIZATION=token)
    assert replay.status_code == 401
    assert "already used" in replay.json()["message"]
    stranger = sign(claims(AUD, NOW, iss="https://stranger.example/"))
    assert call(client, body, HTTP_AUTHORIZATION=bearer(stranger)).status_code == 401


def test_get_on_the_service_is_405(client: Client) -> None:
    assert client.get(URL).status_code == 405


def test_the_card_links_to_the_patient_venowatch_knows_by_identifier(client: Client) -> None:
    home = web.clinic()
    trust(home)
    known = web.patient("Ann Known", home)
    PatientIdentifier.objects.create(
        clinic=home, patient=known, system="urn:oid:2.16.840.1.113883.4.1", value="MRN-7"
    )
    prefetch = fhir.prefetch({}, "pt-1")
    prefetch["patient"]["identifier"] = [
        {"system": "urn:oid:2.16.840.1.113883.4.1", "value": "MRN-7"}
    ]

    card = the_card(call(client, request_for("pt-1", prefetch)))

    assert card["links"][0]["url"] == f"http://testserver/staff/patients/{known.pk}/"
