"""More than one machine: two app servers (gunicorn processes) and two workers on one
PostgreSQL database, as two machines behind a load balancer would run. What must hold across
them: a rate limit is counted once for both (not doubled), a CDS Hooks token replayed on the
other server is refused, an idempotency key sent to both stores once, and every alert is
sent once. PostgreSQL only (SQLite has one writer and one machine); CI runs it in the
PostgreSQL pass (VENOWATCH_TEST_DATABASE=postgresql)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

from tests.alert_fixtures import Staffed, clot
from tests.cds_tokens import bearer, claims, sign, trust
from tests.smtp import Inbox
from venowatch.clinic.models import CheckIn
from venowatch.notify.models import Notification, State
from venowatch.security.models import IdempotentRequest, Scope
from venowatch.services.security.tokens import issue

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

BASE = "http://venowatch.test"
"""The address both servers are reached at (a load balancer's): CDS tokens name it in aud."""
CDS_URL = "/cds-services/venowatch-patient-view"
LIMITS = {
    "VENOWATCH_RATE_API_TOKEN": "6/86400",
    "VENOWATCH_RATE_API_IP": "4/86400",
    "VENOWATCH_RATE_LOGIN": "3/86400",
}
"""Day-long windows: a window ending mid-test would reset the counts being compared."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _http(url: str, body: Any = None, **headers: str) -> Answer:
    data = None if body is None else json.dumps(body).encode()
    if data is not None:
        headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:  # our servers
            return Answer(r.status, dict(r.headers), r.read())
    except urllib.error.HTTPError as e:
        return Answer(e.code, dict(e.headers), e.read())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _database_url() -> str:
    """The test database the test itself writes to (Django's test copy), for the servers."""
    d = connection.settings_dict
    user, password = quote(d["USER"], safe=""), quote(d["PASSWORD"] or "", safe="")
    return f"postgresql://{user}:{password}@{quote(d['HOST'], safe='')}:{d['PORT']}/{d['NAME']}"


@dataclass
class Machines:
    servers: list[str]
    processes: list[subprocess.Popen[str]]
    inbox: Inbox


def _wait_until_up(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"a server stopped: {process.stderr.read() if process.stderr else ''}"
            )
        try:
            if _http(f"{base}/cds-services").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} did not answer within 60 s")


@pytest.fixture(scope="module")
def machines(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Machines]:
    """Started once for the module: each test's rows (and rate counters) are emptied after it
    by the transactional test case, while the servers and workers keep running."""
    smtp = Inbox()
    smtp.start()
    tmp_path = tmp_path_factory.mktemp("two-machines")
    env = {
        **os.environ, **LIMITS,
        "DATABASE_URL": _database_url(), "VENOWATCH_SECRET_KEY": "two-machines",
        "VENOWATCH_DATA_DIR": str(tmp_path), "VENOWATCH_BASE_URL": BASE,
        "VENOWATCH_ALLOWED_HOSTS": "127.0.0.1,localhost,venowatch.test",
        "VENOWATCH_EMAIL_HOST": "127.0.0.1", "VENOWATCH_EMAIL_PORT": str(smtp.port),
    }  # fmt: skip
    processes: list[subprocess.Popen[str]] = []
    servers = []
    try:
        for _ in range(2):
            port = _free_port()
            command = [sys.executable, "-m", "gunicorn", "venowatch.wsgi:application",
                       "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "60"]  # fmt: skip
            processes.append(subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True))
            servers.append(f"http://127.0.0.1:{port}")
        for base, process in zip(servers, processes, strict=True):
            _wait_until_up(base, process)
        for _ in range(2):
            worker = [sys.executable, "-m", "venowatch", "worker", "--deliver-every", "0.2"]
            processes.append(subprocess.Popen(worker, env=env, stderr=subprocess.PIPE, text=True))
        yield Machines(servers, processes, smtp)
    finally:
        for process in processes:  # before the test database is emptied under them
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
        smtp.stop()


def _spread(machines: Machines, n: int, path: str, **headers: str) -> list[int]:
    """`n` requests at once, alternating between the two servers; their statuses."""

    def one(i: int) -> int:
        return _http(machines.servers[i % 2] + path, **headers).status

    with ThreadPoolExecutor(max_workers=n) as pool:
        return sorted(pool.map(one, range(n)))


# --- rate limits ----------------------------------------------------------------------------


def test_a_token_s_rate_limit_holds_across_both_servers(machines: Machines) -> None:
    s = Staffed()
    _, secret = issue(s.advocate, name="bridge", scope=Scope.READ)
    statuses = _spread(machines, 14, "/api/v1/patients", Authorization=f"Bearer {secret}")
    assert statuses == [200] * 6 + [429] * 8, "six in all, not six on each server"


def test_unauthenticated_api_calls_are_counted_once_for_both_servers(machines: Machines) -> None:
    statuses = _spread(machines, 10, "/api/v1/patients", Authorization="Bearer vw_madeup")
    assert statuses == [401] * 4 + [429] * 6


def test_sign_in_posts_are_counted_once_for_both_servers(machines: Machines) -> None:
    def post(i: int) -> int:
        url = machines.servers[i % 2] + "/accounts/login/"
        request = urllib.request.Request(url, data=b"username=x&password=y", method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return int(r.status)
        except urllib.error.HTTPError as e:
            return int(e.code)

    statuses = [post(i) for i in range(7)]
    # Refused for want of a CSRF token (403) or for the limit (429): three get through to it.
    assert statuses == [403] * 3 + [429] * 4


# --- sign-in throttling by account (django-axes) ---------------------------------------------
# The signin helper's throttle (django-axes, by username and by address) keeps its attempts in
# the database too: its two-server test goes here, with the `machines` fixture above.


# --- CDS Hooks: a token is used once, whichever server sees it ------------------------------


def test_a_cds_token_replayed_on_the_other_server_is_refused(machines: Machines) -> None:
    s = Staffed()
    trust(s.clinic)
    token = sign(claims(f"{BASE}{CDS_URL}", datetime.now(UTC)))
    body = {"hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
            "context": {"userId": "Practitioner/x", "patientId": "123"}}  # fmt: skip
    first = _http(machines.servers[0] + CDS_URL, body, Authorization=bearer(token))
    assert first.status != 401, first.body
    replayed = _http(machines.servers[1] + CDS_URL, body, Authorization=bearer(token))
    assert replayed.status == 401
    assert "already used" in replayed.json()["message"]


# --- idempotency keys -----------------------------------------------------------------------


def test_an_idempotency_key_sent_to_both_servers_stores_once(machines: Machines) -> None:
    s = Staffed()
    p = s.operated(ago=30)
    assert p.user is not None
    _, secret = issue(p.user, name="phone", scope=Scope.WRITE)
    url = f"/api/v1/patients/{p.pk}/checkins"
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "twice-1"}

    def post(i: int) -> Answer:
        return _http(machines.servers[i % 2] + url, {"pgic": "no_change"}, **headers)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(post, range(4)))  # at once, two on each server
    assert {a.status for a in answers} == {201}, [a.body for a in answers]
    assert len({a.body for a in answers}) == 1, "every retry gets the first answer"
    assert CheckIn.objects.filter(patient=p).count() == 1
    assert IdempotentRequest.objects.filter(key="twice-1").count() == 1


# --- alerts ---------------------------------------------------------------------------------


def test_two_workers_send_every_alert_once(machines: Machines) -> None:
    s = Staffed()
    for i in range(6):
        clot(s.operated(f"Clot {i:02d}"))  # alerts waiting in the outbox for both workers
    # Due now (the workers may be sending them already): the alerts to staff and the patient.
    due = Notification.objects.filter(not_before__lte=datetime.now(UTC))
    expected = set(due.values_list("pk", flat=True))
    assert len(expected) >= 6 * 3
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if not Notification.objects.filter(pk__in=expected).exclude(state=State.SENT).exists():
            break
        time.sleep(0.3)
    time.sleep(1)  # a second worker sending one twice would have done so by now
    with machines.inbox.lock:
        messages = list(machines.inbox.messages)
    delivered = Counter(int(m["X-Venowatch-Notification"]) for m in messages)
    assert set(delivered) >= expected, "every alert was sent"
    assert {n for n, times in delivered.items() if times > 1} == set(), "none twice"
