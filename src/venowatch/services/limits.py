"""Every string a service stores is checked against its column before it reaches the database.

SQLite stores a 300-character name in a column declared 200 wide, PostgreSQL refuses it with a
DataError (a 500); PostgreSQL refuses a NUL character in text, SQLite keeps it. Checked here,
both answer the same: a FieldError naming the field, which every edge already turns into its
own refusal. The limits are read from the models, so a column widened in a migration is
widened here too."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models

from venowatch.services.errors import FieldError


def max_length(model: type[models.Model], attr: str) -> int | None:
    """The declared length of `model.attr`'s column (None: unbounded)."""
    field = model._meta.get_field(attr)
    limit = getattr(field, "max_length", None)
    return limit if isinstance(limit, int) else None


def check_length(model: type[models.Model], attr: str, value: object, field: str = "") -> None:
    """Refuse `value` for `model.attr` if it is a string longer than the column or holding a
    NUL; `field` names it as the caller's input does (default: `attr`)."""
    if not isinstance(value, str):
        return
    name = field or attr
    limit = max_length(model, attr)
    if limit is not None and len(value) > limit:
        raise FieldError(name, f"is {len(value)} characters long; at most {limit} are kept")
    if "\x00" in value:
        raise FieldError(name, "holds a NUL character (\\u0000), which cannot be stored")


def check_lengths(
    model: type[models.Model],
    values: Mapping[str, object],
    names: Mapping[str, str] | None = None,
    prefix: str = "",
) -> None:
    """`check_length` for each attribute of `values`; `names` maps an attribute to the name the
    caller's input gives it, `prefix` goes before each (an entry's place in a list)."""
    for attr, value in values.items():
        check_length(model, attr, value, prefix + (names or {}).get(attr, attr))
