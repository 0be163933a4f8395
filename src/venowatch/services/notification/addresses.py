"""Where people are reached, by channel: the one place that knows which of a person's or a
clinic's details is an address, so a new channel changes this lookup and no caller."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from venowatch.clinic import models
from venowatch.clinic.phones import PhoneError, normalise, takes_sms
from venowatch.notify.models import Channel
from venowatch.services.notification.transports.sms import sms_enabled


@dataclass(frozen=True, slots=True)
class Address:
    channel: Channel
    value: str


def addresses_of(person: User | None) -> list[Address]:
    """Every address the person is reached at; none for nobody, or for someone without one."""
    if person is None or not person.email:
        return []
    return [Address(Channel.EMAIL, person.email)]


def sms_address(phone: str) -> list[Address]:
    """The number as an SMS address, if SMS is on and the number can take texts."""
    if not phone or not sms_enabled() or not takes_sms(phone):
        return []
    try:
        return [Address(Channel.SMS, normalise(phone))]
    except PhoneError:
        return []


def alert_addresses_of(person: User | None) -> list[Address]:
    """Where a staff member hears of an emergency: email, and SMS to their mobile number."""
    if person is None:
        return []
    member = models.Member.objects.filter(user=person).only("phone").first()
    return [*addresses_of(person), *sms_address(member.phone if member else "")]


def oncall_alert_addresses(clinic: models.Clinic) -> list[Address]:
    """Where on-call hears of an emergency: their email, and SMS to their phone."""
    return [*oncall_addresses(clinic), *sms_address(clinic.oncall_phone)]


def patient_addresses(patient: models.Patient) -> list[Address]:
    """Where the patient gets reminders and guidance changes: the channel they chose (SMS to
    their mobile phone), else, or while SMS is off, their email."""
    details = models.PatientDetails.objects.filter(patient=patient).first()
    if details is not None and details.messages_by == models.MessageChannel.SMS:
        mobile = patient.phones.filter(kind=models.PhoneKind.MOBILE).first()
        by_sms = sms_address(mobile.number) if mobile else []
        if by_sms:
            return by_sms
    return addresses_of(patient.user)


def oncall_addresses(clinic: models.Clinic) -> list[Address]:
    """Where the clinic's on-call service is reached."""
    return [Address(Channel.EMAIL, clinic.oncall_email)] if clinic.oncall_email else []


def listed_escalation_addresses(clinic: models.Clinic) -> list[Address]:
    """The clinic's own escalation list, in its order."""
    return [Address(Channel.EMAIL, a) for a in escalation_contacts(clinic.escalation_emails)]


def escalation_contacts(text: str) -> list[str]:
    """The email addresses of an escalation list: one per line, blank lines ignored."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def unique(addresses: list[Address]) -> list[Address]:
    """The addresses in order, each once whatever its case."""
    seen: dict[tuple[Channel, str], Address] = {}
    for a in addresses:
        seen.setdefault((a.channel, a.value.lower()), a)
    return list(seen.values())
