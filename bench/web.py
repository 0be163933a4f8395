"""Web benchmark (issue 3): the worklist with 10,000 patients, and a check-in POST (validate,
store, re-assess, commit) against a bare endpoint that only inserts the same row, on one gunicorn
server in one run.

    .venv/bin/python bench/web.py [--patients 10000] [--seconds 8] [--clients 4]

Writes bench/out/web.json and prints a table. The machine is shared and noisy: read the ratio.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PASSWORD = "bench-password-123"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument(
        "--checkin-patients",
        type=int,
        default=200,
        help="patients the check-ins are spread over, so each has a realistic history",
    )
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="venowatch-bench-web-"))
    try:
        env = _environment(data)
        os.environ.update(env)
        print(f"preparing {args.patients:,} patients in {data} ...", flush=True)
        sessions = _prepare(args.patients, args.checkin_patients, args.clients)
        port = _free_port()
        with _Server(env, port):
            results = _measure(port, args.seconds, sessions)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    results["patients"] = args.patients
    results["clients"] = args.clients
    results["checkin_patients"] = args.checkin_patients
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "web.json").write_text(json.dumps(results, indent=1))
    _report(results)
    return 0


def _environment(data: Path) -> dict[str, str]:
    return {
        "VENOWATCH_DATA_DIR": str(data),
        "VENOWATCH_SECRET_KEY": "bench-only",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{data / 'bench.sqlite3'}"),
        "DJANGO_SETTINGS_MODULE": "venowatch.settings",
        # Production settings over plain http on localhost, as the tests run them.
        "VENOWATCH_SSL_REDIRECT": "false",
        "VENOWATCH_SECURE_COOKIES": "false",
    }


def _prepare(n: int, checkin_patients: int, clients: int) -> dict[str, list[str]]:
    """A clinic with n patients assigned to one advocate, each with a stored assessment, and
    `checkin_patients` more who can sign in, operated on 10 days ago. Sessions are made
    directly (signing in 200 people through the password hasher would take minutes)."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from venowatch.clinic.models import Assessment, Clinic, Member, Patient, Role
    from venowatch.protocol import Pathway, ProcedureKind, Urgency
    from venowatch.services.care.records import record_procedure

    call_command("migrate", interactive=False, verbosity=0)
    (Path(os.environ["VENOWATCH_DATA_DIR"]) / "static").mkdir(exist_ok=True)
    now = timezone.now()
    clinic = Clinic.objects.create(name="Bench clinic", time_zone="America/New_York")
    hashed = make_password(PASSWORD)
    advocate = User.objects.create(username="advocate", password=hashed)
    Member.objects.create(user=advocate, clinic=clinic, role=Role.ADVOCATE)
    patients = Patient.objects.bulk_create(
        Patient(
            clinic=clinic, name=f"Patient {i:05d}", advocate=advocate, time_zone=clinic.time_zone
        )
        for i in range(n)
    )
    pathways = list(Pathway)
    Assessment.objects.bulk_create(
        Assessment(
            patient=p, as_of=now, pathway=pathways[i % len(pathways)], urgency=Urgency.ROUTINE,
            urgency_rank=i % 5, actions=[], flags=[], rationale=[], protocol={},
            since=now - timedelta(minutes=i), valid_until=now + timedelta(days=3),
        )
        for i, p in enumerate(patients)
    )  # fmt: skip
    sessions: dict[str, list[str]] = {"patients": [], "staff": []}
    for i in range(checkin_patients):
        user = User.objects.create(username=f"patient{i}", password=hashed)
        Member.objects.create(user=user, clinic=clinic, role=Role.PATIENT)
        p = Patient.objects.create(clinic=clinic, name=f"Client {i}", user=user, advocate=advocate)
        record_procedure(
            p, kind=ProcedureKind.VENOPLASTY, performed_at=now - timedelta(days=10), now=now
        )
        sessions["patients"].append(_session_for(user))
    sessions["staff"] = [_session_for(advocate) for _ in range(clients)]
    return sessions


def _session_for(user: Any) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from venowatch.services.security.second_factor import needs_second_factor

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "venowatch.services.security.access.MemberBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if needs_second_factor(user):  # staff: as after typing the code from their authenticator
        device = TOTPDevice.objects.create(user=user, name="bench phone", confirmed=True)
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    key = store.session_key
    assert key is not None
    return key


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class _Server:
    def __init__(self, env: dict[str, str], port: int) -> None:
        self.port = port
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.proc = subprocess.Popen(
            [gunicorn, "--workers", "3", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
             "--chdir", str(ROOT), "--log-level", "warning", "bench.web_app:application()"],
            env={**os.environ, **env},
        )  # fmt: skip

    def __enter__(self) -> _Server:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


