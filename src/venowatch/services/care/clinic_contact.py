"""Who a patient contacts to arrange care. The guide tells patients to "contact the foundation"
to arrange a retest; the clinic says who that is (`Clinic.contact_*`), and every page and email
that carries such advice gives the contact with it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from venowatch.clinic.models import Clinic
from venowatch.protocol import Action

NEEDS_CONTACT = frozenset({Action.SCHEDULE_RETEST})
"""The actions whose wording asks the patient to get in touch to arrange something."""


@dataclass(frozen=True, slots=True)
class ClinicContact:
    name: str
    phone: str
    email: str


def contact_for(clinic: Clinic, actions: Iterable[Action | str]) -> ClinicContact | None:
    """The clinic's contact, when one of `actions` asks the patient to get in touch and the
    clinic has said who to contact (None otherwise: no empty box on the page)."""
    if not any(Action(a) in NEEDS_CONTACT for a in actions):
        return None
    if not (clinic.contact_phone or clinic.contact_email):
        return None
    name = clinic.contact_name or clinic.name
    return ClinicContact(name=name, phone=clinic.contact_phone, email=clinic.contact_email)


def general_contact(clinic: Clinic) -> ClinicContact | None:
    """Whom a patient contacts with a question about their follow-up, whatever the advice:
    the clinic's contact, else its on-call line (None if the clinic has given neither)."""
    if clinic.contact_phone or clinic.contact_email:
        return ClinicContact(
            name=clinic.contact_name or clinic.name,
            phone=clinic.contact_phone,
            email=clinic.contact_email,
        )
    if clinic.oncall_phone or clinic.oncall_email:
        return ClinicContact(name=clinic.name, phone=clinic.oncall_phone, email=clinic.oncall_email)
    return None
