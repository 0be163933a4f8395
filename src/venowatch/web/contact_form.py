"""The form for a patient's contact details on the staff page; it checks shape, the service
(services.care.contacts) checks meaning."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from venowatch.clinic.models import MessageChannel, PhoneKind
from venowatch.services.care.contacts import ContactCard, ContactDetails

_PHONE = {"type": "tel", "autocomplete": "off", "inputmode": "tel"}


class ContactForm(forms.Form):
    phone_mobile = forms.CharField(
        label=gettext_lazy("Mobile phone"), required=False, max_length=40,
        widget=forms.TextInput(attrs=_PHONE),
        help_text=gettext_lazy("With + and the country code if not from this country."),
    )  # fmt: skip
    phone_home = forms.CharField(
        label=gettext_lazy("Home phone"), required=False, max_length=40,
        widget=forms.TextInput(attrs=_PHONE),
    )  # fmt: skip
    phone_work = forms.CharField(
        label=gettext_lazy("Work phone"), required=False, max_length=40,
        widget=forms.TextInput(attrs=_PHONE),
    )  # fmt: skip
    preferred = forms.ChoiceField(
        label=gettext_lazy("Preferred phone"), choices=PhoneKind.choices, required=False,
        widget=forms.RadioSelect,
    )  # fmt: skip
    date_of_birth = forms.DateField(
        label=gettext_lazy("Date of birth"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter a date like 1970-03-31.")},
    )  # fmt: skip
    mrn = forms.CharField(label=gettext_lazy("MRN"), required=False, max_length=255)
    language = forms.ChoiceField(label=gettext_lazy("Preferred language"))
    messages_by = forms.ChoiceField(
        label=gettext_lazy("Reminders and guidance changes by"), choices=MessageChannel.choices
    )
    emergency_name = forms.CharField(
        label=gettext_lazy("Emergency contact"), required=False, max_length=200
    )
    emergency_relation = forms.CharField(
        label=gettext_lazy("Relation to the patient"), required=False, max_length=100
    )
    emergency_phone = forms.CharField(
        label=gettext_lazy("Emergency contact's phone"), required=False, max_length=40,
        widget=forms.TextInput(attrs=_PHONE),
    )  # fmt: skip

    PHONES: ClassVar[dict[PhoneKind, str]] = {
        PhoneKind.MOBILE: "phone_mobile",
        PhoneKind.HOME: "phone_home",
        PhoneKind.WORK: "phone_work",
    }

    def __init__(self, *args: Any, sms: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "contact")
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(code, str(name)) for code, name in settings.LANGUAGES]
        if not sms:
            self.fields["messages_by"].help_text = _(
                "Text messages are off at this clinic: everything goes by email until they are "
                "set up."
            )

    @classmethod
    def of(cls, card: ContactCard) -> ContactForm:
        d = card.details
        initial: dict[str, Any] = {cls.PHONES[k]: v for k, v in d.phones.items()}
        initial |= {
            "preferred": d.preferred.value if d.preferred else "",
            "date_of_birth": d.date_of_birth,
            "mrn": d.mrn,
            "language": d.language,
            "messages_by": d.messages_by.value,
            "emergency_name": d.emergency_name,
            "emergency_relation": d.emergency_relation,
            "emergency_phone": d.emergency_phone,
        }
        return cls(initial=initial, sms=settings.VENOWATCH_SMS_ENABLED)

    def details(self) -> ContactDetails:
        data = self.cleaned_data
        return ContactDetails(
            phones={kind: data[name] for kind, name in self.PHONES.items()},
            preferred=PhoneKind(data["preferred"]) if data["preferred"] else None,
            date_of_birth=data["date_of_birth"],
            language=data["language"],
            messages_by=MessageChannel(data["messages_by"]),
            emergency_name=data["emergency_name"],
            emergency_relation=data["emergency_relation"],
            emergency_phone=data["emergency_phone"],
            mrn=data["mrn"],
        )
