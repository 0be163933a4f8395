"""Every refusal has the same shape as a validation error: {"detail": [{"loc", "msg"}]}, so a
client reads one kind of body whatever went wrong."""

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


def not_found() -> ApiError:
    # Whether the record exists, or is out of reach, is not for this user to learn.
    return ApiError(404, "no such record within your reach")


READ_ERRORS: dict[int, type[Problem]] = {401: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, type[Problem]] = {**READ_ERRORS, 400: Problem, 403: Problem, 413: Problem}
