"""Reading configuration from environment variables: small helpers that fail loudly.

A typo in a deployment's settings must stop the process at start-up with the variable's name,
not surface later as odd behaviour.
"""

from __future__ import annotations

import os

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class EnvError(RuntimeError):
    """A required environment variable is missing or malformed."""


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise EnvError(f"environment variable {name} is required")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise EnvError(f"environment variable {name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise EnvError(
            f"environment variable {name} must be a whole number, not {value!r}"
        ) from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str, default: str | None = None) -> str:
    """A secret from `name`, or from the file `name_FILE` names (how container platforms and
    systemd's credentials hand secrets over, kept out of the process environment). Both set is
    refused: which one wins would be a guess."""
    path = os.environ.get(f"{name}_FILE")
    if path is None or path == "":
        return env_str(name, default)
    if os.environ.get(name):
        raise EnvError(f"set {name} or {name}_FILE, not both")
    try:
        with open(path, encoding="utf-8") as file:
            value = file.read().strip()
    except OSError as exc:
        raise EnvError(f"{name}_FILE: cannot read {path}: {exc.strerror}") from None
    if not value:
        raise EnvError(f"{name}_FILE: {path} is empty")
    return value
