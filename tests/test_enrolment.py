"""Enrolling a patient without the Django admin (issue 15): one page, one transaction, errors
beside their fields, an invitation whose link expires; symptoms and time zones from lists, in
the admin too."""

from __future__ import annotations

import html
import re
from datetime import UTC, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.staff_fixtures import Team, signed_in, text
from tests.web_fixtures import clinic, user
from venowatch.audit.models import Action, AuditEvent
from venowatch.clinic.admin import ClinicForm
from venowatch.clinic.admin_patient_form import PatientForm
from venowatch.clinic.models import Member, Patient, PatientIdentifier, Procedure, Role
from venowatch.notify.models import Kind, Notification
from venowatch.web.invitation import invitation_tokens

pytestmark = pytest.mark.django_db
URL = "/staff/enrol/"


@pytest.fixture
def team() -> Team:
    c = clinic()
    return Team(
        clinic=c,
        alex=user("alex", c, Role.ADVOCATE),
        jordan=user("jordan", c, Role.ADVOCATE),
        ir=user("dr.ruiz", c, Role.CLINICIAN),
        admin=user("admin", c, Role.ADMIN),
    )


def _form(team: Team, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Nora Quinn",
        "email": "Nora.Quinn@example.org",
        "time_zone": "Europe/Paris",
        "symptoms": ["fatigue", "walking"],
        "other_symptoms": "Tremor, hearing",
        "advocate": str(team.jordan.pk),
        "contact-phone_mobile": "+33 6 12 34 56 78",
        "contact-preferred": "mobile",
        "contact-date_of_birth": "1971-04-02",
        "contact-mrn": "MRN-4711",
        "contact-language": "en",
        "contact-messages_by": "email",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_page_offers_lists_and_defaults_to_the_clinics_zone(client: Client, team: Team) -> None:
    page = signed_in(client, team.alex).get(URL)
    assert page.status_code == 200
    body = text(page)
    assert re.search(r'<option value="America/New_York" selected>', body)
    assert 'type="checkbox" name="symptoms" value="fatigue"' in body
    assert re.search(rf'<option value="{team.alex.pk}" selected>', body)  # the advocate: me
    assert "Enrol a patient" in text(client.get(reverse("worklist")))  # in the navigation


def test_only_advocates_and_admins_enrol(client: Client, team: Team) -> None:
    assert signed_in(client, team.admin).get(URL).status_code == 200
    assert signed_in(client, team.ir).get(URL).status_code == 404
    assert "Enrol a patient" not in text(client.get(reverse("worklist")))


def test_enrolling_stores_everything_and_invites_the_patient(client: Client, team: Team) -> None:
    response = signed_in(client, team.alex).post(URL, _form(team))
    p = Patient.objects.get(name="Nora Quinn")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff-patient", args=[p.pk])
    assert p.user is not None
    assert (p.user.username, p.user.email) == ("nora.quinn@example.org",) * 2
    assert Member.objects.get(user=p.user).role == Role.PATIENT
    assert (p.clinic, p.time_zone, p.advocate) == (team.clinic, "Europe/Paris", team.jordan)
    assert p.tracked_symptoms == ["fatigue", "walking", "tremor", "hearing"]
    assert p.phones.get().number == "+33612345678"
    assert PatientIdentifier.objects.get(patient=p).value == "MRN-4711"
    audit = AuditEvent.objects.get(action=Action.ENROLMENT)
    assert (audit.patient_id, audit.actor_id) == (p.pk, team.alex.pk)
    invitation = Notification.objects.get(kind=Kind.INVITATION)
    assert (invitation.address, invitation.patient) == ("nora.quinn@example.org", p)
    assert "nora.quinn@example.org" in invitation.text  # what to sign in with
    assert "7 days" in invitation.text
    page = text(client.get(response["Location"]))
    assert "an invitation to choose a password went to nora.quinn@example.org" in page


def _link(n: Notification) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/reset/welcome/\S+/)", n.text)
    assert found is not None
    return found.group(1)


def test_the_invitation_sets_a_password_once(client: Client, team: Team) -> None:
    signed_in(client, team.alex).post(URL, _form(team))
    link = _link(Notification.objects.get(kind=Kind.INVITATION))
    anonymous = Client()
    opened = anonymous.get(link, follow=True)
    assert "Welcome: choose your password" in text(opened)
    assert "nora.quinn@example.org" in text(opened)
    form_url = opened.redirect_chain[-1][0]
    new = "a-long-new-password-91"
    done = anonymous.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert Client().login(username="nora.quinn@example.org", password=new)
    assert "no longer works" in text(Client().get(link, follow=True))  # used once


