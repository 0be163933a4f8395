"""The admin's patient form: the time zone from a list, the tracked symptoms as boxes to tick
(and names to add), never a free-text zone or raw JSON."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from venowatch.clinic import models
from venowatch.clinic.list_fields import (
    SymptomsField,
    TimeZoneField,
    other_symptoms_field,
    symptom_list,
)


class PatientForm(forms.ModelForm[models.Patient]):
    time_zone = TimeZoneField()
    tracked_symptoms = SymptomsField()
    other_symptoms = other_symptoms_field()

    class Meta:
        model = models.Patient
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = self.fields["time_zone"]
        assert isinstance(zone, TimeZoneField)
        zone.include(self.instance.time_zone if self.instance.pk else "")
        field = self.fields["tracked_symptoms"]
        assert isinstance(field, SymptomsField)
        current = self.instance.tracked_symptoms if self.instance.pk else []
        field.include(current or [])
        if not self.instance.pk:
            field.initial = models.default_symptoms()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["tracked_symptoms"] = symptom_list(
                data.get("tracked_symptoms") or [], data.get("other_symptoms", "")
            )
        except ValidationError as exc:
            self.add_error("other_symptoms", exc)
        return data
