"""The one error a command raises for bad input: `main` prints it and exits with status 2."""

from __future__ import annotations

USAGE_ERROR = 2
"""The exit status for input the person at the terminal can fix."""


class UsageError(Exception):
    """Something the person at the terminal can fix; the message says what."""
