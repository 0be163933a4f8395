"""Durability under SIGKILL: the real server is killed at random moments while clients submit
check-ins through the API with idempotency keys.

The server is gunicorn serving venowatch.wsgi (production settings, behind a "TLS proxy": the
clients send X-Forwarded-Proto: https) on an SQLite file in a fresh data directory. Its whole
process group (master and workers) gets SIGKILL, as a power cut or the OOM killer would, then
it is started again. A client whose request fails (connection refused or reset, a timeout, a
5xx) retries the same body under the same Idempotency-Key until it gets an answer. At the end:

- every check-in that got a 2xx is stored, exactly once;
- no check-in is stored twice (a retry of a request that had committed stores nothing);
- `PRAGMA integrity_check` is ok.

tests/test_crash.py runs it with 20 kills; `python bench/crash.py --kills 100` for more.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Outcome:
    kills: int = 0
    acknowledged: set[str] = field(default_factory=set)
    failed_attempts: int = 0
    """Requests that got no answer (the server died under them) and were sent again."""
    errors: dict[str, int] = field(default_factory=dict)
    """Why requests got no answer, by kind: a connection refused or reset, a 5xx, a timeout."""
    refusals: list[str] = field(default_factory=list)
    """4xx answers: there should be none."""
    stored: dict[str, int] = field(default_factory=dict)
    integrity: str = ""
    seconds: float = 0.0


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VENOWATCH_", "DATABASE_"))}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        DJANGO_SETTINGS_MODULE="venowatch.settings",
        VENOWATCH_DATA_DIR=str(data_dir),
        VENOWATCH_SECRET_KEY="crash-test-" + "k" * 50,
        VENOWATCH_BEHIND_TLS_PROXY="true",
        VENOWATCH_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """tests/crash_server.py, which forks a fresh gunicorn for each start."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.port = port
        self.log = log.open("ab")
        self.zygote = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "crash_server.py"), f"127.0.0.1:{port}"],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True,
        )  # fmt: skip
        self.given: dict[str, Any] = json.loads(self._answer())
        self.pid: int | None = None

    def _answer(self) -> str:
        assert self.zygote.stdout is not None
        line = self.zygote.stdout.readline()
        if not line:
            self.log.flush()
            tail = Path(self.log.name).read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the server's parent ended:\n{tail}")
        return line.strip()

    def _say(self, command: str) -> str:
        assert self.zygote.stdin is not None
        self.zygote.stdin.write(command + "\n")
        self.zygote.stdin.flush()
        return self._answer()

    def start(self) -> None:
        self.pid = int(self._say("start"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.01)
        raise RuntimeError("the server did not start within 30 s")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        assert self.pid is not None
        os.killpg(self.pid, sig)
        self._say(f"reap {self.pid}")

    def close(self) -> None:
        assert self.zygote.stdin is not None
        self.zygote.stdin.close()
        self.zygote.wait(timeout=30)
        self.log.close()


def _client(url: str, secret: str, name: str, stop: threading.Event, out: Outcome) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        key = f"{name}-{n}"
        body = json.dumps({"pgic": "no_change", "note": key, "confirm_duplicate": True}).encode()
        while True:  # the same key and body until an answer; stop waits for it
            request = urllib.request.Request(url, data=body, method="POST")
            request.add_header("Authorization", f"Bearer {secret}")
            request.add_header("Content-Type", "application/json")
            request.add_header("Idempotency-Key", key)
            request.add_header("X-Forwarded-Proto", "https")
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310  # our own server
                    if 200 <= response.status < 300:
                        out.acknowledged.add(key)
                        break
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    out.refusals.append(f"{key}: {exc.code} {exc.read()[:200]!r}")
                    break
                kind = f"HTTP {exc.code}"
                out.errors[kind] = out.errors.get(kind, 0) + 1
            except (OSError, TimeoutError) as exc:
                kind = type(getattr(exc, "reason", exc)).__name__
                out.errors[kind] = out.errors.get(kind, 0) + 1
            out.failed_attempts += 1
            time.sleep(0.05)


def run(kills: int = 20, clients: int = 3, seed: int | None = None) -> Outcome:
    rng = random.Random(seed)  # nosec B311  # when to kill: no secret
    out = Outcome()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="venowatch-crash-") as tmp:
        data_dir = Path(tmp)
        port = _free_port()
        server = Server(_environment(data_dir), port, data_dir / "server.log")
        given = server.given
        url = f"http://127.0.0.1:{port}/api/v1/patients/{given['patient']}/checkins"
        stop = threading.Event()
        threads = [
            threading.Thread(target=_client, args=(url, given["secret"], f"c{i}", stop, out))
            for i in range(clients)
        ]
        server.start()
        for thread in threads:
            thread.start()
        try:
            for _ in range(kills):
                time.sleep(rng.uniform(0.1, 1.2))
                server.kill()
                out.kills += 1
                server.start()
            time.sleep(0.5)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            server.kill(signal.SIGTERM)
            server.close()
        _read_database(data_dir / "venowatch.sqlite3", out)
    out.seconds = time.monotonic() - started
    return out


def _read_database(path: Path, out: Outcome) -> None:
    with sqlite3.connect(path) as db:
        out.integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        rows = db.execute(
            "SELECT note, count(*) FROM clinic_checkin WHERE note LIKE 'c%-%' GROUP BY note"
        )
        out.stored = dict(rows.fetchall())
    db.close()
