"""Finding a patient: by name (case- and accent-insensitive, any part of it), by an
identifier another system gives them (an MRN, say) or by phone, in one function for the
worklist and the API, so that each way of finding someone is one more clause here.

Names are compared folded: lower case, accents taken off letter by letter with one table, in
Python for the query and in SQL for the column (SQLite: the same Python function registered on
the connection; PostgreSQL: lower() and translate() with the same table), so both backends
find the same patients without an extension or a stored copy of the name."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.models import CharField, F, Func, Q, QuerySet
from django.db.models.expressions import Expression

from venowatch.clinic.models import Patient, PatientIdentifier, PatientPhone

MAX_QUERY = 100
"""The longest search text accepted (longer is bad input, named on the field)."""

MIN_PHONE_DIGITS = 4
"""Fewer digits than this would find half the clinic; the last four of a number are enough."""


def _plain(char: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if len(base) == 1 else char


# Latin letters with accents (Latin-1 Supplement and Latin Extended-A), each to its plain
# letter: one character to one, so that SQL's translate() applies the same table. Letters
# with a stroke do not decompose; they are listed by hand.
_LOWER = {chr(n).lower() for n in range(0xC0, 0x180)}
_DECOMPOSED = sorted(c for c in _LOWER if len(c) == 1 and c.isalpha() and _plain(c) != c)
_ACCENTED = "".join(_DECOMPOSED) + "łøđħı"
_PLAIN = "".join(_plain(c) for c in _DECOMPOSED) + "lodhi"
_TABLE = str.maketrans(_ACCENTED, _PLAIN)
_SQLITE_FOLD = "venowatch_fold"


def fold(text: str) -> str:
    """`text` as names are compared: lower case, accents off."""
    return text.lower().translate(_TABLE)


class Folded(Func):
    """fold() of a text column, in SQL."""

    function = "LOWER"  # other backends: case only
    output_field = CharField()

    def __init__(self, expression: Any) -> None:
        super().__init__(F(expression) if isinstance(expression, str) else expression)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        connection.ensure_connection()
        connection.connection.create_function(_SQLITE_FOLD, 1, _fold_or_null, deterministic=True)
        return self.as_sql(compiler, connection, function=_SQLITE_FOLD, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"translate(lower({sql}), %s, %s)", (*params, _ACCENTED, _PLAIN)


def _fold_or_null(text: str | None) -> str | None:
    return None if text is None else fold(text)


def matching(rows: QuerySet[Patient], text: str) -> QuerySet[Patient]:
    """The patients of `rows` that `text` finds, in the order of `rows`; all of them if
    `text` is blank. Name: any part, folded. Identifier: its whole value, any case. Phone:
    the digits typed, however written ("(617) 555-0100"), within a stored E.164 number."""
    wanted = " ".join(text.split())
    if not wanted:
        return rows
    by_identifier = PatientIdentifier.objects.filter(value__iexact=wanted).values("patient_id")
    found = Q(folded_name__contains=fold(wanted)) | Q(pk__in=by_identifier)
    digits = "".join(c for c in wanted if c.isdigit())
    if len(digits) >= MIN_PHONE_DIGITS and not set(wanted) - set("0123456789+-(). "):
        by_phone = PatientPhone.objects.filter(number__contains=digits).values("patient_id")
        found |= Q(pk__in=by_phone)
    return rows.alias(folded_name=_folded_name()).filter(found)


def _folded_name() -> Expression:
    return Folded("name")