def test_the_invitation_expires(
    client: Client, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in(client, team.alex).post(URL, _form(team))
    link = _link(Notification.objects.get(kind=Kind.INVITATION))
    later = timezone.now().replace(tzinfo=None) + timedelta(days=7, hours=1)
    monkeypatch.setattr(invitation_tokens, "_now", lambda: later)
    assert "This invitation no longer works" in text(Client().get(link, follow=True))


def test_a_password_reset_token_is_not_an_invitation(client: Client, team: Team) -> None:
    from django.contrib.auth.tokens import default_token_generator

    reset = default_token_generator.make_token(team.alex)
    assert not invitation_tokens.check_token(team.alex, reset)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": ""}, "id_name", "Enter the patient's name."),
        ({"email": "nope"}, "id_email", "Enter an email address like name@example.org."),
        ({"email": "alex@example.org"}, "id_email", "already belongs to an account"),
        ({"email": "n" * 140 + "@example.org"}, "id_email", "at most 150 are kept"),
        ({"time_zone": "Mars/Olympus"}, "id_time_zone", "Choose a time zone from the list."),
        ({"symptoms": None, "other_symptoms": ""}, "id_symptoms", "at least one symptom"),
        ({"other_symptoms": "x" * 41}, "id_other_symptoms", "longer than 40 letters"),
        ({"contact-phone_mobile": "12"}, "id_contact-phone_mobile", "Mobile phone"),
        ({"contact-mrn": "TAKEN"}, "id_contact-mrn", "belongs to another patient"),
        ({"with_procedure": "on"}, "id_procedure-performed_at", "Enter the date and time"),
    ],
)
def test_a_refused_enrolment_stores_nothing_and_names_the_field(
    client: Client, team: Team, changes: dict[str, Any], field: str, words: str
) -> None:
    other = Patient.objects.create(clinic=team.clinic, name="Has An MRN")
    PatientIdentifier.objects.create(
        clinic=team.clinic, patient=other, system=team.clinic.mrn_uri, value="TAKEN"
    )
    users = User.objects.count()
    response = signed_in(client, team.alex).post(URL, _form(team, **changes))
    assert response.status_code == 400
    body = html.unescape(text(response))
    assert words in body
    assert f'href="#{field}"' in body  # the summary on top links to the field
    assert "The patient is not enrolled yet" in body
    assert User.objects.count() == users
    assert not Patient.objects.filter(name="Nora Quinn").exists()
    assert not Notification.objects.filter(kind=Kind.INVITATION).exists()


def test_the_first_procedure_is_recorded_with_the_enrolment(client: Client, team: Team) -> None:
    data = _form(
        team,
        with_procedure="on",
        **{
            "procedure-kind": "venoplasty",
            "procedure-performed_at": "2026-01-05T09:30",
            "procedure-veins": "left internal jugular, azygos",
            "procedure-performed_by": str(team.ir.pk),
        },
    )
    assert signed_in(client, team.admin).post(URL, data).status_code == 302
    procedure = Procedure.objects.get(patient__name="Nora Quinn")
    assert procedure.performed_by == team.ir
    assert procedure.veins == ["left internal jugular", "azygos"]
    # Typed on the patient's wall clock: 09:30 in Paris is 08:30 UTC in winter.
    assert procedure.performed_at.astimezone(UTC).hour == 8


def test_the_admins_patient_form_uses_lists(client: Client, team: Team) -> None:
    team.admin.is_staff = True
    team.admin.save()
    body = text(signed_in(client, team.admin).get("/admin/clinic/patient/add/"))
    assert re.search(r'<select name="time_zone"[^>]*>', body)
    assert re.search(r'<option value="America/New_York" selected>', body)
    assert 'type="checkbox" name="tracked_symptoms" value="fatigue"' in body
    assert "Clinic set-up (admin)" in text(client.get(reverse("worklist")))
    client.post(
        "/admin/clinic/patient/add/",
        {
            "clinic": team.clinic.pk,
            "name": "Olga Admin",
            "time_zone": "Europe/Rome",
            "tracked_symptoms": ["vision"],
            "other_symptoms": "Balance issues",
            "phones-TOTAL_FORMS": "0", "phones-INITIAL_FORMS": "0",
            "details-TOTAL_FORMS": "0", "details-INITIAL_FORMS": "0",
            "identifiers-TOTAL_FORMS": "0", "identifiers-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    olga = Patient.objects.get(name="Olga Admin")
    assert (olga.time_zone, olga.tracked_symptoms) == ("Europe/Rome", ["vision", "balance issues"])


def _zones(form: Any) -> list[str]:
    return [zone for zone, _ in form.fields["time_zone"].choices]


def test_a_stored_zone_the_list_leaves_out_is_kept_by_the_admin_forms(team: Team) -> None:
    team.clinic.time_zone = "US/Eastern"
    team.clinic.save()
    p = Patient.objects.create(clinic=team.clinic, name="Old Zone", time_zone="US/Eastern")
    assert "US/Eastern" not in _zones(PatientForm())  # the list reads as places
    for form in (ClinicForm(instance=team.clinic), PatientForm(instance=p)):
        assert "US/Eastern" in _zones(form)  # opening and saving moves nobody
