"""Clients for API tests: a bearer token per role, made through the services layer."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from venowatch.security.models import Scope
from venowatch.services.security import tokens


class Api:
    """JSON requests to /api/v1/ with one token."""

    def __init__(self, user: User, scope: Scope = Scope.WRITE) -> None:
        self.token, self.secret = tokens.issue(user, name="test", scope=scope)
        self.client = Client()

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}", **extra}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self._headers({}))

    def post(self, path: str, body: Any, **headers: str) -> Any:
        return self.client.post(
            f"/api/v1{path}", body, content_type="application/json", headers=self._headers(headers)
        )

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(
            f"/api/v1{path}", body, content_type="application/json", headers=self._headers({})
        )
