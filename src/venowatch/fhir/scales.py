"""QuestionnaireResponses of another system's PGIC questionnaire, read through the mapping a
clinic sets (clinic.PgicScale): which item holds the answer, and which answer, by its code or
its ordinal value, is which of venowatch's seven."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
)

from venowatch.fhir import codes
from venowatch.fhir.parts import UnreadableError, instant
from venowatch.protocol import CheckIn, Pgic

_ANSWERED = frozenset({"completed", "amended"})


@dataclass(frozen=True, slots=True)
class Scale:
    """One questionnaire's mapping: its answer's linkId, and its answers by code and by
    ordinal value."""

    link_id: str
    by_code: Mapping[str, Pgic] = field(default_factory=dict)
    by_ordinal: Mapping[Decimal, Pgic] = field(default_factory=dict)


Scales = Mapping[str, Scale]
"""Scales by the questionnaire's canonical URL (without a |version)."""


def checkin_of(r: QuestionnaireResponse, url: str, scale: Scale) -> CheckIn:
    """The check-in a response to the mapped questionnaire `url` records: its impression of
    change only (another form's symptom questions are not venowatch's ratings)."""
    if r.status not in _ANSWERED:
        raise UnreadableError(
            f"QuestionnaireResponse.status is {r.status!r}; only a completed one counts"
        )
    item = next((i for i in _items(r.item or ()) if i.linkId == scale.link_id), None)
    if item is None or not item.answer:
        raise UnreadableError(
            f"QuestionnaireResponse.item with linkId {scale.link_id!r} (where this clinic's "
            f"mapping of {url} says the answer is) is missing or unanswered"
        )
    answer = item.answer[0]
    pgic = _mapped(answer, scale)
    if pgic is None:
        raise UnreadableError(
            f"QuestionnaireResponse.item {scale.link_id!r} answers {_shown(answer)}, which "
            f"this clinic's mapping of {url} does not list"
        )
    return CheckIn(instant(r.authored, "QuestionnaireResponse.authored"), pgic)


def _items(items: Any) -> Iterator[QuestionnaireResponseItem]:
    for i in items:
        yield i
        yield from _items(i.item or ())
        for a in i.answer or ():
            yield from _items(a.item or ())


def _mapped(answer: Any, scale: Scale) -> Pgic | None:
    coding = answer.valueCoding
    if coding is not None:
        if coding.code in scale.by_code:
            return scale.by_code[coding.code]
        ordinal = next(
            (e.valueDecimal for e in coding.extension or () if e.url == codes.ORDINAL_VALUE),
            None,
        )
        return scale.by_ordinal.get(Decimal(str(ordinal))) if ordinal is not None else None
    value = answer.valueInteger if answer.valueInteger is not None else answer.valueDecimal
    return scale.by_ordinal.get(Decimal(str(value))) if value is not None else None


def _shown(answer: Any) -> str:
    if answer.valueCoding is not None:
        return f"the code {answer.valueCoding.code!r}"
    value = answer.valueInteger if answer.valueInteger is not None else answer.valueDecimal
    return f"the value {value}" if value is not None else "no code or value"
