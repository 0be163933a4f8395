"""CDS Hooks polish: CORS on every endpoint, JSON for every method and unknown path, the
feedback endpoint (stored, shown to admins read-only), prefetch bounded by category and date,
and the JWK Set cache and the jti store shared by every process (database rows)."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from tests import cds_fhir as fhir
from tests import web_fixtures as web
from tests.cds_fixtures import NOW, URL, at, call, request_for, the_card
from tests.cds_tokens import ISS, PUBLIC_JWKS, bearer, claims, sign, trust
from tests.http_stub import serving
from tests.web_fixtures import PASSWORD
from venowatch.integration.models import Feedback, FeedbackOutcome, FetchedJwks, SeenToken
from venowatch.services.integration.cds.auth import TokenError, authenticate
from venowatch.services.integration.cds.jwks import JwksCache

pytestmark = pytest.mark.django_db

FEEDBACK = f"{URL}/feedback"
CARD = str(uuid.uuid4())


@pytest.fixture(autouse=True)
def _clock_and_address(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.VENOWATCH_BASE_URL_SET = False
    at(monkeypatch, NOW)


def preflight(client: Client, path: str) -> Any:
    return client.options(
        path,
        HTTP_ORIGIN="https://ehr-app.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


class TestCors:
    @pytest.mark.parametrize(
        ("path", "methods"),
        [
            ("/cds-services", "GET, HEAD, OPTIONS"),
            (URL, "POST, OPTIONS"),
            (FEEDBACK, "POST, OPTIONS"),
        ],
    )
    def test_a_preflight_is_200_with_what_a_browser_needs(
        self, client: Client, path: str, methods: str
    ) -> None:
        answer = preflight(client, path)
        assert answer.status_code == 200
        assert answer["Access-Control-Allow-Origin"] == "*"
        assert answer["Access-Control-Allow-Methods"] == methods
        allowed = {h.strip().lower() for h in answer["Access-Control-Allow-Headers"].split(",")}
        assert {"authorization", "content-type"} <= allowed

    def test_answers_and_refusals_carry_the_origin_header(self, client: Client) -> None:
        trust(web.clinic())
        assert client.get("/cds-services")["Access-Control-Allow-Origin"] == "*"
        unauthenticated = client.post(URL, "{}", content_type="application/json")
        assert unauthenticated.status_code == 401
        assert unauthenticated["Access-Control-Allow-Origin"] == "*"
        assert "WWW-Authenticate" in unauthenticated["Access-Control-Expose-Headers"]
        body = request_for("pt-1", fhir.prefetch({}, "pt-1"))
        assert call(client, body)["Access-Control-Allow-Origin"] == "*"


class TestJsonEverywhere:
    def test_post_on_discovery_is_a_json_405_not_a_csrf_403(self) -> None:
        browser = Client(enforce_csrf_checks=True)
        answer = browser.post("/cds-services", "{}", content_type="application/json")
        assert answer.status_code == 405
        assert answer["Content-Type"] == "application/json"
        assert answer.json()["error"] == "method_not_allowed"
        assert answer["Allow"] == "GET, HEAD, OPTIONS"

    @pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
    def test_other_methods_on_a_service_are_json_405(self, client: Client, method: str) -> None:
        for path in (URL, FEEDBACK):
            answer = getattr(client, method)(path)
            assert answer.status_code == 405
            assert answer.json() == {"error": "method_not_allowed", "message": "use POST"}
            assert answer["Allow"] == "POST, OPTIONS"

    @pytest.mark.parametrize(
        "path",
        [
            "/cds-services/",
            "/cds-services/no-such-service",
            "/cds-services/no-such-service/feedback",
            "/cds-services/venowatch-patient-view/feedback/more",
            "/cds-services/a/b/c",
        ],
    )
    @pytest.mark.parametrize("method", ["get", "post", "delete", "options"])
    def test_unknown_paths_are_json_404(self, path: str, method: str) -> None:
        answer = getattr(Client(enforce_csrf_checks=True), method)(path)
        assert answer.status_code == 404, (path, answer.content)
        assert answer["Content-Type"] == "application/json"
        assert answer.json()["error"] == "not_found"
        assert answer["Access-Control-Allow-Origin"] == "*"


def feedback(client: Client, body: Any, aud: str = f"http://testserver{FEEDBACK}") -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    token = bearer(sign(claims(aud, NOW)))
    return client.post(FEEDBACK, raw, content_type="application/json", HTTP_AUTHORIZATION=token)


def entry(**changes: Any) -> dict[str, Any]:
    return {
        "card": CARD,
        "outcome": "accepted",
        "outcomeTimestamp": "2026-03-07T15:01:00Z",
    } | changes


class TestFeedback:
    def test_accepted_and_overridden_cards_are_stored_as_sent(self, client: Client) -> None:
        issuer = trust(web.clinic())
        body = {
            "feedback": [
                entry(acceptedSuggestions=[{"id": "s-1"}]),
                entry(
                    outcome="overridden",
                    overrideReason={
                        "reason": {
                            "code": "alt",
                            "system": "http://example.org/r",
                            "display": "Chose another plan",
                        },
                        "userComment": "Seen by the IR last week.",
                    },
                ),
            ]
        }
        answer = feedback(client, body)
        assert answer.status_code == 200, answer.content
        assert answer.json() == {"stored": 2}
        accepted, overridden = Feedback.objects.order_by("pk")
        assert (accepted.issuer, accepted.service, accepted.card) == (
            issuer,
            "venowatch-patient-view",
            CARD,
        )
        assert accepted.outcome is FeedbackOutcome.ACCEPTED
        assert accepted.accepted_suggestions == ["s-1"]
        assert accepted.outcome_at.isoformat() == "2026-03-07T15:01:00+00:00"
        assert accepted.received_at == NOW
        assert overridden.outcome is FeedbackOutcome.OVERRIDDEN
        assert overridden.override_reason == {
            "code": "alt", "system": "http://example.org/r", "display": "Chose another plan"
        }  # fmt: skip
        assert overridden.user_comment == "Seen by the IR last week."

    @pytest.mark.parametrize(
        ("body", "why"),
        [
            ({"feedback": []}, "feedback: List should have at least 1 item"),
            ({"feedback": [entry(outcome="ignored")]}, "feedback.0.outcome"),
            ({"feedback": [entry(card="")]}, "feedback.0.card"),
            ({"feedback": [entry(outcomeTimestamp="yesterday")]}, "feedback.0.outcomeTimestamp"),
            ({"feedback": [entry(outcomeTimestamp="2026-03-07T15:01:00")]}, "no UTC offset"),
            ({"feedback": [entry(), entry(card="c" * 65)]}, "feedback.1.card"),
            ([entry()], "a JSON object with a feedback list"),
        ],
    )
    def test_bad_feedback_is_400_naming_the_field_and_stores_nothing(
        self, client: Client, body: Any, why: str
    ) -> None:
        trust(web.clinic())
        answer = feedback(client, body)
        assert answer.status_code == 400
        assert answer.json()["error"] == "bad_request"
        assert why in answer.json()["message"]
        assert Feedback.objects.count() == 0

    def test_a_duplicated_key_is_422(self, client: Client) -> None:
        trust(web.clinic())
        raw = (
            json.dumps({"feedback": [entry()]}).encode().replace(b'"card"', b'"card": "x", "card"')
        )
        answer = feedback(client, raw)
        assert answer.status_code == 422
        assert '"card" appears twice in the object at $.feedback[0]' in answer.json()["message"]

    def test_a_token_for_the_service_itself_is_not_taken_for_its_feedback(
        self, client: Client
    ) -> None:
        trust(web.clinic())
        answer = feedback(client, {"feedback": [entry()]}, aud=f"http://testserver{URL}")
        assert answer.status_code == 401
        assert "aud" in answer.json()["message"]
        assert client.post(FEEDBACK, "{}", content_type="application/json").status_code == 401
        assert Feedback.objects.count() == 0

    def test_admins_read_feedback_and_cannot_change_it(self, client: Client) -> None:
        trust(web.clinic())
        overridden = entry(
            outcome="overridden",
            overrideReason={"reason": {"code": "x", "display": "Already referred"}},
        )
        assert feedback(client, {"feedback": [overridden]}).status_code == 200
        User.objects.create_superuser("root", "root@example.org", PASSWORD)
        admin = Client()
        admin.login(username="root", password=PASSWORD)
        listing = admin.get("/admin/cdshooks/feedback/")
        assert listing.status_code == 200
        page = listing.content.decode()
        assert "Already referred" in page
        assert "overridden" in page
        row = Feedback.objects.get()
        detail = admin.get(f"/admin/cdshooks/feedback/{row.pk}/change/")
        assert detail.status_code == 200
        assert 'name="_save"' not in detail.content.decode()
        assert admin.get("/admin/cdshooks/feedback/add/").status_code == 403
        assert (
            admin.post(f"/admin/cdshooks/feedback/{row.pk}/delete/", {"post": "yes"}).status_code
            == 403
        )
        assert Feedback.objects.count() == 1


class TestBoundedPrefetch:
    def test_discovery_bounds_check_ins_and_tests_by_category_and_two_years(
        self, client: Client
    ) -> None:
        (service,) = client.get("/cds-services").json()["services"]
        since = (NOW - timedelta(days=730)).date().isoformat()
        assert service["prefetch"]["observations"].endswith(
            f"&category=survey,laboratory&date=ge{since}"
        )
        assert service["prefetch"]["responses"].endswith(f"&authored=ge{since}")

    def test_the_service_works_with_the_less_a_bounded_prefetch_sends(self, client: Client) -> None:
        """An EHR honouring the bounds sends only the window's check-ins: the card is the one
        the whole chart gives, as the protocol weighs only the course since the procedure."""
        trust(web.clinic())
        old = (NOW - timedelta(days=1500)).isoformat()
        recent = (NOW - timedelta(days=20)).isoformat()
        timeline = {
            "procedures": [
                {"kind": "venoplasty", "performed_at": old},
                {"kind": "venoplasty", "performed_at": recent},
            ],
            "checkins": [
                {"at": (NOW - timedelta(days=1400)).isoformat(), "pgic": "much_improved"},
                {"at": (NOW - timedelta(days=10)).isoformat(), "pgic": "very_much_worse"},
            ],
        }
        whole = fhir.prefetch(timeline, "pt-1")
        bounded = fhir.prefetch(timeline | {"checkins": timeline["checkins"][1:]}, "pt-1")
        first = the_card(call(client, request_for("pt-1", whole)))
        second = the_card(call(client, request_for("pt-1", bounded)))
        assert (first["indicator"], first["summary"]) == (second["indicator"], second["summary"])


class TestSharedByProcesses:
    def test_a_jwk_set_fetched_by_one_process_is_used_by_another(self) -> None:
        with serving() as ehr:
            ehr.routes["/jwks"] = PUBLIC_JWKS
            url = f"{ehr.base_url}/jwks"
            trust(web.clinic(), jwks=None, jwks_url=url)
            aud = f"http://testserver{URL}"
            # Two caches stand for two processes: nothing is shared but the database.
            for keys in (JwksCache(clock=lambda: NOW), JwksCache(clock=lambda: NOW)):
                authenticate(bearer(sign(claims(aud, NOW))), aud, NOW, keys)
        assert ehr.paths() == ["/jwks"]
        assert FetchedJwks.objects.get().url == url

    @pytest.mark.postgresql
    @pytest.mark.django_db(transaction=True)
    def test_two_processes_fetching_the_same_set_at_once_both_go_on(self) -> None:
        start = threading.Barrier(2)
        got: list[dict[str, Any]] = []
        failures: list[BaseException] = []

        def fetch(url: str) -> dict[str, Any]:
            start.wait()  # both have missed the cache before either stores
            return PUBLIC_JWKS

        def process() -> None:
            try:
                got.append(JwksCache(fetch=fetch, clock=lambda: NOW).get("https://e/jwks", "k"))
            except BaseException as exc:  # reported below: a thread's exception is otherwise lost
                failures.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=process) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not failures, failures
        assert got == [PUBLIC_JWKS, PUBLIC_JWKS]
        assert FetchedJwks.objects.get().jwks == PUBLIC_JWKS

    @pytest.mark.postgresql
    @pytest.mark.django_db(transaction=True)
    def test_one_token_sent_by_two_threads_at_once_is_accepted_once(self) -> None:
        trust(web.clinic())
        aud = f"http://testserver{URL}"
        token = bearer(sign(claims(aud, NOW)))
        start = threading.Barrier(2)
        accepted: list[str] = []
        refused: list[str] = []
        failures: list[BaseException] = []

        def caller() -> None:
            try:
                start.wait()
                authenticate(token, aud, NOW, JwksCache(fetch=lambda url: {}))
                accepted.append("yes")
            except TokenError as exc:
                refused.append(exc.reason)
            except BaseException as exc:  # reported below: a thread's exception is otherwise lost
                failures.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=caller) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not failures, failures
        assert len(accepted) == 1
        assert refused == ["this token was already used (its jti was seen before)"]
        assert SeenToken.objects.filter(iss=ISS).count() == 1
