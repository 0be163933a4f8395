"""Where people are reached, by channel: the one place that knows which of a person's or a
clinic's details is an address, so a new channel changes this lookup and no caller."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from venowatch.clinic import models
from venowatch.notify.models import Channel


@dataclass(frozen=True, slots=True)
class Address:
    channel: Channel
    value: str


def addresses_of(person: User | None) -> list[Address]:
    """Every address the person is reached at; none for nobody, or for someone without one."""
    if person is None or not person.email:
        return []
    return [Address(Channel.EMAIL, person.email)]


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
