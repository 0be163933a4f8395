"""`venowatch serve --port N` without VENOWATCH_BASE_URL: the links venowatch writes (emails,
SMS, the FHIR CapabilityStatement's `url`, Bundles' fullUrls) point at the server that runs,
not at http://localhost:8000."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from venowatch.cli.serve import served_at

T = TypeVar("T")


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 18150, "http://localhost:18150"),
        ("0.0.0.0", 8080, "http://localhost:8080"),  # nosec B104: only a name for links
        ("::", 8080, "http://localhost:8080"),
        ("clinic.example", 80, "http://clinic.example:80"),
        ("2001:db8::5", 9000, "http://[2001:db8::5]:9000"),
    ],
)
def test_the_address_served_at(host: str, port: int, url: str) -> None:
    assert served_at(host, port) == url


def _base_url(**env: str) -> str:
    unset = ("VENOWATCH_BASE_URL", "VENOWATCH_SERVED_AT")
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    # The settings module alone, not django.setup(): the values are computed as it is imported,
    # and loading every app for them was most of this test's time.
    code = "import venowatch.settings as s; print(s.VENOWATCH_BASE_URL, s.VENOWATCH_BASE_URL_SET)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "venowatch.settings", **env},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def test_the_served_address_is_the_default_and_base_url_wins() -> None:
    assert _base_url() == "http://localhost:8000 False"
    assert _base_url(VENOWATCH_SERVED_AT="http://localhost:18150") == "http://localhost:18150 False"
    given = _base_url(
        VENOWATCH_SERVED_AT="http://localhost:18150", VENOWATCH_BASE_URL="https://vw.example/"
    )
    assert given == "https://vw.example True"  # and CDS Hooks still trusts only the one given


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _until(seconds: float, check: Callable[[], T | None]) -> T:
    """What `check` gives once it gives something (a connection refused counts as nothing)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
        except OSError:
            found = None
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"not within {seconds} s")


def test_serve_with_a_port_links_to_that_port(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("VENOWATCH_") and k != "DATABASE_URL"
    }
    env["VENOWATCH_DATA_DIR"] = str(tmp_path / "var")
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "venowatch", "serve", "--demo", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:

        def started() -> str | None:
            text = log.read_text()
            return text if "Links in emails" in text else None

        said = _until(120, started)
        assert f"Links in emails and SMS: http://localhost:{port}/\n" in said, said

        def metadata() -> dict[str, Any]:
            url = f"http://127.0.0.1:{port}/fhir/r4/metadata"
            with urllib.request.urlopen(url, timeout=5) as answer:  # nosec B310: our own server
                return dict(json.load(answer))

        assert _until(60, metadata)["url"] == f"http://localhost:{port}/fhir/r4/metadata"
        mail = tmp_path / "var" / "sent-mail"
        sent = _until(60, lambda: [p.read_text() for p in mail.glob("*")] if mail.exists() else [])
        assert any(f"http://localhost:{port}/" in text for text in sent)
        assert not any("localhost:8000" in text for text in sent)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
