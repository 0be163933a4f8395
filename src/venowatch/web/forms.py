"""Forms for the pages; they check shape and wording, the services check meaning."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from venowatch.protocol import Pgic
from venowatch.services.care.pgic import PGIC_LABELS


def save_anyway() -> forms.BooleanField:
    """The box a form shows once its record looked like a repeat of one already stored."""
    return forms.BooleanField(label=_("Save anyway: this is another one"), required=False)


class CheckInForm(forms.Form):
    pgic = forms.ChoiceField(
        label=_("Compared with just before your most recent procedure, how do you feel overall?"),
        choices=[(p.value, PGIC_LABELS[p]) for p in Pgic],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you feel compared with before the procedure.")},
    )
    symptoms_returned = forms.BooleanField(
        label=_("Have the symptoms you had before the procedure come back?"), required=False
    )
    note = forms.CharField(
        label=_("Anything else? (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm_duplicate = save_anyway()

    def __init__(self, *args: Any, symptoms: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.symptom_names = symptoms
        for i, name in enumerate(symptoms):
            self.fields[f"symptom_{i}"] = forms.IntegerField(
                label=_("%(symptom)s, 0 (none) to 10 (worst) — optional")
                % {"symptom": _(name).capitalize()},  # the default symptoms are in the catalogs
                required=False,
                min_value=0,
                max_value=10,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def symptom_ratings(self) -> dict[str, int]:
        ratings = {}
        for i, name in enumerate(self.symptom_names):
            value = self.cleaned_data.get(f"symptom_{i}")
            if value is not None:
                ratings[name] = value
        return ratings
