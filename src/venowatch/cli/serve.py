"""`venowatch serve`: one command from nothing to a running clinic.

It prepares the data directory (database, a kept secret key), applies migrations, optionally
creates the demo clinic, and serves with gunicorn's sync workers.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from venowatch.cli.errors import UsageError

WORKERS = 3
"""Sync workers: gunicorn's advice is 2 x cores + 1; the embedded default targets small
machines, and SQLite serialises writes anyway."""


def prepare_environment() -> Path:
    """Set the variables settings.py requires, keeping a generated secret key in the data
    directory so sessions survive restarts."""
    data_dir = Path(os.environ.get("VENOWATCH_DATA_DIR") or Path.cwd() / "var").resolve()
    private_directory(data_dir)
    (data_dir / "static").mkdir(parents=True, exist_ok=True)  # WhiteNoise expects STATIC_ROOT
    os.environ["VENOWATCH_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "venowatch.settings")
    if not os.environ.get("VENOWATCH_SECRET_KEY") and not os.environ.get(
        "VENOWATCH_SECRET_KEY_FILE"
    ):
        key_file = data_dir / "secret_key"
        if not key_file.exists():
            # Created 0600 from the start: a chmod after writing leaves a moment it is readable.
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(50))
        os.environ["VENOWATCH_SECRET_KEY"] = key_file.read_text().strip()
    return data_dir


def private_directory(path: Path) -> None:
    """The data directory holds the database and the secret key: its owner's only (0700)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)


LOOPBACK = {"127.0.0.1", "::1", "localhost", "0.0.0.0", "::", ""}  # nosec B104
"""Addresses a browser on this machine reaches as localhost (the wildcards included): the
name in links, since ALLOWED_HOSTS has it and the others may not be reachable from a phone's
email either way."""


def served_at(host: str, port: int) -> str:
    """The base URL of a server listening on `host`:`port`, for links when no
    VENOWATCH_BASE_URL says where people reach it."""
    name = "localhost" if host in LOOPBACK else (f"[{host}]" if ":" in host else host)
    return f"http://{name}:{port}"


def require_free(host: str, port: int) -> None:
    """Refuse, naming the fix, an address another program listens on (gunicorn would retry
    for five seconds and stop with "Connection in use" after the start-up said it serves)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(
                f"--port: cannot listen on {host}:{port}: {exc.strerror}; another program may "
                "be serving there: stop it or choose another --port"
            ) from None


def serve(args: argparse.Namespace) -> int:
    if args.demo:
        # A demo runs on http://localhost: development settings (docs/security.md).
        os.environ.setdefault("VENOWATCH_DEVELOPMENT", "true")
    require_free(args.host, args.port)  # before the migrations: a busy port fails at once
    # Before Django reads its settings, and inherited by the worker started below.
    os.environ["VENOWATCH_SERVED_AT"] = served_at(args.host, args.port)
    data_dir = prepare_environment()
    if args.demo and not os.environ.get("VENOWATCH_EMAIL_BACKEND"):
        # A demo has no mail server: its alerts and reminders land as files to read instead.
        os.environ["VENOWATCH_EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
        print(f"Demo: emails are written to {data_dir / 'sent-mail'}, not sent.")
    import django

    django.setup()
    from django.core.management import call_command

    from venowatch.services.clock import utc_now

    call_command("migrate", interactive=False, verbosity=0)
    print(f"venowatch: data in {data_dir}")
    if args.demo:
        from venowatch.services.demo import DEMO_PASSWORD, create_demo, demo_totp_secret

        logins = create_demo(utc_now())
        print(f"Demo clinic ready. Every demo login's password is: {DEMO_PASSWORD}")
        print(
            "Staff logins also need a code: add the TOTP secret shown beside them to an "
            "authenticator app (it is fixed for the demo); patients sign in with the password."
        )
        for login, role in logins:
            secret = demo_totp_secret(login)
            extra = f"  TOTP secret {secret}" if secret else ""
            print(f"  {login:<10} {role}{extra}")
        print(
            "API: /api/v1/docs once signed in; for an integration's token: "
            ".venv/bin/venowatch token create alex --name demo"
        )
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"Serving on http://{host}:{args.port}/  (Ctrl+C to stop)", flush=True)
    from django.conf import settings

    _say_base_url(args.demo)
    if not settings.DEVELOPMENT:  # VENOWATCH_DEVELOPMENT=true without --demo is not production
        print(
            "Production settings: https only, behind a TLS proxy (docs/security.md); "
            "`serve --demo` for a try on http://localhost",
            flush=True,
        )
    # The sweep and the outbox run in their own process: forking gunicorn's workers from a
    # process with a busy thread in it is asking for deadlocks.
    worker = subprocess.Popen([sys.executable, "-m", "venowatch", "worker"])
    try:
        _gunicorn(f"{host}:{args.port}")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return 0


def _say_base_url(demo: bool) -> None:
    from django.conf import settings

    if settings.VENOWATCH_BASE_URL_SET:
        print(f"Links in emails and SMS: {settings.VENOWATCH_BASE_URL}/", flush=True)
        return
    advice = "" if demo else "; set VENOWATCH_BASE_URL to the address people reach the site at"
    print(f"Links in emails and SMS: {settings.VENOWATCH_BASE_URL}/{advice}", flush=True)


ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
"""The path without its query string, and no referrer: a worklist search (`?q=`) is a
patient's name, and logs are kept longer and shown wider than the database."""


def gunicorn_options(bind: str) -> dict[str, Any]:
    return {
        "bind": bind,
        "workers": WORKERS,
        "worker_class": "sync",
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "timeout": 60,
    }


def _gunicorn(bind: str) -> None:
    from gunicorn.app.base import BaseApplication

    from venowatch.wsgi import application

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in gunicorn_options(bind).items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Server().run()
