"""A care team and its patients for the staff-page tests, and reading pages as text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from tests.web_fixtures import H
from venowatch.clinic.models import (
    Clinic,
    Patient,
)
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care.records import record_checkin, record_procedure


@dataclass
class Team:
    clinic: Clinic
    alex: User  # advocate
    jordan: User  # advocate
    ir: User  # clinician
    admin: User


def signed_in(client: Client, who: User) -> Client:
    client.force_login(who)
    return client


def possible_clot(p: Patient, ir: User, now: datetime) -> None:
    """Symptoms back within hours of the procedure: possible thrombosis (C2), an emergency."""
    record_procedure(
        p, kind=ProcedureKind.VENOPLASTY, performed_at=now - 20 * H, performed_by=ir, now=now
    )
    record_checkin(p, at=now - 14 * H, pgic=Pgic.MUCH_IMPROVED, now=now - 14 * H)
    record_checkin(p, at=now - 2 * H, pgic=Pgic.NO_CHANGE, symptoms_returned=True, now=now - 2 * H)


def text(response: Any) -> str:
    return str(response.content.decode())


# --- the worklist ---------------------------------------------------------------------------
