"""A Redis server for the tests of the rate limits' Redis store: VENOWATCH_TEST_REDIS_URL if
set, else Debian's redis-server started here on a free port, in memory only, for the session.
Without one the tests skip, except in CI (CI=true), where they are required and fail."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("VENOWATCH_TEST_REDIS_URL")
    if given:
        yield given
        return
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(server).exists():
        message = "no redis-server: apt-get install redis-server (or set VENOWATCH_TEST_REDIS_URL)"
        if IN_CI:
            pytest.fail(f"the Redis tests are required in CI: {message}", pytrace=False)
        pytest.skip(message)
    port = _free_port()
    here = tmp_path_factory.mktemp("redis")
    args = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
            "no", "--dir", str(here)]  # fmt: skip
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on port {port}", pytrace=False)
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
