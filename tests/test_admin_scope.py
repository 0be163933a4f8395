"""/admin/ scoped to a clinic: a clinic's administrator (role admin, staff, not a superuser)
sees and changes only their clinic's rows; the operator (a superuser) sees every clinic; any
other staff account sees nothing. Every registered admin is walked, so a model registered
later without its clinic path fails here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.web_fixtures import clinic, patient, user
from venowatch.audit.models import Action
from venowatch.clinic.admin_scope import (
    CLINIC_PATHS,
    OPERATOR_ONLY,
    ClinicScopedAdmin,
    _ScopedInline,
    is_scoped,
)
from venowatch.clinic.models import (
    Clinic,
    Member,
    Patient,
    PatientIdentifier,
    PgicScale,
    PhoneKind,
    Role,
    Takeover,
)
from venowatch.integration.models import Feedback, FeedbackOutcome, TrustedIssuer
from venowatch.notify.models import Channel, Kind, Notification
from venowatch.security.models import ApiToken, Scope
from venowatch.services.security import audit
from venowatch.services.security.tokens import issue

pytestmark = pytest.mark.django_db


@dataclass
class Side:
    clinic: Clinic
    admin: User
    advocate: User
    patient: Patient


def _side(name: str) -> Side:
    c = clinic(f"Clinic {name}")
    boss = user(f"boss{name.lower()}", c, Role.ADMIN)
    boss.is_staff = True
    boss.save()
    advocate = user(f"advocate{name.lower()}", c, Role.ADVOCATE)
    p = patient(f"Patient {name}", c, advocate=advocate)
    p.phones.create(kind=PhoneKind.MOBILE, number="+15555550100", preferred=True)
    PatientIdentifier.objects.create(clinic=c, patient=p, system="urn:mrn", value=f"MRN-{name}")
    now = timezone.now()
    Notification.objects.create(
        clinic=c, patient=p, kind=Kind.REMINDER, channel=Channel.EMAIL,
        address=f"{name}@example.org", subject=f"Reminder {name}", text="t", html="h",
        key=f"k{name}", created_at=now, not_before=now,
    )  # fmt: skip
    issue(advocate, name=f"Bridge {name}", scope=Scope.READ)
    issuer = TrustedIssuer.objects.create(clinic=c, iss=f"https://ehr-{name}.example.org/", jwks={})
    Feedback.objects.create(
        issuer=issuer, service="venowatch-patient-view", card=f"card-{name}",
        outcome=FeedbackOutcome.ACCEPTED, outcome_at=now, received_at=now,
    )  # fmt: skip
    Takeover.objects.create(patient=p, by=boss, previous=advocate, reason="on leave", at=now)
    with transaction.atomic():
        audit.wrote(boss, Action.CONTACTS, p, None, now)
    PgicScale.objects.create(clinic=c, questionnaire=f"https://{name}.example.org/q", link_id="1")
    TOTPDevice.objects.create(user=advocate, name="phone")
    StaticDevice.objects.create(user=advocate, name="recovery codes")
    return Side(c, boss, advocate, p)


@pytest.fixture
def sides() -> tuple[Side, Side]:
    return _side("A"), _side("B")


def test_every_registered_admin_and_inline_is_scoped() -> None:
    """A model registered without the base (or missing from the table) fails here."""
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, ClinicScopedAdmin), f"{model.__name__}'s admin"
        assert is_scoped(model), f"{model._meta.label_lower} is missing from CLINIC_PATHS"
        for inline in model_admin.inlines:
            assert issubclass(inline, _ScopedInline), f"{inline.__name__} on {model.__name__}"
            assert is_scoped(inline.model), f"{inline.model._meta.label_lower}"


def _request(who: User) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = who
    return request


def test_every_admin_list_holds_only_the_clinics_rows(sides: tuple[Side, Side]) -> None:
    a, b = sides
    for model, model_admin in admin.site._registry.items():
        path = CLINIC_PATHS[model._meta.label_lower]
        shown = model_admin.get_queryset(_request(a.admin))
        if path is OPERATOR_ONLY:
            assert not shown.exists(), model.__name__
            assert not model_admin.has_module_permission(_request(a.admin))
            continue
        everything = model._default_manager.all()
        assert everything.filter(**{path: b.clinic.pk}).exists(), f"no {model.__name__} at B"
        assert shown.exists(), f"{a.admin} sees no {model.__name__} of their own"
        assert set(shown.values_list(path, flat=True)) == {a.clinic.pk}, model.__name__
        operator = User.objects.create_superuser(f"root-{model.__name__}", "r@example.org", "x")
        assert model_admin.get_queryset(_request(operator)).count() == everything.count()


def test_every_admin_page_of_a_clinic_admin_leaves_the_other_clinic_out(
    sides: tuple[Side, Side],
) -> None:
    """Lists, filters, add forms (their choices): none names B's clinic, people or patients."""
    a, b = sides
    client = Client()
    client.force_login(a.admin)
    b_names = [b.clinic.name, b.patient.name, b.advocate.username, b.admin.username]
    for model, model_admin in admin.site._registry.items():
        if CLINIC_PATHS[model._meta.label_lower] is OPERATOR_ONLY:
            continue
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        adds = model_admin.has_add_permission(_request(a.admin))
        pages = [base, f"{base}add/"] if adds else [base]
        for page in pages:
            answer = client.get(page)
            assert answer.status_code == 200, page
            text = answer.content.decode()
            assert not [n for n in b_names if n in text], page


# --- the matrix: role x action x own/other ----------------------------------------------------

ROLES = ["clinic_admin", "operator", "other_staff", "signed_out"]
WHOSE = ["own", "other"]


def _people(a: Side) -> dict[str, User | None]:
    operator = User.objects.create_superuser("operator", "op@example.org", "x")
    staff = user("staffer", a.clinic, Role.ADVOCATE)
    staff.is_staff = True
    staff.save()
    return {"clinic_admin": a.admin, "operator": operator, "other_staff": staff, "signed_out": None}


def _inlines() -> dict[str, str]:
    forms: dict[str, str] = {}
    for prefix in ("phones", "details", "identifiers"):
        forms |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return forms


def _actions(client: Client, target: Side) -> dict[str, Callable[[], bool]]:
    """Each action, as "did it reach the target's clinic?"."""
    p = target.patient

    def changelist() -> bool:
        return p.name in client.get("/admin/clinic/patient/").content.decode()

    def change() -> bool:
        return client.get(f"/admin/clinic/patient/{p.pk}/change/").status_code == 200

    def add_with_their_clinic() -> bool:
        client.post(
            "/admin/clinic/patient/add/",
            {"clinic": target.clinic.pk, "name": "Added Here", "time_zone": "UTC",
             "tracked_symptoms": ["fatigue"], **_inlines()},  # ticked, not JSON (issue 15)
        )  # fmt: skip
        return Patient.objects.filter(name="Added Here", clinic=target.clinic).exists()

    def autocomplete() -> bool:
        answer = client.get(
            "/admin/autocomplete/",
            {"app_label": "clinic", "model_name": "patient", "field_name": "advocate",
             "term": target.advocate.username},
        )  # fmt: skip
        return answer.status_code == 200 and target.advocate.username in answer.content.decode()

    def raw_id_lookup() -> bool:
        answer = client.get("/admin/auth/user/", {"_to_field": "id", "_popup": "1"})
        return target.advocate.username in answer.content.decode()

    def mint_token() -> bool:
        client.post(
            "/admin/api/apitoken/add/",
            {"user": target.advocate.pk, "name": "Minted", "scope": "read"},
        )
        return ApiToken.objects.filter(name="Minted", user=target.advocate).exists()

    def erase() -> bool:
        client.post(
            "/admin/clinic/patient/",
            {"action": "erase", "_selected_action": [p.pk], "confirm": "yes"},
        )
        return not Patient.objects.filter(pk=p.pk).exists()

    return {
        "changelist": changelist, "change": change, "add_with_their_clinic": add_with_their_clinic,
        "autocomplete": autocomplete, "raw_id_lookup": raw_id_lookup, "mint_token": mint_token,
        "erase": erase,
    }  # fmt: skip


ACTIONS = ["changelist", "change", "add_with_their_clinic", "autocomplete", "raw_id_lookup",
           "mint_token", "erase"]  # fmt: skip
CASES = [(r, a, w) for r in ROLES for a in ACTIONS for w in WHOSE]


def _allowed(role: str, whose: str) -> bool:
    return role == "operator" or (role == "clinic_admin" and whose == "own")


@pytest.mark.parametrize(("role", "action", "whose"), CASES, ids=["-".join(c) for c in CASES])
def test_admin_permission_matrix(
    sides: tuple[Side, Side], role: str, action: str, whose: str
) -> None:
    a, b = sides
    person = _people(a)[role]
    client = Client()
    if person is not None:
        client.force_login(person)
    target = a if whose == "own" else b
    before = (Patient.objects.count(), ApiToken.objects.count(), Member.objects.count())
    reached = _actions(client, target)[action]()
    assert reached == _allowed(role, whose), f"{role} {action} {whose}"
    if not reached:
        after = (Patient.objects.count(), ApiToken.objects.count(), Member.objects.count())
        assert after == before, "a refused request changes nothing"


# --- what a clinic's administrator may not do even in their clinic ----------------------------


def test_a_clinic_admin_neither_sees_nor_sets_the_superuser_flag(sides: tuple[Side, Side]) -> None:
    a, _ = sides
    client = Client()
    client.force_login(a.admin)
    page = client.get(f"/admin/auth/user/{a.advocate.pk}/change/").content.decode()
    assert "is_superuser" not in page
    assert "user_permissions" not in page


def test_a_clinic_admin_cannot_reach_the_operators_login_even_in_their_clinic(
    sides: tuple[Side, Side],
) -> None:
    a, _ = sides
    root = User.objects.create_superuser("root", "root@example.org", "x")
    Member.objects.create(user=root, clinic=a.clinic, role=Role.ADMIN)
    client = Client()
    client.force_login(a.admin)
    assert client.get(f"/admin/auth/user/{root.pk}/change/").status_code == 302
    assert client.get(f"/admin/auth/user/{root.pk}/password/").status_code == 404
    assert "root" not in client.get("/admin/clinic/member/").content.decode()


def test_a_clinic_admin_makes_a_login_with_its_membership_at_their_clinic(
    sides: tuple[Side, Side],
) -> None:
    a, b = sides
    client = Client()
    client.force_login(a.admin)
    form = {
        "username": "newcomer", "usable_password": "true",
        "password1": "a-long-fresh-password-9", "password2": "a-long-fresh-password-9",
        "member-TOTAL_FORMS": "1", "member-INITIAL_FORMS": "0", "member-MIN_NUM_FORMS": "1",
        "member-0-role": "advocate", "member-0-phone": "",
    }  # fmt: skip
    client.post("/admin/auth/user/add/", {**form, "member-0-clinic": b.clinic.pk})
    assert not User.objects.filter(username="newcomer").exists(), "not at another clinic"
    client.post("/admin/auth/user/add/", {**form, "member-0-clinic": a.clinic.pk})
    assert User.objects.get(username="newcomer").member.clinic == a.clinic


def test_a_clinic_admin_neither_adds_nor_deletes_clinics(sides: tuple[Side, Side]) -> None:
    a, _ = sides
    client = Client()
    client.force_login(a.admin)
    assert client.get("/admin/clinic/clinic/add/").status_code == 403
    assert client.get(f"/admin/clinic/clinic/{a.clinic.pk}/delete/").status_code == 403
    assert client.get(f"/admin/clinic/clinic/{a.clinic.pk}/change/").status_code == 200


def test_the_list_filters_name_only_the_clinics_own(sides: tuple[Side, Side]) -> None:
    a, b = sides
    client = Client()
    client.force_login(a.admin)
    page = client.get("/admin/clinic/patient/").content.decode()
    assert a.advocate.username in page  # the advocate filter lists A's advocate
    assert b.advocate.username not in page
    assert b.clinic.name not in page


def test_a_clinic_admins_index_lists_their_models_and_not_the_operators(
    sides: tuple[Side, Side],
) -> None:
    a, _ = sides
    client = Client()
    client.force_login(a.admin)
    index = client.get("/admin/").content.decode()
    assert "/admin/clinic/patient/" in index
    assert "/admin/api/apitoken/" in index
    assert "/admin/auth/group/" not in index
    assert client.get("/admin/auth/group/").status_code == 403
