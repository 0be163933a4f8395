"""The server tests/crash_harness.py kills: gunicorn serving venowatch's WSGI application.

Started once, it sets the database up (migrations, a clinic, a patient with a venoplasty and a
write token for them), imports the whole application, and then, for every `start` read on
standard input, forks a fresh gunicorn master (its own session and process group, so one
SIGKILL takes the master and its workers) and prints its pid. Forking a loaded interpreter
makes a restart take a tenth of a second instead of the seconds an import takes, so a test can
afford many kills; what runs after the fork is gunicorn and the application as in production.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from datetime import timedelta
from typing import Any


def _prepare() -> dict[str, Any]:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.urls import get_resolver

    from venowatch.clinic.models import Clinic, Member, Patient, Role
    from venowatch.protocol import ProcedureKind
    from venowatch.security.models import Scope
    from venowatch.services.care.records import record_procedure
    from venowatch.services.clock import utc_now
    from venowatch.services.security import tokens

    call_command("migrate", interactive=False, verbosity=0)
    now = utc_now()
    clinic = Clinic.objects.create(name="Crash Clinic", ir_name="Dr. IR", ir_phone="+1-555-0100",
                                   oncall_phone="+1-555-0199", time_zone="UTC")  # fmt: skip
    login = User.objects.create_user("crash.patient", email="crash@example.org")
    Member.objects.create(user=login, clinic=clinic, role=Role.PATIENT)
    patient = Patient.objects.create(clinic=clinic, user=login, name="Crash Patient",
                                     time_zone="UTC")  # fmt: skip
    record_procedure(patient, kind=ProcedureKind.VENOPLASTY,
                     performed_at=now - timedelta(days=10), now=now)  # fmt: skip
    _, secret = tokens.issue(login, name="crash test", scope=Scope.WRITE, now=now)
    _ = get_resolver().url_patterns  # imports every view, the API's schemas with them
    _warm_up(patient.pk, secret)
    from django.db import connections

    connections.close_all()  # no connection may cross a fork
    return {"patient": patient.pk, "secret": secret}


def _warm_up(patient: int, secret: str) -> None:
    """One check-in through the whole stack before any fork, so that what a first request
    loads (translations, templates, the engine's protocol) is loaded once, not after each."""
    from django.test import Client

    answer = Client(HTTP_HOST="localhost").post(
        f"/api/v1/patients/{patient}/checkins",
        {"pgic": "no_change", "note": "warm-up"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}", "X-Forwarded-Proto": "https"},
    )
    if answer.status_code != 201:
        raise RuntimeError(f"the warm-up check-in got {answer.status_code}: {answer.content!r}")


def _gunicorn(bind: str) -> None:
    from gunicorn.app.base import BaseApplication

    from venowatch.wsgi import application

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in {"bind": bind, "workers": 2, "worker_class": "sync",
                               "timeout": 30, "control_socket_disable": True}.items():  # fmt: skip
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Server().run()


def _reap(pid: int) -> None:
    """The master, then its workers: orphaned by the kill, they are ours to reap as the
    subreaper (a container's init may never reap them)."""
    os.waitpid(pid, 0)
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


def main() -> None:
    bind = sys.argv[1]
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    print(json.dumps(_prepare()), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "start":
            pid = os.fork()
            if pid == 0:
                os.setsid()
                _gunicorn(bind)
                os._exit(0)
            print(pid, flush=True)
        elif command.startswith("reap "):
            _reap(int(command.split()[1]))
            print("reaped", flush=True)


if __name__ == "__main__":
    main()
