"""Shared test helpers: where the project's shared material lives, and the scenarios."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("VENOWATCH_SHARED", ROOT.parent / "shared"))
SCENARIOS = sorted((SHARED / "spec" / "scenarios").glob("*.json"))

if not SCENARIOS:
    # Fail loudly rather than let every shared-material test pass vacuously.
    raise RuntimeError(f"no scenarios under {SHARED}; set VENOWATCH_SHARED to the shared folder")


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Real hashers are slow on purpose; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
