"""A patient's contact details (phones, the preferred one, date of birth, identifiers, language,
how they get messages, an emergency contact), read and replaced as the staff page's contact
form does: staff who open the patient's page read them; those who may edit them (Act.EDIT_CONTACT)
replace them, all or nothing, through services.care.contacts."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router
from pydantic import StringConstraints

from venowatch.api.access import patient_for
from venowatch.api.errors import READ_ERRORS, WRITE_ERRORS, ApiError, not_found
from venowatch.api.schemas import Id, In, Out
from venowatch.clinic.models import MessageChannel, Patient, PhoneKind
from venowatch.services.care.contacts import ContactCard, ContactDetails, save_contacts
from venowatch.services.care.reads import contact_of
from venowatch.services.care.zones import patient_zone
from venowatch.services.clock import utc_now
from venowatch.services.errors import FieldError
from venowatch.services.security.access import Act, may

router = Router(tags=["contacts"])

Text = Annotated[str, StringConstraints(max_length=200)]
PhoneText = Annotated[str, StringConstraints(max_length=40)]


class PhoneOut(Out):
    kind: PhoneKind
    number: str = Field(description="E.164, e.g. +16175550100")
    preferred: bool


class EmergencyContact(Out):
    name: str
    relation: str
    phone: str = Field(description="E.164; empty if none")


class IdentifierOut(Out):
    system: str
    value: str


class ContactsOut(Out):
    phones: list[PhoneOut]
    preferred: PhoneKind | None
    date_of_birth: date | None
    language: str
    messages_by: MessageChannel
    emergency_contact: EmergencyContact
    mrn: str = Field(description="The clinic's medical record number; empty if none")
    identifiers: list[IdentifierOut]

    @staticmethod
    def of(card: ContactCard) -> ContactsOut:
        d = card.details
        return ContactsOut(
            phones=[PhoneOut(kind=p.kind, number=p.number, preferred=p.preferred)
                    for p in card.phones],
            preferred=card.preferred.kind if card.preferred else None,
            date_of_birth=d.date_of_birth, language=d.language, messages_by=d.messages_by,
            emergency_contact=EmergencyContact(
                name=d.emergency_name, relation=d.emergency_relation,
                phone=card.emergency_phone.number if card.emergency_phone else "",
            ),
            mrn=d.mrn,
            identifiers=[IdentifierOut(system=s, value=v) for s, v in card.systems],
        )  # fmt: skip


class EmergencyIn(In):
    name: Text = ""
    relation: Text = ""
    phone: PhoneText = ""


class ContactsIn(In):
    """Everything at once, as the staff form sends it: what is left out is cleared."""

    phones: dict[PhoneKind, PhoneText] = Field(
        default_factory=dict,
        description='At most one number per kind, as people write it: {"mobile": "617 555 0100"}',
    )
    preferred: PhoneKind | None = Field(None, description="Default: the first number given")
    date_of_birth: date | None = None
    language: str = Field(default_factory=lambda: str(settings.LANGUAGE_CODE), max_length=16)
    messages_by: MessageChannel = MessageChannel.EMAIL
    emergency_contact: EmergencyIn = Field(default_factory=EmergencyIn)
    mrn: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""

    def details(self) -> ContactDetails:
        e = self.emergency_contact
        return ContactDetails(
            phones=dict(self.phones), preferred=self.preferred,
            date_of_birth=self.date_of_birth, language=self.language,
            messages_by=self.messages_by, emergency_name=e.name, emergency_relation=e.relation,
            emergency_phone=e.phone, mrn=self.mrn,
        )  # fmt: skip


def _loc(field: str) -> tuple[str, ...]:
    """Where in the body a refused detail is: the services name the form's fields."""
    if field.startswith("phone_"):
        return ("body", "phones", field.removeprefix("phone_"))
    if field == "emergency_phone":
        return ("body", "emergency_contact", "phone")
    return ("body", field)


def _staff_patient(request: HttpRequest, pk: int, act: Act, write: bool = False) -> Patient:
    # Staff only, as the staff page: a patient reads their record but not this card.
    if not may(request.user, Act.WORKLIST):
        raise not_found()
    return patient_for(request, pk, act, write=write)


def _today(patient: Patient) -> date:
    return utc_now().astimezone(patient_zone(patient)).date()


@router.get("/{int:pk}/contacts", response={200: ContactsOut, **READ_ERRORS})
def get_contacts(request: HttpRequest, pk: Id) -> ContactsOut:
    """How to reach the patient: staff who may open the patient's page."""
    patient = _staff_patient(request, pk, Act.VIEW)
    return ContactsOut.of(contact_of(request.user, patient, _today(patient)))


@router.put("/{int:pk}/contacts", response={200: ContactsOut, **WRITE_ERRORS})
def put_contacts(request: HttpRequest, pk: Id, payload: ContactsIn) -> ContactsOut:
    """Replace the patient's contact details, all or nothing (advocates and administrators).
    A refused detail is a 422 naming it: `["body", "phones", "mobile"]`, `["body", "mrn"]`."""
    patient = _staff_patient(request, pk, Act.EDIT_CONTACT, write=True)
    today = _today(patient)
    try:
        save_contacts(patient, payload.details(), today)
    except FieldError as exc:
        raise ApiError(422, exc.message, *_loc(exc.field)) from None
    return ContactsOut.of(contact_of(request.user, patient, today))
