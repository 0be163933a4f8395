"""Rate limits: sign-in and password reset by address, the API by token (or user) and by
address when unauthenticated, CDS Hooks by address and by issuer; a 429 with Retry-After and a
body of the caller's kind; the counters live in the database (or Redis), so every process
counts into the same window."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests import web_fixtures as web
from tests.cds_fixtures import AUD, NOW, URL, at, call, request_for
from tests.cds_tokens import ISS, bearer, claims, sign, trust
from venowatch.clinic.models import Role
from venowatch.security.models import RateCounter, Scope
from venowatch.services.security import ratelimit
from venowatch.services.security.ratelimit import Limit, LimitError
from venowatch.services.security.tokens import issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The middleware's clock, moved by the test (the middle of a 5-minute window)."""
    now = [datetime(2026, 3, 7, 15, 2, 30, tzinfo=UTC)]
    monkeypatch.setattr("venowatch.web.throttle.utc_now", lambda: now[0])
    return now


def _limits(settings: Any, **limits: str) -> None:
    settings.VENOWATCH_RATE_LIMITS = {**settings.VENOWATCH_RATE_LIMITS, **limits}


def test_a_limit_is_count_per_seconds_and_anything_else_says_so() -> None:
    assert Limit.parse("login", "20/300") == Limit("login", 20, 300)
    for bad in ("20", "twenty/300", "0/300", "20/0", "20/5m"):
        with pytest.raises(LimitError, match="login: "):
            Limit.parse("login", bad)


def test_sign_in_posts_are_limited_by_address(settings: Any, clock: list[datetime]) -> None:
    _limits(settings, login="3/300")
    settings.AXES_ENABLED = False  # axes counts the same wrong passwords; this is the limit alone
    client = Client(REMOTE_ADDR="203.0.113.7")
    tries = [client.post("/accounts/login/", {"username": "x", "password": "y"}) for _ in range(4)]
    assert [t.status_code for t in tries] == [200, 200, 200, 429]
    refused = tries[-1]
    assert refused["Retry-After"] == "150"  # the rest of the 5-minute window
    page = refused.content.decode()
    assert "Too many attempts" in page
    assert "wait 3 minutes" in page
    assert client.get("/accounts/login/").status_code == 200, "reading the page is not counted"
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert other.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 200
    clock[0] += timedelta(seconds=150)
    assert client.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 200


