"""Alert latency benchmark (issue 4): from the start of a patient's emergency check-in POST (much
worse, symptoms back, 10 hours after the procedure: the possible-thrombosis pathway) to the moment
a local SMTP server has accepted the alert to the advocate, and to the last of the three staff
(advocate, IR, clinic on-call); and (issue 11) to the moment a local server answering as the SMS
provider's Messages endpoint (tests/sms_server.py) has accepted the text to the advocate's
mobile (on-call's phone gets one too). Goal: p99 within 5 s in the embedded default (SQLite), with
gunicorn's 3 sync workers and `venowatch worker` (outbox every second) as `venowatch serve` runs.

    .venv/bin/python bench/alert_latency.py [--patients 60]

The check-ins go one after another with a seeded random gap of 0.2-1.0 s, after one warm-up
check-in that proves the path works. Writes bench/out/alert_latency.json and prints a table;
exits non-zero, reporting nothing, if a POST fails or an expected email is not accepted within
30 s of its check-in.
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from web import OUT, _environment, _free_port, _Server, _Session, _session_for

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.sms_server
from tests.sms_server import SENDER, SID, TOKEN, Provider

ADVOCATE, IR, ONCALL = "advocate@example.org", "dr.ruiz@example.org", "oncall@example.org"
STAFF = (ADVOCATE, IR, ONCALL)
ADVOCATE_MOBILE, ONCALL_MOBILE = "+16175550123", "+16175550199"
CLOT = {"pgic": "much_worse", "symptoms_returned": "on"}
WAIT = 30.0
"""Seconds after its check-in an email may take before the run counts it as never arrived."""


class _RefusedError(Exception):
    """The run cannot be trusted: nothing is reported."""


class _Inbox:
    """An SMTP server (aiosmtpd, as in tests/smtp.py) noting, by outbox id, when it accepted
    each venowatch email on the same clock as the check-ins (time.monotonic())."""

    def __init__(self) -> None:
        self.accepted: dict[int, float] = {}
        self.duplicates = 0
        self.lock = threading.Lock()
        self.port = _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        at = time.monotonic()
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        outbox_id = int(message["X-Venowatch-Notification"])
        with self.lock:
            self.duplicates += outbox_id in self.accepted
            self.accepted.setdefault(outbox_id, at)
        return "250 Message accepted for delivery"

    def when(self, outbox_id: int) -> float | None:
        with self.lock:
            return self.accepted.get(outbox_id)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=60)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    with contextlib.ExitStack() as cleanup:  # runs whatever happens, like a finally block
        data = Path(tempfile.mkdtemp(prefix="venowatch-bench-alert-"))
        cleanup.callback(shutil.rmtree, data, ignore_errors=True)
        env = _environment(data)
        os.environ.update(env)
        print(f"preparing {args.patients} operated patients in {data} ...", flush=True)
        keys = _prepare(args.patients)
        inbox = _Inbox()
        inbox.controller.start()
        cleanup.callback(inbox.controller.stop)
        env |= {"VENOWATCH_EMAIL_HOST": "127.0.0.1", "VENOWATCH_EMAIL_PORT": str(inbox.port)}
        provider = Provider()
        provider.start()
        cleanup.callback(provider.stop)
        env |= {"VENOWATCH_SMS_ACCOUNT_SID": SID, "VENOWATCH_SMS_AUTH_TOKEN": TOKEN,
                "VENOWATCH_SMS_FROM": SENDER, "VENOWATCH_SMS_BASE_URL": provider.url}  # fmt: skip
        log = cleanup.enter_context((data / "worker.log").open("wb"))
        worker = subprocess.Popen(
            [sys.executable, "-m", "venowatch", "worker"], env={**os.environ, **env},
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        cleanup.callback(_stop, worker)
        server = _Server(env, _free_port())
        cleanup.callback(_stop, server.proc)
        server.__enter__()  # waits for the port; _stop above ends gunicorn even if it fails
        try:
            results = _run(server.port, keys, args.seed, inbox, provider)
        except _RefusedError as exc:
            tail = (data / "worker.log").read_text().splitlines()[-15:] or ["(empty)"]
            print(f"REFUSED: {exc}\nworker log (tail):", *tail, sep="\n  ", file=sys.stderr)
            return 1
    results |= {"patients": args.patients, "seed": args.seed, "gunicorn_sync_workers": 3}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "alert_latency.json").write_text(json.dumps(results, indent=1))
    _report(results)
    return 0


def _prepare(n: int) -> list[tuple[str, str]]:
    """A clinic with an on-call address, an advocate and an IR with emails, and n + 1 patients
    (the first for the warm-up) with accounts, operated on by the IR 10 hours ago. Returns
    (name, session key) per patient; sessions are made without the password hasher."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from venowatch.clinic.models import Clinic, Member, Patient, Role
    from venowatch.protocol import ProcedureKind
    from venowatch.services.care.records import record_procedure

    call_command("migrate", interactive=False, verbosity=0)
    (Path(os.environ["VENOWATCH_DATA_DIR"]) / "static").mkdir(exist_ok=True)
    now = timezone.now()
    clinic = Clinic.objects.create(
        name="Bench clinic", oncall_email=ONCALL, oncall_phone=ONCALL_MOBILE
    )

    def member(address: str, role: Role, phone: str = "") -> User:
        user = User.objects.create(username=address.split("@")[0], email=address, password="!")
        Member.objects.create(user=user, clinic=clinic, role=role, phone=phone)
        return user

    advocate, ir = member(ADVOCATE, Role.ADVOCATE, ADVOCATE_MOBILE), member(IR, Role.CLINICIAN)
    keys = []
    for i in range(n + 1):
        name = f"Patient {i:04d}" if i else "Warm-up patient"
        user = member(f"patient{i}@example.org", Role.PATIENT)
        p = Patient.objects.create(clinic=clinic, name=name, user=user, advocate=advocate)
        record_procedure(
            p, kind=ProcedureKind.VENOPLASTY, performed_at=now - timedelta(hours=10),
            performed_by=ir, now=now,
        )  # fmt: skip
        keys.append((name, _session_for(user)))
    connections.close_all()
    return keys


