"""A local HTTP server that answers as Twilio's Messages endpoint does
(POST /2010-04-01/Accounts/{sid}/Messages.json, HTTP basic auth with the SID and token, a form
body with To, From and Body; 201 with the message's JSON), for the SMS tests, as tests/smtp.py
is for email. It can go down and come back on the same port, and answer the next requests with
chosen statuses, or by saying nothing until the client times out."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

from tests.smtp import _free_port

SID = "AC" + "0" * 32
TOKEN = "test-auth-token"
SENDER = "+16175550000"
TIMEOUT = 1
"""Seconds the transport waits for an answer in the tests; a "timeout" answer waits longer."""
_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$")


@dataclass(frozen=True)
class Sms:
    to: str
    sender: str
    body: str
    at: float
    """time.monotonic() when the server accepted it."""


class Provider:
    def __init__(self) -> None:
        self.accepted: list[Sms] = []
        self.script: list[int | str] = []
        """Answers for the next requests, in order: a status, or "timeout"; then 201."""
        self.requests = 0
        self.lock = threading.Lock()
        self.port = _free_port()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        provider = self

        class Handler(_Handler):
            owner = provider

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def to(self, number: str) -> list[Sms]:
        with self.lock:
            return [m for m in self.accepted if m.to == number]

    def next_answer(self) -> int | str:
        with self.lock:
            self.requests += 1
            return self.script.pop(0) if self.script else 201


class _Handler(BaseHTTPRequestHandler):
    owner: Provider

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        match = _PATH.match(self.path)
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if match is None or match["sid"] != SID:
            return self._answer(
                404, {"code": 20404, "message": "The requested resource was not found"}
            )
        expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self._answer(401, {"code": 20003, "message": "Authenticate"})
        answer = self.owner.next_answer()
        if answer == "timeout":
            time.sleep(TIMEOUT * 3)
            return None
        if answer != 201:
            message = "Invalid 'To' Phone Number" if answer == 400 else "Internal Server Error"
            return self._answer(int(answer), {"code": 21211, "message": message, "status": answer})
        sms = Sms(form["To"], form["From"], form["Body"], time.monotonic())
        with self.owner.lock:
            self.owner.accepted.append(sms)
            n = len(self.owner.accepted)
        return self._answer(201, {
            "sid": f"SM{n:032d}", "account_sid": SID, "to": sms.to, "from": sms.sender,
            "body": sms.body, "status": "queued", "num_segments": "1", "direction": "outbound-api",
            "api_version": "2010-04-01", "uri": f"{self.path[:-5]}/SM{n:032d}.json",
        })  # fmt: skip

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps({"status": status, **body}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def sms(settings: Any) -> Iterator[Provider]:
    """The provider, running, and venowatch's SMS settings pointing at it."""
    provider = Provider()
    provider.start()
    settings.VENOWATCH_SMS_ACCOUNT_SID = SID
    settings.VENOWATCH_SMS_AUTH_TOKEN = TOKEN
    settings.VENOWATCH_SMS_FROM = SENDER
    settings.VENOWATCH_SMS_BASE_URL = provider.url
    settings.VENOWATCH_SMS_TIMEOUT = TIMEOUT
    settings.VENOWATCH_SMS_ENABLED = True
    try:
        yield provider
    finally:
        provider.stop()
