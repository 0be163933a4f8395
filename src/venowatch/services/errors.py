"""The one error type services raise for input they refuse."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError(Exception):
    """Input a service refuses, and why; `field` names the field at fault, as the caller's
    input names it. Every edge turns it into its own form: an inline error on the web, a 422
    with `loc` in the API, an OperationOutcome with `expression` under FHIR, exit 2 in the CLI."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class DuplicateRecordError(FieldError):
    """A record like one already stored (the same kind within a minute): stored only if the
    caller confirms it is another one. `field` is the confirmation's name; an edge that does
    not know this error still refuses it as a FieldError. `existing` is the stored record's id."""

    existing: int = 0