def _run(
    port: int, keys: list[tuple[str, str]], seed: int, inbox: _Inbox, provider: Provider
) -> dict[str, Any]:
    sessions = [(name, _Session(port, key)) for name, key in keys]
    rng = random.Random(seed)
    started: dict[str, float] = {}
    post_s: list[float] = []
    for i, (name, session) in enumerate(sessions):
        t = time.monotonic()
        status = session.post("/me/check-in/", CLOT)
        post_s.append(time.monotonic() - t)
        started[name] = t
        if status != 302:
            raise _RefusedError(f"the check-in of {name} answered HTTP {status}, not 302")
        if i == 0:  # the warm-up: the whole path works before anything is timed
            _latencies(inbox, {name: t})
            _sms_latencies(provider, {name: t})
            started.clear()
            post_s.clear()
        time.sleep(rng.uniform(0.2, 1.0))
    latencies = _latencies(inbox, started)
    texts = sorted(_sms_latencies(provider, started).values())
    advocate = sorted(by_to[ADVOCATE] for by_to in latencies.values())
    all_staff = sorted(max(by_to.values()) for by_to in latencies.values())
    return {
        "post_s": _stats(sorted(post_s)),
        "advocate_s": _stats(advocate),
        "all_staff_max_s": _stats(all_staff),
        "advocate_sms_s": _stats(texts),
        "goal_p99_s": 5.0,
        "duplicates": inbox.duplicates,
        "sms_duplicates": len(provider.accepted) - len({(m.to, m.body) for m in provider.accepted}),
        "latencies_s": {"advocate": advocate, "all_staff_max": all_staff, "advocate_sms": texts},
    }


