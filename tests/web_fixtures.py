"""Building clinics, people and histories for the web-layer tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import User

from venowatch.clinic.models import Clinic, Member, Patient, Role

D = timedelta(days=1)
H = timedelta(hours=1)
PASSWORD = "a-long-test-password"


def clinic(name: str = "Test Clinic", time_zone: str = "America/New_York") -> Clinic:
    return Clinic.objects.create(
        name=name,
        ir_name="Dr. IR",
        ir_phone="+1-555-0100",
        oncall_phone="+1-555-0199",
        time_zone=time_zone,
    )


def user(username: str, at: Clinic, role: Role) -> User:
    u = User.objects.create_user(username, email=f"{username}@example.org", password=PASSWORD)
    Member.objects.create(user=u, clinic=at, role=role)
    return u


def patient(name: str, at: Clinic, advocate: User | None = None, login: bool = True) -> Patient:
    account = user(name.lower().replace(" ", "."), at, Role.PATIENT) if login else None
    return Patient.objects.create(
        clinic=at, user=account, name=name, advocate=advocate, time_zone=at.time_zone
    )


def ago(now: datetime, **kwargs: float) -> datetime:
    return now - timedelta(**kwargs)
