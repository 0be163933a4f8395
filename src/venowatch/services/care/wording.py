"""The engine's reasons written out in the reader's language, in the patient's time zone.

The pages and the API share it. A reason carries its two wordings as messages
(venowatch.protocol.message); here each template goes through the active language's catalog
and each date through Django's calendar, so month and weekday names come from Django's own
translations. Staff dates are stamps, the same in every
language. A reason stored before messages were kept has only its English text (see
message_json.reason_from_json), which is shown as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, ngettext, pgettext

from venowatch.protocol import Reason
from venowatch.protocol.message import Audience, render, stamp

_KEYS = {Audience.PATIENT: ("message", "text"), Audience.STAFF: ("staff_message", "staff")}


class _Active:
    """The active language (see message.Language), for one audience and time zone."""

    def __init__(self, audience: Audience, zone: tzinfo) -> None:
        self.patient = audience is Audience.PATIENT
        self.zone = zone

    @staticmethod
    def text(template: str) -> str:
        return gettext(template)

    @staticmethod
    def counted(singular: str, plural: str, count: int) -> str:
        return ngettext(singular, plural, count)

    def instant(self, t: datetime) -> str:
        if not self.patient:
            return stamp(t, self.zone)
        # Translators: a date and time as a patient reads it, in Django's date format syntax
        # (https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date); escape
        # letters that are words with a backslash. English: "Monday 12 January 2026 at 10:00".
        layout = pgettext("date and time in a sentence", "l j F Y \\a\\t H:i")
        return date_format(t.astimezone(self.zone), layout)

    @staticmethod
    def number(value: int) -> str:
        return number_format(value)

    @staticmethod
    def tenths(tenths: int) -> str:
        return number_format(Decimal(tenths).scaleb(-1), decimal_pos=1)


def reason_text(reason: Reason, audience: Audience, zone: tzinfo) -> str:
    """One reason of a standing in the active language."""
    message = reason.patient_message if audience is Audience.PATIENT else reason.staff_message
    return render(message, _Active(audience, zone))


def rationale(reasons: Iterable[Reason], audience: Audience, zone: tzinfo) -> list[dict[str, Any]]:
    """The reasons as pages show them: the clause and the text."""
    return [
        {
            "clause": None if r.clause is None else r.clause.value,
            "text": reason_text(r, audience, zone),
        }
        for r in reasons
    ]
