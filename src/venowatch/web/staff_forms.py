"""Forms for the staff pages; they check shape and wording, the services check meaning.

Choices of people (IR, assignee, advocate) are passed in as plain lists, built from one query
per page, so rendering any number of forms never queries the database again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from venowatch.clinic.models import CallOutcome, Resolution
from venowatch.protocol import Flag, LabKind, LabResult, Pathway, ProcedureKind, Urgency
from venowatch.services.care.records import EARLIEST_YEAR
from venowatch.services.care.search import MAX_QUERY
from venowatch.services.care.worklist import NO_ADVOCATE
from venowatch.web.forms import save_anyway

Choices = Sequence[tuple[str, str]]

PROCEDURE_LABELS = {
    ProcedureKind.VENOPLASTY: _("Venoplasty"),
    ProcedureKind.STENT: _("Stent"),
}
LAB_LABELS = {LabKind.BLOOD: _("Blood test"), LabKind.URINE: _("Urine test")}
RESULT_LABELS = {LabResult.NORMAL: _("Normal"), LabResult.ABNORMAL: _("Abnormal")}
URGENCY_LABELS = {
    Urgency.EMERGENCY: _("Emergency"),
    Urgency.URGENT: _("Urgent"),
    Urgency.ATTENTION: _("Needs attention"),
    Urgency.ROUTINE: _("Routine"),
    Urgency.NONE: _("Nothing to do"),
}
FLAG_LABELS = {
    Flag.CHECKIN_OVERDUE: _("Check-in overdue"),
    Flag.STENT_CONSIDERATION: _("Consider a stent"),
}
RESOLUTIONS = [(r.value, r.label) for r in Resolution]
CALL_OUTCOMES = [(c.value, c.label) for c in CallOutcome]
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")


class LocalDateTimeField(forms.Field):
    """A date and time typed as the patient's wall clock (a datetime-local input), returned as
    an aware datetime in the patient's zone. The zone is set by the form that owns it."""

    default_error_messages: ClassVar[dict[str, Any]] = {
        "invalid": _("Enter a date and time like 2026-03-01T09:30."),
        "too_old": _("Enter a date after %(year)s."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        )
        super().__init__(**kwargs)
        self.zone: tzinfo | None = None

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        naive = value.replace(tzinfo=None) if isinstance(value, datetime) else _parse(str(value))
        if naive is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if naive.year < EARLIEST_YEAR:
            raise ValidationError(
                self.error_messages["too_old"], code="too_old", params={"year": EARLIEST_YEAR}
            )
        if self.zone is None:
            raise ValueError("LocalDateTimeField used without a time zone")
        return naive.replace(tzinfo=self.zone)


def _parse(text: str) -> datetime | None:
    text = text.strip()
    for fmt in DATETIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


class ZonedForm(forms.Form):
    """A form whose LocalDateTimeFields read times in the given zone (the patient's)."""

    def __init__(self, *args: Any, zone: tzinfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, LocalDateTimeField):
                field.zone = zone


def _choices(labels: dict[Any, Any]) -> list[tuple[str, Any]]:
    return [(member.value, label) for member, label in labels.items()]


class ProcedureForm(ZonedForm):
    kind = forms.ChoiceField(
        label=_("Procedure"),
        choices=_choices(PROCEDURE_LABELS),
        error_messages={"required": _("Choose the kind of procedure.")},
    )
    veins = forms.CharField(
        label=_("Veins treated (optional)"),
        help_text=_("Separate veins with commas, e.g. left internal jugular, azygos."),
        required=False,
        max_length=1000,
    )
    performed_at = LocalDateTimeField(
        label=_("Date and time of the procedure"),
        error_messages={"required": _("Enter the date and time of the procedure.")},
    )
    performed_by = forms.ChoiceField(label=_("Interventional radiologist"), required=False)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm_duplicate = save_anyway()

    def __init__(self, *args: Any, clinicians: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["performed_by"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Not recorded")), *clinicians]

    def vein_list(self) -> list[str]:
        return [v.strip() for v in self.cleaned_data["veins"].split(",") if v.strip()]


class LabForm(ZonedForm):
    kind = forms.ChoiceField(
        label=_("Test"),
        choices=_choices(LAB_LABELS),
        error_messages={"required": _("Choose blood or urine test.")},
    )
    result = forms.ChoiceField(
        label=_("Result"),
        choices=_choices(RESULT_LABELS),
        error_messages={"required": _("Choose normal or abnormal.")},
    )
    finding = forms.CharField(
        label=_("Finding"),
        help_text=_("Needed for an abnormal result: what was found, e.g. urinary tract infection."),
        required=False,
        max_length=4000,
    )
    at = LocalDateTimeField(
        label=_("Date and time the sample was taken"),
        error_messages={"required": _("Enter the date and time the sample was taken.")},
    )
    confirm_duplicate = save_anyway()


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the note before saving it.")},
    )


class TaskForm(forms.Form):
    """One form per task (prefix task-<pk>); the button pressed says what to do. An emergency
    task also records calls tried, and is resolved only with an outcome."""

    ACKNOWLEDGE = "acknowledge"
    ASSIGN = "assign"
    RESOLVE = "resolve"
    CALL = "call"

    action = forms.ChoiceField(
        choices=[(a, a) for a in (ACKNOWLEDGE, ASSIGN, RESOLVE, CALL)],
        error_messages={"required": _("Choose what to do with the task.")},
    )
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    resolution = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("Choose the outcome")), *RESOLUTIONS]
    )
    note = forms.CharField(
        label=_("How was it resolved?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    call_outcome = forms.ChoiceField(
        label=_("Call result"),
        required=False,
        choices=[("", _("Choose the result")), *CALL_OUTCOMES],
    )
    call_note = forms.CharField(
        label=_("Note on the call"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        staff: Choices,
        emergency: bool = False,
        calls: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.emergency, self.calls = emergency, calls or emergency
        field = self.fields["assignee"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose a person")), *staff]
        if not emergency:
            del self.fields["resolution"]
        if not self.calls:
            del self.fields["call_outcome"], self.fields["call_note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == self.ASSIGN and not data.get("assignee"):
            self.add_error("assignee", _("Choose who should do this task."))
        if action == self.RESOLVE and not data.get("note", "").strip():
            self.add_error("note", _("Say how the task was resolved."))
        if action == self.RESOLVE and self.emergency and not data.get("resolution"):
            self.add_error("resolution", _("Choose how the possible clot ended."))
        if action == self.CALL and not self.calls:
            self.add_error("action", _("Calls are recorded on tasks to call the patient."))
        if action == self.CALL and self.calls and not data.get("call_outcome"):
            self.add_error("call_outcome", _("Choose what happened on the call."))
        return data


class AsOfForm(ZonedForm):
    as_of = LocalDateTimeField(
        label=_("Show the assessment as of"),
        help_text=_("A past date and time, in the patient's time zone."),
        required=False,
    )

    def __init__(self, *args: Any, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    def clean_as_of(self) -> datetime | None:
        value: datetime | None = self.cleaned_data.get("as_of")
        if value is not None and value > self.now:
            raise ValidationError(
                _("That is in the future; choose a past date and time."), code="future"
            )
        return value


class WorklistFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Find a patient"),
        required=False,
        max_length=MAX_QUERY,
        help_text=_("Any part of the name, an identifier such as the MRN, or a phone number."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    pathway = forms.ChoiceField(label=_("Pathway"), required=False)
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[("", _("Any urgency")), *_choices(URGENCY_LABELS)],
    )
    overdue = forms.BooleanField(label=_("Only overdue check-ins"), required=False)
    advocate = forms.ChoiceField(label=_("Patient advocate"), required=False)

    def __init__(
        self,
        *args: Any,
        pathways: Choices,
        advocates: Choices,
        unassigned: bool = True,
        **kwargs: Any,
    ) -> None:
        """`advocates`: those whose patients the user's list holds; `unassigned`: whether it
        holds patients without one. A filter with one choice filters nothing: the page leaves
        it out (`offers_advocate`), unless a link asked for another one."""
        super().__init__(*args, **kwargs)
        pathway = self.fields["pathway"]
        assert isinstance(pathway, forms.ChoiceField)
        pathway.choices = [("", _("Any pathway")), *pathways]
        advocate = self.fields["advocate"]
        assert isinstance(advocate, forms.ChoiceField)
        nobody = [(NO_ADVOCATE, _("No advocate assigned"))] if unassigned else []
        advocate.choices = [("", _("Any advocate")), *advocates, *nobody]
        advocate.error_messages["invalid_choice"] = _(
            "Choose an advocate from the list: only those with patients in your list are there."
        )
        self.offers_advocate = len(advocates) + len(nobody) >= 2


def pathway_choices(titles: dict[Pathway, str]) -> list[tuple[str, str]]:
    return [(p.value, titles[p]) for p in Pathway]
