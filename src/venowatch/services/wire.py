"""Reading JSON that others send: request bodies, files to import, other servers' answers.

Python's parser recurses, so a body nested a thousand deep escaped it as a RecursionError (a
500), and one nested a few hundred deep could still overflow what reads it next. It also takes
the last of two equal keys without a word, reads NaN, and lets through strings no database
stores (an unpaired surrogate, a NUL). Every reader of outside JSON goes through `read_json`,
which refuses all of these with a `BodyError` (a ValueError) saying what is wrong; its `status`
is the HTTP status every HTTP edge answers with (400, 413 or 422), the CLI exits 2."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest

MAX_DEPTH = 64
"""Deeper than any FHIR Bundle, CDS request or JWK Set is (a Bundle's deepest path is about
ten), and far inside what the interpreter's recursion limit allows the code that reads it."""

MIB = 1 << 20
API_MAX_BYTES = MIB
"""Default body limit of the REST API: its largest body, a check-in with a note, is a few kB."""
CDS_MAX_BYTES = 5 * MIB
"""Default body limit of CDS Hooks: a prefetch of years of a patient's observations fits."""
FHIR_MAX_BYTES = 32 * MIB
"""Default body limit under /fhir/r4/: a Synthea patient's bundle is a few MB."""

Path = tuple[str | int, ...]


class BodyError(ValueError):
    """JSON that is refused; the message says why in words, `status` is the HTTP answer."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotJsonError(BodyError):
    """Not JSON at all, or JSON venowatch cannot store (NaN, a NUL, a lone surrogate)."""


class TooDeepError(BodyError):
    """Arrays and objects nested deeper than MAX_DEPTH."""


class TooLargeError(BodyError):
    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(f"it is larger than {_size(limit)} ({limit} bytes), the most taken here")
        self.limit = limit


class DuplicateKeyError(BodyError):
    """One object names the same key twice: which value was meant is for the sender to say,
    not for the parser to guess (the last one won, silently)."""

    status = 422

    def __init__(self, key: str, path: Path, root_type: str | None = None) -> None:
        super().__init__(f'the key "{key}" appears twice in the object at {json_path(path)}')
        self.key = key
        self.path = path
        """Where the object is; the key itself is the last element of `at`."""
        self.root_type = root_type
        """The document's resourceType, if it is a FHIR resource: the root of a FHIRPath."""

    @property
    def at(self) -> Path:
        return (*self.path, self.key)


def read_json(raw: bytes | str, *, max_bytes: int | None = None) -> Any:
    """The JSON value in `raw` (UTF-8 if bytes), at most `max_bytes` long if given; BodyError,
    saying what is wrong, for anything else."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if max_bytes is not None and size > max_bytes:
        raise TooLargeError(max_bytes)
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise NotJsonError(f"it is not UTF-8 text (byte {exc.start} is not)") from None
    try:
        value = json.loads(text, object_pairs_hook=_object, parse_constant=_no_constant)
    except RecursionError:
        raise TooDeepError(f"it is nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise NotJsonError(f"it is not JSON: {exc}") from None
    except ValueError as exc:  # a number of more than 4300 digits, or NaN (_no_constant)
        raise NotJsonError(f"it is not JSON venowatch reads: {_reason(exc)}") from None
    suspect = _ESCAPES.search(text) is not None or (
        isinstance(raw, str) and _SURROGATE.search(text) is not None
    )
    _check(value, stored_strings=suspect)
    return value


def body_limit(edge: str) -> int:
    """The body limit, in bytes, of one edge ("api", "cds" or "fhir"), from its setting."""
    defaults = {"api": API_MAX_BYTES, "cds": CDS_MAX_BYTES, "fhir": FHIR_MAX_BYTES}
    limit: int = getattr(settings, f"VENOWATCH_{edge.upper()}_MAX_BODY", defaults[edge])
    return limit


def request_body(request: HttpRequest, limit: int) -> bytes:
    """The body of `request`, refused past `limit` bytes (TooLargeError). Read from the stream,
    one byte past the limit at most, so Django's 2.5 MB cap for forms does not apply to an
    edge whose limit is larger (a FHIR bundle, a CDS prefetch)."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > limit:
        raise TooLargeError(limit)  # refused before a byte of it is read
    if hasattr(request, "_body"):  # already read, by middleware or an earlier call
        body = request.body
    else:
        body = request.read(limit + 1)
        # Later readers of request.body (an idempotency fingerprint) get the same bytes.
        setattr(request, "_body", body)  # noqa: B010
    if len(body) > limit:
        raise TooLargeError(limit)
    return body


