"""Reading JSON that others send: request bodies, files to import, other servers' answers.

Python's parser recurses, so a body nested a thousand deep escaped it as a RecursionError (a
500), and one nested a few hundred deep could still overflow what reads it next. Every reader
of outside JSON goes through `read_json`, which refuses both as the ValueError the callers
already turn into a 400, an OperationOutcome or exit status 2."""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64
"""Deeper than any FHIR Bundle, CDS request or JWK Set is (a Bundle's deepest path is about
ten), and far inside what the interpreter's recursion limit allows the code that reads it."""


def read_json(raw: bytes | str) -> Any:
    """The JSON value in `raw`; ValueError, saying what is wrong, for anything else."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise ValueError(f"it is nested deeper than {MAX_DEPTH} levels") from None
    if _depth(value) > MAX_DEPTH:
        raise ValueError(f"it is nested deeper than {MAX_DEPTH} levels")
    return value


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in `value`, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest
