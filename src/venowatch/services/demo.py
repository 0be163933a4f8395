"""A demo clinic with patients in every pathway, their histories told through the same services
the pages use, so the demo's assessments, history rows and tasks are real ones."""

from __future__ import annotations

import hashlib
from base64 import b32encode
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.contrib.auth.models import User
from django.db import transaction

from venowatch.clinic import models
from venowatch.clinic.models import Clinic, Member, MessageChannel, Patient, PhoneKind, Role
from venowatch.protocol import LabKind, LabResult, Pgic, ProcedureKind
from venowatch.services.care.consent import give
from venowatch.services.care.contacts import ContactDetails, save_contacts
from venowatch.services.care.reassessing import reassess
from venowatch.services.care.records import record_checkin, record_lab, record_procedure
from venowatch.services.errors import DuplicateRecordError
from venowatch.services.security.second_factor import enrol_with_key, has_second_factor

DEMO_CLINIC = "Demo Vein Clinic"
DEMO_PASSWORD = "venowatch-demo"
DEMO_STAFF = ("admin", "alex", "jordan", "dr.ruiz")
"""Staff logins: each has an authenticator already set up with a fixed secret (printed by
`serve --demo`, and in the README), so a demo shows the real two-step sign-in."""
H = timedelta(hours=1)
D = timedelta(days=1)
VMI, MI, SI = Pgic.VERY_MUCH_IMPROVED, Pgic.MUCH_IMPROVED, Pgic.MINIMALLY_IMPROVED
NC, SW, MW = Pgic.NO_CHANGE, Pgic.MINIMALLY_WORSE, Pgic.MUCH_WORSE


@dataclass(frozen=True)
class Story:
    """One patient: procedures (ago), check-ins (ago, answer, symptoms back?), labs (ago, kind,
    result, finding). Times count back from now."""

    username: str
    name: str
    procedures: tuple[timedelta, ...]
    checkins: tuple[tuple[timedelta, Pgic, bool], ...] = ()
    labs: tuple[tuple[timedelta, LabKind, LabResult, str], ...] = ()
    double_posted: bool = False
    """The venoplasty was entered twice, half a minute apart (the IR and the advocate each
    entered it): the second is refused as a repeat, so the patient has one procedure."""


def _weekly(start: timedelta, answers: list[Pgic]) -> tuple[tuple[timedelta, Pgic, bool], ...]:
    return tuple((start - i * 7 * D, a, False) for i, a in enumerate(answers))


STORIES = [
    Story("maria", "Maria Keller", (20 * H,), ((14 * H, MI, False), (2 * H, NC, True))),
    Story("john", "John Okafor", (70 * D,), _weekly(69 * D, [MI, VMI, MI, MI, MI, MI, NC, NC, NC])),
    Story(
        "aiko",
        "Aiko Tanaka",
        (50 * D,),
        (*_weekly(49 * D, [MI, MI, VMI, MI, MI, MI, NC]), (5 * D, NC, False)),
    ),
    Story("sam", "Sam Rivera", (35 * D,), _weekly(33 * D, [SW, SW, MW, MW, MW])),
    Story("lena", "Lena Novak", (18 * D,), _weekly(16 * D, [SW, MW, MW])),
    Story(
        "omar",
        "Omar Haddad",
        (70 * D,),
        _weekly(69 * D, [MI, MI, VMI, MI, MI, MI, NC, NC, NC]),
        (
            (10 * D, LabKind.URINE, LabResult.ABNORMAL, "urinary tract infection"),
            (10 * D, LabKind.BLOOD, LabResult.NORMAL, ""),
        ),
    ),
    Story("grace", "Grace Lindqvist", (45 * D,), _weekly(43 * D, [SI, SI, SI, NC, NC, NC, NC])),
    Story(
        "peter",
        "Peter Brandt",
        (100 * D,),
        (*_weekly(98 * D, [SI, SI, NC, NC, NC, NC, NC]), (2 * D, NC, False)),
        (
            (20 * D, LabKind.BLOOD, LabResult.NORMAL, ""),
            (20 * D, LabKind.URINE, LabResult.NORMAL, ""),
        ),
    ),
    Story("ines", "Ines Duarte", (10 * D,), (*_weekly(9 * D, [NC, NC]), (1 * D, NC, False))),
    Story("tom", "Tom Whitaker", (3 * H,), double_posted=True),
    Story("ruth", "Ruth Adeyemi", (40 * D,), _weekly(39 * D, [MI, MI, VMI])),
    Story(
        "lucas",
        "Lucas Moreau",
        (30 * D,),
        (*_weekly(28 * D, [MI, MI, VMI, MI]), (1 * D, MI, False)),
    ),
    Story(
        "hana",
        "Hana Petrova",
        (420 * D, 300 * D, 180 * D, 70 * D),
        _weekly(69 * D, [MI, MI, MI, VMI, MI, MI, NC, NC, NC]),
    ),
    Story("ben", "Ben Carter", ()),
]


@transaction.atomic
def create_demo(now: datetime) -> list[tuple[str, str]]:
    """Create the demo clinic unless it exists; return (login, role) pairs to show."""
    if Clinic.objects.filter(name=DEMO_CLINIC).exists():
        _second_factors()  # a demo made before staff needed one gets it now
        return _logins()
    clinic = Clinic.objects.create(
        name=DEMO_CLINIC,
        ir_name="Dr. Ana Ruiz",
        ir_phone="+1-555-0100",
        oncall_phone="+1-555-0199",
        oncall_email="oncall@demo.clinic",
        contact_name="the foundation's patient coordinator",
        contact_phone="+1-555-0150",
        contact_email="coordinator@demo.clinic",
        time_zone="America/New_York",
    )
    # The clinic's administrator, not the installation's operator: /admin/ shows them this
    # clinic only (clinic.admin_scope); `createsuperuser` makes an operator.
    _user("admin", "Avery Admin", clinic, Role.ADMIN, staff=True)
    advocates = [
        _user("alex", "Alex Morgan", clinic, Role.ADVOCATE, phone="+1 617 555 0170"),
        _user("jordan", "Jordan Lee", clinic, Role.ADVOCATE, phone="+1 617 555 0171"),
    ]
    ir = _user("dr.ruiz", "Ana Ruiz", clinic, Role.CLINICIAN, phone="+1 617 555 0172")
    for i, story in enumerate(STORIES):
        user = _user(story.username, story.name, clinic, Role.PATIENT)
        patient = Patient.objects.create(
            clinic=clinic,
            user=user,
            name=story.name,
            time_zone=clinic.time_zone,
            advocate=advocates[i % 2],
        )
        _contacts(patient, i, now)
        # Consent on paper at enrolment, before the first procedure, recorded by the advocate.
        give(patient, advocates[i % 2], now - max(story.procedures, default=D) - D)
        _tell(patient, story, ir, now)
    _second_factors()
    return _logins()


def demo_totp_key(username: str) -> str:
    """The demo login's authenticator secret, as django-otp stores it (hex): fixed, derived
    from the name, so the same demo always has the same codes. Never for a real account."""
    return hashlib.sha1(
        f"venowatch demo second factor {username}".encode(), usedforsecurity=False
    ).hexdigest()


def demo_totp_secret(username: str) -> str | None:
    """The secret to type into an authenticator app (base32), for the demo's staff logins."""
    if username not in DEMO_STAFF:
        return None
    return b32encode(bytes.fromhex(demo_totp_key(username))).decode()


def _second_factors() -> None:
    for user in User.objects.filter(username__in=DEMO_STAFF, member__clinic__name=DEMO_CLINIC):
        if not has_second_factor(user):
            enrol_with_key(user, demo_totp_key(user.username))


