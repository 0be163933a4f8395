"""How staff reach a patient: the contact details they keep, checked and stored together, and
the card the staff page opens with (name, age, identifiers, the phone to call).

Phone numbers are stored in E.164 (clinic.phones); a refused detail raises FieldError naming
the field as ContactForm names it (`phone_mobile`, `date_of_birth`, ...)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from venowatch.audit.models import Action
from venowatch.clinic import models
from venowatch.clinic.models import MessageChannel, PhoneKind
from venowatch.clinic.phones import PhoneError, normalise, readable
from venowatch.services.errors import FieldError
from venowatch.services.limits import check_lengths
from venowatch.services.security import audit

OLDEST = 130
"""Years: a date of birth further back is a typing error."""


@dataclass(frozen=True, slots=True)
class ContactDetails:
    """What staff enter: the numbers by kind (empty: none), the details, the MRN."""

    phones: Mapping[PhoneKind, str]
    preferred: PhoneKind | None
    date_of_birth: date | None
    language: str
    messages_by: MessageChannel
    emergency_name: str = ""
    emergency_relation: str = ""
    emergency_phone: str = ""
    mrn: str = ""


@dataclass(frozen=True, slots=True)
class Phone:
    kind: PhoneKind
    number: str
    """E.164, for the tel: link."""
    shown: str
    """As people read it."""
    preferred: bool

    @property
    def kind_label(self) -> str:
        return str(self.kind.label)


@dataclass(frozen=True, slots=True)
class ContactCard:
    name: str
    age: str
    """In words ("54 years old"); empty without a date of birth."""
    date_of_birth: date | None
    identifiers: Sequence[tuple[str, str]]
    """(what, value): the MRN as "MRN", other systems by their URI."""
    phones: Sequence[Phone]
    preferred: Phone | None
    language: str
    messages_by: str
    emergency: str
    """Name, relation and number in one line; empty if none."""
    emergency_phone: Phone | None
    details: ContactDetails
    """The same, as the form edits it."""
    systems: Sequence[tuple[str, str]] = ()
    """(system URI, value) of each identifier, for the API."""


def age_in_words(born: date, today: date) -> str:
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if years < 1:
        return _("under a year old")
    return ngettext("%(n)d year old", "%(n)d years old", years) % {"n": years}


def _phone(kind: PhoneKind, number: str, preferred: bool = False) -> Phone:
    return Phone(kind, number, readable(number), preferred)


def contact_card(patient: models.Patient, today: date) -> ContactCard:
    """The card for `patient` (phones, details and identifiers read here: three queries)."""
    details = models.PatientDetails.objects.filter(patient=patient).first()
    order = {k: i for i, k in enumerate(PhoneKind)}
    rows = sorted(patient.phones.all(), key=lambda p: order[PhoneKind(p.kind)])
    phones = [_phone(PhoneKind(p.kind), p.number, p.preferred) for p in rows]
    preferred = next((p for p in phones if p.preferred), phones[0] if phones else None)
    mrn_uri = patient.clinic.mrn_uri
    systems = [(i.system, i.value) for i in patient.identifiers.order_by("pk")]
    identifiers = [(_("MRN") if s == mrn_uri else s, v) for s, v in systems]
    born = details.date_of_birth if details else None
    language = details.language if details else settings.LANGUAGE_CODE
    channel = MessageChannel(details.messages_by) if details else MessageChannel.EMAIL
    emergency, emergency_phone = "", None
    if details is not None and (details.emergency_name or details.emergency_phone):
        if details.emergency_phone:
            emergency_phone = _phone(PhoneKind.MOBILE, details.emergency_phone)
        parts = [details.emergency_name, details.emergency_relation]
        emergency = ", ".join(p for p in parts if p)
    return ContactCard(
        name=patient.name,
        age=age_in_words(born, today) if born else "",
        date_of_birth=born,
        identifiers=identifiers,
        phones=phones,
        preferred=preferred,
        language=str(dict(settings.LANGUAGES).get(language, language)),
        messages_by=str(channel.label),
        emergency=emergency,
        emergency_phone=emergency_phone,
        details=ContactDetails(
            phones={p.kind: p.shown for p in phones},
            preferred=preferred.kind if preferred else None,
            date_of_birth=born,
            language=language,
            messages_by=channel,
            emergency_name=details.emergency_name if details else "",
            emergency_relation=details.emergency_relation if details else "",
            emergency_phone=emergency_phone.shown if emergency_phone else "",
            mrn=next((v for s, v in systems if s == mrn_uri), ""),
        ),
        systems=systems,
    )


def _checked_phones(details: ContactDetails) -> dict[PhoneKind, str]:
    numbers: dict[PhoneKind, str] = {}
    for kind, text in details.phones.items():
        if text.strip():
            try:
                numbers[kind] = normalise(text)
            except PhoneError as exc:
                raise FieldError(f"phone_{kind.value}", str(exc)) from None
    if details.preferred is not None and details.preferred not in numbers:
        raise FieldError("preferred", _("is a phone without a number"))
    if details.messages_by is MessageChannel.SMS and PhoneKind.MOBILE not in numbers:
        raise FieldError("messages_by", _("can be text messages only with a mobile number"))
    return numbers


def _check(details: ContactDetails, today: date) -> str:
    born = details.date_of_birth
    if born is not None and born > today:
        raise FieldError("date_of_birth", _("is in the future"))
    if born is not None and today.year - born.year > OLDEST:
        raise FieldError("date_of_birth", _("is more than %(n)d years ago") % {"n": OLDEST})
    if details.language not in dict(settings.LANGUAGES):
        raise FieldError("language", _("is not a language venowatch speaks"))
    if not details.emergency_phone.strip():
        return ""
    try:
        return normalise(details.emergency_phone)
    except PhoneError as exc:
        raise FieldError("emergency_phone", str(exc)) from None


def save_contacts(
    patient: models.Patient, details: ContactDetails, today: date, by: Any = None
) -> None:
    """Check and store the patient's contact details, all or nothing; `by` who changed them."""
    check_lengths(
        models.PatientDetails,
        {
            "emergency_name": details.emergency_name.strip(),
            "emergency_relation": details.emergency_relation.strip(),
        },
    )
    check_lengths(models.PatientIdentifier, {"value": details.mrn.strip()}, {"value": "mrn"})
    numbers = _checked_phones(details)
    emergency_phone = _check(details, today)
    mrn = details.mrn.strip()
    system = patient.clinic.mrn_uri
    taken = models.PatientIdentifier.objects.filter(clinic=patient.clinic, system=system, value=mrn)
    if mrn and taken.exclude(patient=patient).exists():
        raise FieldError("mrn", _("belongs to another patient of the clinic"))
    preferred = details.preferred or next(iter(numbers), None)
    with transaction.atomic():
        patient.phones.all().delete()
        models.PatientPhone.objects.bulk_create(
            models.PatientPhone(patient=patient, kind=k, number=n, preferred=k == preferred)
            for k, n in numbers.items()
        )
        models.PatientDetails.objects.update_or_create(
            patient=patient,
            defaults={
                "date_of_birth": details.date_of_birth,
                "language": details.language,
                "messages_by": details.messages_by,
                "emergency_name": details.emergency_name.strip(),
                "emergency_relation": details.emergency_relation.strip(),
                "emergency_phone": emergency_phone,
            },
        )
        audit.wrote(by, Action.CONTACTS, patient)
        patient.identifiers.filter(system=system).exclude(value=mrn).delete()
        if mrn:
            models.PatientIdentifier.objects.get_or_create(
                clinic=patient.clinic, patient=patient, system=system, value=mrn
            )