class _Session:
    """One signed-in browser: cookies and the CSRF token, a new connection per request (sync
    workers close connections after each response)."""

    def __init__(self, port: int, session_key: str) -> None:
        self.port = port
        self.cookies: dict[str, str] = {"sessionid": session_key}
        if self._request("GET", "/") != 302:  # signed in: sent on to the role's home page
            raise RuntimeError("a benchmark session is not signed in")
        self._request("GET", "/accounts/login/")  # a page with a form sets the CSRF cookie

    def _request(self, method: str, path: str, form: dict[str, str] | None = None) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            match = re.match(r"([^=]+)=([^;]*)", header)
            # A browser follows the check-in's redirect, whose page consumes the "saved" message;
            # this client does not, and keeping the cookie would make every later POST carry
            # and re-encode a growing pile of messages no real patient sends.
            if match and match[1] != "messages":
                self.cookies[match[1]] = match[2]
        conn.close()
        return response.status

    def get(self, path: str) -> int:
        return self._request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> int:
        return self._request("POST", path, form)


def _load(
    sessions: list[list[_Session]], seconds: float, call: Callable[[_Session], int], ok: int
) -> dict[str, Any]:
    """Each client thread takes its sessions in turn, as many people using the site would."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(turns: list[_Session]) -> None:
        mine: list[float] = []
        bad = 0
        while time.monotonic() < stop:
            session = turns[len(mine) % len(turns)]
            t = time.perf_counter()
            if call(session) != ok:
                bad += 1
            mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=worker, args=(s,)) for s in sessions]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies),
        "failures": failures[0],
        "per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
    }


def _measure(port: int, seconds: float, keys: dict[str, list[str]]) -> dict[str, Any]:
    clients = len(keys["staff"])
    everyone = [_Session(port, key) for key in keys["patients"]]
    patients = [everyone[i::clients] for i in range(clients)]
    staff = [[_Session(port, key)] for key in keys["staff"]]
    # Each patient posts every few seconds, a repeat the form would ask about (issue 11): the
    # benchmark confirms, so every post takes the whole path of a stored check-in.
    answer = {"pgic": "no_change", "confirm_duplicate": "on"}
    results: dict[str, Any] = {}
    # Interleave the two endpoints twice so a noisy spell hits both.
    for round_ in (1, 2):
        results[f"bare_{round_}"] = _load(
            patients, seconds / 2, lambda s: s.post("/bench/bare-checkin/", answer), 204
        )
        results[f"checkin_{round_}"] = _load(
            patients, seconds / 2, lambda s: s.post("/me/check-in/", answer), 302
        )
    results["worklist"] = _load(staff, seconds, lambda s: s.get("/staff/"), 200)
    results["login_page"] = _load(staff, seconds / 2, lambda s: s.get("/accounts/login/"), 200)
    failed = {name: r["failures"] for name, r in results.items() if r["failures"]}
    if failed:
        raise RuntimeError(f"requests failed, so the figures mean nothing: {failed}")
    bare = sum(results[f"bare_{r}"]["per_s"] for r in (1, 2)) / 2
    checkin = sum(results[f"checkin_{r}"]["per_s"] for r in (1, 2)) / 2
    results["checkin_over_bare"] = round(checkin / bare, 2)
    results["goal_checkin_over_bare"] = 0.5
    return results


def _report(r: dict[str, Any]) -> None:
    clients = f"{r['clients']} client threads, gunicorn 3 sync workers"
    print(f"\nweb benchmark: {r['patients']:,} patients, {clients}")
    for name in ("bare_1", "checkin_1", "bare_2", "checkin_2", "worklist", "login_page"):
        x = r[name]
        latency = f"p50 {x['p50_ms']:>7.1f} ms  p99 {x['p99_ms']:>7.1f} ms"
        count = f"({x['requests']} requests, {x['failures']} failed)"
        print(f"  {name:<12} {x['per_s']:>8.1f}/s  {latency}  {count}")
    met = "met" if r["checkin_over_bare"] >= r["goal_checkin_over_bare"] else "NOT met"
    print(f"  check-in / bare insert: {r['checkin_over_bare']:.2f} (goal >= 0.50: {met})")


if __name__ == "__main__":
    sys.exit(main())