def json_path(path: Sequence[str | int]) -> str:
    """`path` as a JSONPath (RFC 9535): `$.entry[3].resource`."""
    return "$" + "".join(_step(part) for part in path)


def fhir_path(root: str, path: Sequence[str | int]) -> str:
    """`path` as a FHIRPath under the resource type `root`: `Bundle.entry[3].resource.id`."""
    return root + "".join(_step(part) for part in path)


def _step(part: str | int) -> str:
    if isinstance(part, int):
        return f"[{part}]"
    return f".{part}" if _NAME.fullmatch(part) else f"[{json.dumps(part)}]"


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPES = re.compile(r"\\u(?:[dD][89a-fA-F]|0000)")
"""Only an escape can put a surrogate or a NUL in a string parsed from UTF-8 (JSON forbids a
raw NUL, UTF-8 a raw surrogate), so the strings are checked only when the text holds one: the
common document costs nothing."""
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Duplicated(dict[str, Any]):
    """An object whose `key` appeared twice; found by `_check`, which knows where it is."""

    key: str


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) == len(pairs):
        return value
    marked = _Duplicated(value)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            marked.key = key
            break
        seen.add(key)
    return marked


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _reason(exc: ValueError) -> str:
    if "digits" in str(exc):
        return "a number has more than 4300 digits"
    return str(exc)


def _check(value: Any, *, stored_strings: bool) -> None:
    """Refuse nesting deeper than MAX_DEPTH, a duplicated key, and (if `stored_strings`) a
    string no database stores. Walked a level at a time over containers only, keeping no
    paths (a 32 MiB bundle has a million values): only a fault found, or a string to check,
    walks the document again to say where."""
    level: list[Any] = [value] if isinstance(value, dict | list) else []
    depth, duplicated = 0, False
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise TooDeepError(f"it is nested deeper than {MAX_DEPTH} levels")
        below: list[Any] = []
        for item in level:
            if type(item) is list:
                below.extend([c for c in item if isinstance(c, dict | list)])
            else:
                duplicated = duplicated or type(item) is _Duplicated
                below.extend([c for c in item.values() if isinstance(c, dict | list)])
        level = below
    if duplicated or stored_strings:
        _explain(value, stored_strings)


def _explain(value: Any, stored_strings: bool) -> None:
    """Raise the error for the first fault in document order, naming where it is."""
    kind = value.get("resourceType") if isinstance(value, dict) else None
    for item, path in _walk(value):
        if isinstance(item, _Duplicated):
            raise DuplicateKeyError(item.key, path, kind if isinstance(kind, str) else None)
        if stored_strings:
            for text in item if isinstance(item, dict) else (item,):
                if isinstance(text, str):
                    _storable(text, path)


def _walk(value: Any) -> Iterator[tuple[Any, Path]]:
    stack: list[tuple[Any, Path]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        yield item, path
        if isinstance(item, dict):
            stack.extend((v, (*path, k)) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((v, (*path, n)) for n, v in reversed(list(enumerate(item))))


def _storable(text: str, path: Path) -> None:
    if "\x00" in text:
        raise NotJsonError(f"a string at {json_path(path)} holds a NUL character (\\u0000)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotJsonError(
            f"a string at {json_path(path)} holds half of a UTF-16 surrogate pair"
        ) from None


def _size(limit: int) -> str:
    if limit >= MIB and limit % MIB == 0:
        return f"{limit // MIB} MiB"
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024} KiB"
    return f"{limit} bytes"
