"""Form fields for values people pick from a list rather than type: a time zone, and the
symptoms a patient tracks. Shared by the admin and the staff's enrolment page, so that neither
edits a zone as free text or the symptoms as JSON."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.models.clinics import default_symptoms

COMMON_SYMPTOMS = (
    *default_symptoms(),
    "balance",
    "bladder",
    "numbness",
    "pain",
    "sleep",
    "heat intolerance",
    "headache",
    "speech",
)
"""What the clinics' patients most often follow; the clinic's defaults first."""
MAX_SYMPTOMS = 12
SYMPTOM_LENGTH = 40


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA zone this machine knows, sorted; the old aliases (US/..., Etc/...) left out
    so the list reads as places."""
    names = (z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "US/")))
    return tuple(sorted({*names, "UTC"}))


def time_zone_choices() -> list[tuple[str, str]]:
    return [(z, z.replace("_", " ")) for z in time_zones()]


class TimeZoneField(forms.ChoiceField):
    """A time zone from the list; its default is the clinic's, set by the form."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault(
            "error_messages", {"invalid_choice": _("Choose a time zone from the list.")}
        )
        super().__init__(choices=time_zone_choices, **kwargs)

    def include(self, current: str) -> None:
        """Offer a stored zone the list leaves out (an alias such as US/Eastern), so that
        opening a form and saving it never moves anyone to another zone."""
        if current and current not in time_zones() and current in available_timezones():
            self.choices = [(current, current.replace("_", " ")), *time_zone_choices()]


class SymptomsField(forms.MultipleChoiceField):
    """The symptoms to rate at each check-in, ticked from a list (the common ones and whatever
    the patient already tracks); `other`, a second field beside it, adds names not listed."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Symptoms to rate at each check-in"))
        kwargs.setdefault("required", False)
        super().__init__(choices=symptom_choices(()), **kwargs)

    def include(self, current: Iterable[str]) -> None:
        """Offer the symptoms already tracked too, so editing never drops one silently."""
        self.choices = symptom_choices(current)


def symptom_choices(current: Iterable[str]) -> list[tuple[str, str]]:
    names = list(dict.fromkeys([*COMMON_SYMPTOMS, *current]))
    return [(n, n.capitalize()) for n in names]


def other_symptoms_field() -> forms.CharField:
    return forms.CharField(
        label=_("Other symptoms (optional)"),
        required=False,
        max_length=MAX_SYMPTOMS * (SYMPTOM_LENGTH + 2),
        help_text=_("Names not in the list, separated by commas, e.g. tremor, hearing."),
    )


def symptom_list(ticked: Iterable[str], other: str) -> list[str]:
    """The ticked symptoms and the other ones typed, in that order, each once, lower case;
    ValidationError if a name is too long or there are too many."""
    typed = [s.strip().lower() for s in other.split(",") if s.strip()]
    names = list(dict.fromkeys([*ticked, *typed]))
    long = [n for n in names if len(n) > SYMPTOM_LENGTH]
    if long:
        raise ValidationError(
            _("“%(name)s” is longer than %(n)d letters; use a shorter name."),
            params={"name": long[0], "n": SYMPTOM_LENGTH},
        )
    if len(names) > MAX_SYMPTOMS:
        raise ValidationError(
            _("Choose at most %(n)d symptoms: each is rated at every check-in."),
            params={"n": MAX_SYMPTOMS},
        )
    return names
