"""Forms for the pages; they check shape and wording, the services check meaning."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from venowatch.protocol import Pgic
from venowatch.services.care.missed_checkins import instant as missed_instant
from venowatch.services.care.pgic import PGIC_LABELS


def save_anyway() -> forms.BooleanField:
    """The box a form shows once its record looked like a repeat of one already stored."""
    return forms.BooleanField(label=_("Save anyway: this is another one"), required=False)


NOTE_LIMIT = 4000
"""The note's length in characters (CheckIn.note's column). The box does not cut at it, which
would lose words silently: a counter says what is left, and the server refuses more."""

NOW = "now"


class CheckInForm(forms.Form):
    pgic = forms.ChoiceField(
        label=_("Compared with just before your most recent procedure, how do you feel overall?"),
        choices=[(p.value, PGIC_LABELS[p]) for p in Pgic],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how you feel compared with before the procedure."),
            "invalid_choice": _("Choose one of the answers offered."),
        },
    )
    symptoms_returned = forms.BooleanField(
        label=_("Have the symptoms you had before the procedure come back?"), required=False
    )
    note = forms.CharField(
        label=_("Anything else? (optional)"),
        help_text=_("Up to %(limit)s characters.")
        % {"limit": number_format(NOTE_LIMIT, force_grouping=True)},
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-limit": NOTE_LIMIT}),
    )
    when = forms.ChoiceField(
        label=_("When did you feel like this?"),
        widget=forms.RadioSelect,
        initial=NOW,
        required=False,  # not answered: now
        error_messages={"invalid_choice": _("Choose now, or one of the days offered.")},
    )
    at = forms.TimeField(
        label=_("Time of the missed check-in"),
        help_text=_("Only for earlier today or an earlier day, for example 14:30."),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Give the time as hours and minutes, for example 14:30.")},
    )
    confirm_duplicate = save_anyway()

    def __init__(
        self, *args: Any, symptoms: list[str], days: Sequence[date], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Made here, not on the class, so that it is in the language of the request.
        limit = {"limit": _count(NOTE_LIMIT)}
        self.fields["note"].help_text = _("Up to %(limit)s characters.") % limit
        self.days = list(days)
        when = self.fields["when"]
        assert isinstance(when, forms.ChoiceField)
        when.choices = [(NOW, _("Now")), *((str(i), _day_label(i, d)) for i, d in enumerate(days))]
        self.symptom_names = symptoms
        for i, name in enumerate(symptoms):
            # The default symptoms are in the catalogs (web/protocol_words.py).
            symptom = {"symptom": _(name).capitalize()}
            wrong = _("Choose a rating from 0 to 10 for %(symptom)s.") % symptom
            self.fields[f"symptom_{i}"] = forms.IntegerField(
                label=_("%(symptom)s, 0 (none) to 10 (worst) — optional") % symptom,
                required=False,
                min_value=0,
                max_value=10,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                error_messages={"invalid": wrong, "min_value": wrong, "max_value": wrong},
            )

    def clean_note(self) -> str:
        # A browser sends a new line as two characters but counts it, as the counter does, as
        # one: so does the limit, and the note is stored with plain new lines.
        note: str = self.cleaned_data["note"].replace("\r\n", "\n")
        if len(note) > NOTE_LIMIT:
            raise forms.ValidationError(
                _("Your note has %(length)s characters; a note can have up to %(limit)s. Shorten "
                  "it by %(over)s, or say the rest to your advocate.") % {
                    "length": _count(len(note)),
                    "limit": _count(NOTE_LIMIT),
                    "over": _count(len(note) - NOTE_LIMIT),
                }
            )  # fmt: skip
        return note

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("when") not in (None, "", NOW)
            and cleaned.get("at") is None
            and not self.has_error("at")
        ):
            self.add_error("at", _("Give the time of the missed check-in, for example 14:30."))
        return cleaned

    def instant(self, zone: ZoneInfo, now: datetime) -> datetime:
        """When the patient felt this: now, or the time given on the day chosen."""
        when = self.cleaned_data["when"]
        if when in ("", NOW):
            return now
        return missed_instant(self.days[int(when)], self.cleaned_data["at"], zone)

    @property
    def symptom_errors(self) -> bool:
        """Whether a rating has an error: its section, folded otherwise, opens to show it."""
        return any(self.has_error(f"symptom_{i}") for i in range(len(self.symptom_names)))

    def symptom_ratings(self) -> dict[str, int]:
        ratings = {}
        for i, name in enumerate(self.symptom_names):
            value = self.cleaned_data.get(f"symptom_{i}")
            if value is not None:
                ratings[name] = value
        return ratings


def _day_label(days_ago: int, day: date) -> str:
    if days_ago == 0:
        return str(_("Earlier today"))
    if days_ago == 1:
        return str(_("Yesterday, %(day)s") % {"day": date_format(day, "l j F")})
    return date_format(day, "l j F")


def _count(n: int) -> str:
    """A count as the page's language writes it (4,000 in English)."""
    return number_format(n, force_grouping=True)