def _latencies(inbox: _Inbox, started: dict[str, float]) -> dict[str, dict[str, float]]:
    """Seconds from each check-in's start to each staff alert's acceptance, waiting up to WAIT
    seconds after the last check-in for the emergency emails the database says were queued."""
    from venowatch.notify.models import Kind, Notification

    queued = Notification.objects.filter(kind=Kind.EMERGENCY, patient__name__in=list(started))
    deadline = max(started.values()) + WAIT
    while True:
        rows = list(queued.values_list("pk", "patient__name", "address"))
        arrived = all(inbox.when(pk) is not None for pk, _, _ in rows)
        if (rows and arrived) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    out: dict[str, dict[str, float]] = {name: {} for name in started}
    for pk, name, to in rows:
        at = inbox.when(pk)
        if at is not None and at - started[name] <= WAIT:
            out[name][to] = round(at - started[name], 3)
    missing = [f"{name} -> {to}" for name in started for to in STAFF if to not in out[name]]
    if missing:
        shown = ", ".join(missing[:6]) + (" ..." if len(missing) > 6 else "")
        raise _RefusedError(
            f"{len(missing)} emergency emails not accepted within {WAIT:.0f} s: {shown}"
        )
    return out


def _sms_latencies(provider: Provider, started: dict[str, float]) -> dict[str, float]:
    """Seconds from each check-in's start to the provider's acceptance of the advocate's text
    about that patient (its body links the patient's page), waiting as _latencies does."""
    from venowatch.clinic.models import Patient

    links = {
        f"/staff/patients/{pk}/": name
        for pk, name in Patient.objects.filter(name__in=list(started)).values_list("pk", "name")
    }
    deadline = max(started.values()) + WAIT
    out: dict[str, float] = {}
    while True:
        for text in provider.to(ADVOCATE_MOBILE):
            name = next((n for link, n in links.items() if link in text.body), None)
            if name is not None and name not in out:
                out[name] = round(text.at - started[name], 3)
        if len(out) == len(started) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    missing = sorted(set(started) - set(out))
    if missing:
        shown = ", ".join(missing[:6]) + (" ..." if len(missing) > 6 else "")
        raise _RefusedError(f"{len(missing)} texts to the advocate not accepted: {shown}")
    return out


def _stats(ordered: list[float]) -> dict[str, float]:
    """Nearest-rank percentiles: with 60 samples p99 is the slowest, p95 the 57th."""

    def rank(q: float) -> float:
        return round(ordered[max(math.ceil(q * len(ordered)) - 1, 0)], 3)

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99), "max": round(ordered[-1], 3)}


def _stop(proc: subprocess.Popen[Any]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _report(r: dict[str, Any]) -> None:
    print(f"\nalert latency: {r['patients']} emergency check-ins, SQLite, gunicorn 3 sync workers")
    print("  + venowatch worker (outbox every 1 s); seconds from the check-in POST's start")
    rows = [("check-in POST itself", "post_s"), ("-> advocate's alert accepted", "advocate_s"),
            ("-> last of 3 staff alerts", "all_staff_max_s"),
            ("-> advocate's SMS accepted", "advocate_sms_s")]  # fmt: skip
    for label, key in rows:
        s = r[key]
        print(f"  {label:<30} p50 {s['p50']:6.3f}  p95 {s['p95']:6.3f}  p99 {s['p99']:6.3f}"
              f"  max {s['max']:6.3f}")  # fmt: skip
    for label, key in rows[1:]:
        met = "met" if r[key]["p99"] <= r["goal_p99_s"] else "NOT met"
        print(f"  goal p99 <= {r['goal_p99_s']:.0f} s, {label.removeprefix('-> ')}: {met}")
    if r["duplicates"]:
        print(f"  note: {r['duplicates']} emails were delivered more than once")
    if r["sms_duplicates"]:
        print(f"  note: {r['sms_duplicates']} texts were delivered more than once")


if __name__ == "__main__":
    sys.exit(main())
