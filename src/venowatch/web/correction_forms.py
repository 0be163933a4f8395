"""Forms for voiding and correcting a record on the staff pages: a reason is always asked for."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from venowatch.protocol import Pgic
from venowatch.services.care.pgic import PGIC_LABELS
from venowatch.web.forms import save_anyway
from venowatch.web.staff_forms import LabForm, LocalDateTimeField, ProcedureForm, ZonedForm


def _reason(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the record is wrong.")},
    )


class VoidForm(forms.Form):
    reason = _reason(_("Why should this record no longer count?"))


class ProcedureFixForm(ProcedureForm):
    reason = _reason(_("What was wrong with the record?"))


class LabFixForm(LabForm):
    reason = _reason(_("What was wrong with the record?"))


class CheckInFixForm(ZonedForm):
    """A check-in as the patient meant it (told to staff); the ratings are kept as given."""

    at = LocalDateTimeField(
        label=_("Date and time of the check-in"),
        error_messages={"required": _("Enter the date and time of the check-in.")},
    )
    pgic = forms.ChoiceField(
        label=_("Compared with just before the procedure, overall"),
        choices=[(p.value, PGIC_LABELS[p]) for p in Pgic],
        error_messages={"required": _("Choose how the patient felt.")},
    )
    symptoms_returned = forms.BooleanField(
        label=_("The symptoms from before the procedure had come back"), required=False
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = _reason(_("What was wrong with the record?"))
    confirm_duplicate = save_anyway()
