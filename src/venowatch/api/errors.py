"""Every refusal has the same shape as a validation error: {"detail": [{"loc", "msg"}]}, so a
client reads one kind of body whatever went wrong.

One convention for `loc` (docs/api.md, "Errors"): the part of the request at fault ("path",
"query", "header" or "body"), then the parameter's or header's name, or for the body the keys
and list indices leading to the value in the JSON as sent; `[]` when the request as a whole is
refused (a method not served, a server error)."""

from __future__ import annotations

from typing import Any

from venowatch.api.schemas import Problem


class ApiError(Exception):
    def __init__(self, status: int, message: str, *loc: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.loc = list(loc)


def problem(message: str, *loc: str | int) -> dict[str, Any]:
    return {"detail": [{"loc": list(loc), "msg": message}]}


def not_found(param: str | None = "pk") -> ApiError:
    """No record at the id the path's `param` gives (None: the list itself, for a role that
    has none). Whether the record exists, or is out of reach, is not for this user to learn."""
    loc = ("path", param) if param else ()
    return ApiError(404, "no such record within your reach", *loc)


def body_loc(loc: tuple[Any, ...], single: str | None) -> list[Any]:
    """ninja's `loc` of a body error without the handler's own name for the body: a handler
    reading the whole body as one schema (`payload: CheckInIn`) reports `["body", "payload",
    "pgic"]`, where the client sent `{"pgic": ...}` and reads `["body", "pgic"]`."""
    if len(loc) >= 2 and loc[0] == "body" and single is not None and loc[1] == single:
        return ["body", *loc[2:]]
    return list(loc)


READ_ERRORS: dict[int, type[Problem]] = {401: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, type[Problem]] = {**READ_ERRORS, 400: Problem, 403: Problem, 413: Problem}
