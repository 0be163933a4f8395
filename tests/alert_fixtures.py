"""A clinic whose people have email addresses, for the alert and outbox tests."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.models import User

from tests.web_fixtures import H, clinic, patient, user
from venowatch.clinic.models import Clinic, Patient, Role
from venowatch.protocol import Pgic, ProcedureKind
from venowatch.services.care.records import record_checkin, record_procedure

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
ONCALL = "oncall@example.org"


class Staffed:
    def __init__(self) -> None:
        self.clinic: Clinic = clinic()
        self.clinic.oncall_email = ONCALL
        self.clinic.save()
        self.advocate: User = user("alex", self.clinic, Role.ADVOCATE)
        self.ir: User = user("dr.ruiz", self.clinic, Role.CLINICIAN)
        self.admin: User = user("boss", self.clinic, Role.ADMIN)

    def patient(self, name: str = "Maria Keller") -> Patient:
        return patient(name, self.clinic, advocate=self.advocate)

    def operated(self, name: str = "Maria Keller", ago: float = 20) -> Patient:
        p = self.patient(name)
        record_procedure(
            p, kind=ProcedureKind.VENOPLASTY, performed_at=NOW - ago * H, performed_by=self.ir,
            now=NOW - ago * H,
        )  # fmt: skip
        return p


def clot(p: Patient, at: datetime = NOW) -> None:
    """Symptoms back within hours of the procedure: the possible-thrombosis pathway."""
    record_checkin(p, at=at, pgic=Pgic.MUCH_WORSE, symptoms_returned=True, note="dizzy", now=at)