def test_the_right_password_is_refused_too_once_over_the_limit(
    settings: Any, clock: list[datetime]
) -> None:
    """A limit that let the right password through would let a guesser learn it was right."""
    _limits(settings, login="2/300")
    web.user("alex", web.clinic(), Role.ADVOCATE)
    client = Client()
    for _ in range(2):
        client.post("/accounts/login/", {"username": "alex", "password": "wrong"})
    right = client.post("/accounts/login/", {"username": "alex", "password": web.PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_posts_are_limited_by_address(settings: Any, clock: list[datetime]) -> None:
    _limits(settings, password_reset="2/900")
    client = Client()
    codes = [
        client.post("/accounts/password-reset/", {"email": "a@example.org"}).status_code
        for _ in range(3)
    ]
    assert codes[:2] != [429, 429]
    assert codes[2] == 429


def test_behind_a_trusted_proxy_the_address_it_saw_is_counted(
    settings: Any, clock: list[datetime]
) -> None:
    _limits(settings, login="1/300")
    settings.VENOWATCH_TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"

    def post(forwarded: str) -> int:
        client = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded)
        return client.post("/accounts/login/", {"username": "x", "password": "y"}).status_code

    assert post("203.0.113.7") == 200
    assert post("203.0.113.7") == 429
    # A client writing its own X-Forwarded-For does not escape: the proxy appends the real one.
    assert post("1.2.3.4, 203.0.113.7") == 429
    assert post("198.51.100.9") == 200


def test_the_api_is_limited_per_token(settings: Any, clock: list[datetime]) -> None:
    _limits(settings, api_token="3/60")
    at_clinic = web.clinic()
    _, first = issue(web.user("alex", at_clinic, Role.ADVOCATE), name="one", scope=Scope.READ)
    _, second = issue(web.user("jo", at_clinic, Role.ADVOCATE), name="two", scope=Scope.READ)
    api = Client(headers={"Authorization": f"Bearer {first}"})
    codes = [api.get("/api/v1/patients").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = api.get("/api/v1/patients")
    assert refused["Retry-After"] == "30"
    assert refused.json()["detail"][0]["msg"] == "Too many requests: try again in 30 seconds."
    other = Client(headers={"Authorization": f"Bearer {second}"})
    assert other.get("/api/v1/patients").status_code == 200


def test_made_up_tokens_are_counted_by_address(settings: Any, clock: list[datetime]) -> None:
    """200 requests with bad tokens were all answered 401: now the address runs out."""
    _limits(settings, api_ip="5/60")
    client = Client()
    codes = [
        client.get(
            "/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer vw_{uuid.uuid4().hex}"
        ).status_code
        for _ in range(7)
    ]
    assert codes == [401] * 5 + [429] * 2


def test_a_signed_in_user_of_the_api_is_counted_as_themselves(
    settings: Any, clock: list[datetime]
) -> None:
    _limits(settings, api_token="2/60", api_ip="1/60")
    client = Client()
    client.force_login(web.user("alex", web.clinic(), Role.ADVOCATE))
    assert [client.get("/api/v1/patients").status_code for _ in range(3)] == [200, 200, 429]


def test_cds_hooks_is_limited_by_address(
    settings: Any, clock: list[datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, NOW)
    settings.VENOWATCH_BASE_URL_SET = False
    _limits(settings, cds_ip="2/60")
    trust(web.clinic())
    client = Client()
    codes = [call(client, request_for("123", None)).status_code for _ in range(3)]
    assert codes[:2] != [429, 429]
    assert codes[2] == 429
    body = call(client, request_for("123", None))
    assert body.json()["error"] == "too_many_requests"
    assert body["Retry-After"] == "30"


def test_cds_hooks_is_limited_by_issuer_counting_only_accepted_tokens(
    settings: Any, clock: list[datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, NOW)
    settings.VENOWATCH_BASE_URL_SET = False
    _limits(settings, cds_issuer="2/60", cds_ip="100/60")
    trust(web.clinic())
    client = Client()
    # Forged tokens naming the issuer are refused as tokens and do not use up its limit.
    forged = sign(claims(AUD, NOW), key=_another_key())
    for _ in range(3):
        answer = client.post(
            URL, b"{}", content_type="application/json", HTTP_AUTHORIZATION=bearer(forged)
        )
        assert answer.status_code == 401
    codes = [call(client, request_for("123", None)).status_code for _ in range(3)]
    assert 429 not in codes[:2]
    assert codes[2] == 429
    assert ratelimit.claimed_issuer(sign(claims(AUD, NOW))) == ISS


def _another_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP384R1())


def test_the_counters_keep_no_address_and_old_windows_go(clock: list[datetime]) -> None:
    limit = Limit("login", 5, 60)
    ratelimit.hit(limit, "203.0.113.7", clock[0])
    ratelimit.hit(limit, "203.0.113.7", clock[0])
    row = RateCounter.objects.get()
    assert row.hits == 2
    assert "203.0.113.7" not in row.bucket
    ratelimit.hit(limit, "203.0.113.7", clock[0] + timedelta(minutes=5))
    assert RateCounter.objects.count() == 1, "the ended window was dropped"


def test_one_statement_counts_so_no_hit_is_lost(clock: list[datetime]) -> None:
    """The increment is the database's (ON CONFLICT DO UPDATE), not read-then-write here."""
    limit = Limit("api_ip", 1000, 60)
    with connection.cursor():
        verdicts = [ratelimit.hit(limit, "x", clock[0]) for _ in range(50)]
    assert [v.hits for v in verdicts] == list(range(1, 51))
    assert ratelimit.peek(limit, "x", clock[0]).hits == 50


def test_the_redis_store_counts_the_same_way(
    settings: Any, clock: list[datetime], redis_url: str
) -> None:
    url = redis_url
    settings.VENOWATCH_REDIS_URL = url
    limit = Limit(f"test{uuid.uuid4().hex}", 3, 60)
    assert [ratelimit.hit(limit, "x", clock[0]).allowed for _ in range(2)] == [True, True]
    # Another process's client counts into the same window.
    other = ratelimit.RedisStore(url)
    slot, ends, _ = ratelimit._window(limit, clock[0])
    assert other.hit(ratelimit._bucket(limit, "x"), slot, ends, int(clock[0].timestamp())) == 3
    assert not ratelimit.hit(limit, "x", clock[0]).allowed
    assert ratelimit.peek(limit, "x", clock[0]).hits == 4
    assert ratelimit.hit(limit, "x", clock[0] + timedelta(minutes=1)).allowed, "a new window"
    assert not RateCounter.objects.exists(), "nothing in the database"


def test_the_api_limit_holds_with_redis_as_the_store(
    settings: Any, clock: list[datetime], redis_url: str
) -> None:
    settings.VENOWATCH_REDIS_URL = redis_url
    _limits(settings, api_ip="2/60")
    n = uuid.uuid4().int
    client = Client(REMOTE_ADDR=f"10.{n % 250}.{n // 250 % 250}.{n // 62500 % 250}")  # its own
    codes = [client.get("/api/v1/patients").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
