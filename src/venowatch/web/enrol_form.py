"""The enrolment page's own form: who the patient is, where they live (time zone), what they
track and who their advocate is. Contact details are the staff page's ContactForm and the
first procedure its ProcedureForm, so the page asks the same questions in the same words."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.list_fields import (
    SymptomsField,
    TimeZoneField,
    other_symptoms_field,
    symptom_list,
)
from venowatch.clinic.models.clinics import default_symptoms
from venowatch.web.staff_forms import Choices


class EnrolForm(forms.Form):
    name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        error_messages={"required": _("Enter the patient's name.")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The invitation to choose a password goes here; it is also their username."),
        error_messages={
            "required": _("Enter the patient's email address: the invitation is sent there."),
            "invalid": _("Enter an email address like name@example.org."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    time_zone = TimeZoneField(
        help_text=_("Where the patient lives: reminders and times on their pages follow it.")
    )
    symptoms = SymptomsField()
    other_symptoms = other_symptoms_field()
    advocate = forms.ChoiceField(label=_("Patient advocate"), required=False)
    with_procedure = forms.BooleanField(
        label=_("Also record the first procedure now"), required=False
    )

    def __init__(self, *args: Any, advocates: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        advocate = self.fields["advocate"]
        assert isinstance(advocate, forms.ChoiceField)
        advocate.choices = [("", _("Nobody yet")), *advocates]
        self.fields["symptoms"].initial = default_symptoms()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["symptom_list"] = symptom_list(
                data.get("symptoms", []), data.get("other_symptoms", "")
            )
        except ValidationError as exc:
            self.add_error("other_symptoms", exc)
            return data
        if not data["symptom_list"] and "symptoms" not in self.errors:
            self.add_error("symptoms", _("Choose at least one symptom to rate at each check-in."))
        return data
