"""The one error type services raise for input they refuse.

Plain exception classes, not dataclasses: a slotted dataclass is a copy of the class it was
written as, and an exception of it passing through a generator-based context manager made
`super()` fail there (a TypeError in place of the refusal)."""

from __future__ import annotations


class FieldError(Exception):
    """Input a service refuses, and why; `field` names the field at fault, as the caller's
    input names it. Every edge turns it into its own form: an inline error on the web, a 422
    with `loc` in the API, an OperationOutcome with `expression` under FHIR, exit 2 in the CLI."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class DuplicateRecordError(FieldError):
    """A record like one already stored (the same kind within a minute): stored only if the
    caller confirms it is another one. `field` is the confirmation's name; an edge that does
    not know this error still refuses it as a FieldError. `existing` is the stored record's id."""

    def __init__(self, field: str, message: str, existing: int = 0) -> None:
        super().__init__(field, message)
        self.existing = existing