def _contacts(patient: Patient, i: int, now: datetime) -> None:
    """A mobile phone (555-01xx: numbers kept for fiction), a date of birth and an MRN."""
    details = ContactDetails(
        phones={
            PhoneKind.MOBILE: f"+1 617 555 01{i:02d}",
            PhoneKind.HOME: f"+1 617 555 01{50 + i}",
        },
        preferred=PhoneKind.MOBILE,
        date_of_birth=now.date().replace(year=now.year - 38 - 2 * i, day=1 + i),
        language="en",
        messages_by=MessageChannel.SMS if i % 3 == 0 else MessageChannel.EMAIL,
        emergency_name="Chris " + patient.name.split()[-1],
        emergency_relation="partner",
        emergency_phone=f"+1 617 555 01{90 - i}",
        mrn=f"{100200 + i}",
    )
    save_contacts(patient, details, now.date())


def _tell(patient: Patient, story: Story, ir: User, now: datetime) -> None:
    """Record the story in time order (procedure, then check-ins, then labs at one instant), each
    write re-assessing as it would have then."""
    events: list[tuple[datetime, int, Callable[[datetime], object]]] = []
    for ago in story.procedures:
        events.append((now - ago, 0, partial(_procedure, patient, ir)))
    for ago, pgic, back in story.checkins:
        events.append((now - ago, 1, partial(_checkin, patient, pgic, back)))
    for ago, kind, result, finding in story.labs:
        events.append((now - ago, 2, partial(_lab, patient, ir, kind, result, finding)))
    if story.double_posted:
        for ago in story.procedures:
            events.append((now - ago + DOUBLE_POST, 0, partial(_posted_again, patient, ir)))
    for at, _order, record in sorted(events, key=lambda e: (e[0], e[1])):
        row = record(at)
        # Entered when it happened, as the replay reads it (docs/replay.md).
        if isinstance(row, models.Procedure | models.CheckIn | models.Lab):
            type(row).objects.filter(pk=row.pk).update(recorded_at=at)
    reassess(patient, now)


DOUBLE_POST = timedelta(seconds=30)


def _posted_again(patient: Patient, ir: User, at: datetime) -> object:
    """The same venoplasty entered again, unconfirmed: refused as a repeat, as the web's form
    and the API would refuse it (they ask to confirm)."""
    try:
        return record_procedure(
            patient, kind=ProcedureKind.VENOPLASTY, performed_at=at - DOUBLE_POST,
            veins=["left internal jugular", "azygos"], performed_by=ir, by=patient.advocate,
            now=at,
        )  # fmt: skip
    except DuplicateRecordError:
        return None


def _procedure(patient: Patient, ir: User, at: datetime) -> object:
    return record_procedure(
        patient, kind=ProcedureKind.VENOPLASTY, performed_at=at,
        veins=["left internal jugular", "azygos"], performed_by=ir, by=ir, now=at,
    )  # fmt: skip


def _checkin(patient: Patient, pgic: Pgic, back: bool, at: datetime) -> object:
    fatigue = 3 + pgic.rank // 2
    return record_checkin(
        patient, at=at, pgic=pgic, symptoms_returned=back, symptoms={"fatigue": fatigue},
        by=patient.user, now=at,
    )  # fmt: skip


def _lab(
    patient: Patient, ir: User, kind: LabKind, result: LabResult, finding: str, at: datetime
) -> object:
    return record_lab(patient, at=at, kind=kind, result=result, finding=finding, by=ir, now=at)


def _user(
    username: str, name: str, clinic: Clinic, role: Role, staff: bool = False, phone: str = ""
) -> User:
    first, _, last = name.partition(" ")
    user = User.objects.create_user(
        username,
        email=f"{username.replace('.', '')}@demo.clinic",
        password=DEMO_PASSWORD,
        first_name=first,
        last_name=last,
        is_staff=staff,
    )
    # Staff have mobiles, so that with SMS on a clot alert also goes out as a text.
    Member.objects.create(user=user, clinic=clinic, role=role, phone=phone)
    return user


def _logins() -> list[tuple[str, str]]:
    return [
        ("admin", "administrator (also /admin/)"),
        ("alex", "patient advocate"),
        ("dr.ruiz", "clinician / IR"),
        ("maria", "patient with a possible blood clot"),
        ("john", "patient with suspected restenosis"),
    ]
