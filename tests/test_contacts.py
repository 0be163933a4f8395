"""Reaching the patient: contact details checked and stored (E.164 phones, one preferred, date
of birth, MRN, language, emergency contact, channel), edited by staff on the patient page with
inline errors naming the field, entered at enrolment in the admin, and the page's header."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.web_fixtures import clinic, patient, user
from venowatch.clinic.models import (
    Clinic,
    MessageChannel,
    Patient,
    PatientDetails,
    PatientIdentifier,
    PatientPhone,
    PhoneKind,
    Role,
)
from venowatch.clinic.phones import PhoneError, normalise, takes_sms
from venowatch.services.care.contacts import (
    ContactDetails,
    age_in_words,
    contact_card,
    save_contacts,
)
from venowatch.services.errors import FieldError

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 1)


def _details(**changes: object) -> ContactDetails:
    fields: dict[str, object] = {
        "phones": {PhoneKind.MOBILE: "(415) 555-2671", PhoneKind.HOME: "+44 20 7946 0958"},
        "preferred": PhoneKind.MOBILE,
        "date_of_birth": date(1971, 6, 2),
        "language": "en",
        "messages_by": MessageChannel.SMS,
        "emergency_name": "Sam Roe",
        "emergency_relation": "husband",
        "emergency_phone": "415 555 0143",
        "mrn": "A-1234",
    }
    return ContactDetails(**(fields | changes))  # type: ignore[arg-type]


@pytest.fixture
def site() -> tuple[Clinic, User, Patient]:
    c = clinic()
    alex = user("alex", c, Role.ADVOCATE)
    return c, alex, patient("Dana Doe", c, advocate=alex)


def test_numbers_are_normalised_to_e164_and_nonsense_is_refused() -> None:
    assert normalise("(415) 555-2671") == "+14155552671"
    assert normalise(" +44 20 7946 0958 ") == "+442079460958"
    for bad in ("hello", "555", "+1 999 000 0000"):
        with pytest.raises(PhoneError):
            normalise(bad)
    assert takes_sms("+33612345678")
    assert not takes_sms("+33142685300")  # a Paris landline


def test_age_in_words() -> None:
    assert age_in_words(date(1971, 6, 2), TODAY) == "54 years old"
    assert age_in_words(date(1971, 3, 1), TODAY) == "55 years old"
    assert age_in_words(date(2025, 12, 1), TODAY) == "under a year old"


def test_saved_details_come_back_on_the_card(site: tuple[Clinic, User, Patient]) -> None:
    c, _, p = site
    save_contacts(p, _details(), TODAY)
    card = contact_card(p, TODAY)
    assert card.preferred is not None
    assert (card.preferred.kind, card.preferred.number) == (PhoneKind.MOBILE, "+14155552671")
    assert card.preferred.shown == "+1 415-555-2671"
    assert [ph.number for ph in card.phones] == ["+14155552671", "+442079460958"]
    assert card.age == "54 years old"
    assert card.identifiers == [("MRN", "A-1234")]
    assert PatientIdentifier.objects.get(patient=p).system == f"urn:venowatch:clinic:{c.pk}:mrn"
    assert card.emergency == "Sam Roe, husband"
    assert card.emergency_phone is not None
    assert card.emergency_phone.number == "+14155550143"
    assert card.messages_by == "Text message (SMS)"
    assert card.language == "English"
    # Saved again with fewer phones and a new MRN: the old ones go, one preferred remains.
    save_contacts(p, _details(phones={PhoneKind.WORK: "415 555 0100"}, preferred=None,
                              messages_by=MessageChannel.EMAIL, mrn="B-9"), TODAY)  # fmt: skip
    assert list(PatientPhone.objects.filter(patient=p).values_list("kind", "preferred")) == [
        ("work", True)
    ]
    assert list(p.identifiers.values_list("value", flat=True)) == ["B-9"]


def test_the_clinic_chooses_its_mrn_system(site: tuple[Clinic, User, Patient]) -> None:
    c, _, p = site
    c.mrn_system = "https://hospital.example/mrn"
    c.save()
    PatientIdentifier.objects.create(clinic=c, patient=p, system="urn:other", value="X")
    save_contacts(p, _details(), TODAY)
    assert set(p.identifiers.values_list("system", "value")) == {
        ("https://hospital.example/mrn", "A-1234"),
        ("urn:other", "X"),
    }
    assert contact_card(p, TODAY).identifiers == [("urn:other", "X"), ("MRN", "A-1234")]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phones": {PhoneKind.MOBILE: "12"}}, "phone_mobile"),
        ({"phones": {PhoneKind.HOME: "415 555 2671"}, "preferred": PhoneKind.WORK}, "preferred"),
        ({"phones": {PhoneKind.HOME: "415 555 2671"}, "preferred": None}, "messages_by"),
        ({"date_of_birth": date(2026, 3, 2)}, "date_of_birth"),
        ({"date_of_birth": date(1880, 1, 1)}, "date_of_birth"),
        ({"language": "xx"}, "language"),
        ({"emergency_phone": "call me"}, "emergency_phone"),
    ],
)
def test_refused_details_name_the_field_and_store_nothing(
    site: tuple[Clinic, User, Patient], changes: dict[str, object], field: str
) -> None:
    _, _, p = site
    with pytest.raises(FieldError) as refused:
        save_contacts(p, _details(**changes), TODAY)
    assert refused.value.field == field
    assert not PatientPhone.objects.exists()
    assert not PatientDetails.objects.exists()


def test_an_mrn_belongs_to_one_patient(site: tuple[Clinic, User, Patient]) -> None:
    c, alex, p = site
    save_contacts(p, _details(), TODAY)
    other = patient("Eve Roe", c, advocate=alex)
    with pytest.raises(FieldError) as refused:
        save_contacts(other, _details(), TODAY)
    assert refused.value.field == "mrn"


def _form(**changes: str) -> dict[str, str]:
    data = {
        "phone_mobile": "415 555 2671", "phone_home": "", "phone_work": "",
        "preferred": "mobile", "date_of_birth": "1971-06-02", "mrn": "A-1234",
        "language": "en", "messages_by": "email", "emergency_name": "Sam Roe",
        "emergency_relation": "husband", "emergency_phone": "",
    }  # fmt: skip
    return {f"contact-{k}": v for k, v in (data | changes).items()}


def test_staff_page_opens_with_who_and_how_to_call(
    client: Client, site: tuple[Clinic, User, Patient]
) -> None:
    _, alex, p = site
    client.force_login(alex)
    url = reverse("staff-patient", args=[p.pk])
    assert "No phone number yet." in client.get(url).content.decode()
    response = client.post(reverse("staff-edit-contact", args=[p.pk]), _form())
    assert response.status_code == 302
    page = client.get(url).content.decode()
    start = page.index('class="patient-card"')
    header = page[start : page.index("</header>", start)]
    assert 'href="tel:+14155552671"' in header
    assert "Call +1 415-555-2671" in header
    assert "years old" in header
    assert "MRN <strong>A-1234</strong>" in header
    assert start < page.index('id="tasks"') < page.index('id="assessment-title"')


def test_a_bad_number_comes_back_inline_naming_the_field(
    client: Client, site: tuple[Clinic, User, Patient]
) -> None:
    _, alex, p = site
    client.force_login(alex)
    response = client.post(
        reverse("staff-edit-contact", args=[p.pk]), _form(phone_mobile="not a phone")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_contact-phone_mobile_error"' in page
    assert "Mobile phone is not a phone number." in page
    assert 'value="not a phone"' in page  # what was typed stays, to be corrected
    assert not PatientPhone.objects.exists()
    response = client.post(reverse("staff-edit-contact", args=[p.pk]), _form(date_of_birth="x"))
    assert response.status_code == 400
    assert "Enter a date like 1970-03-31." in response.content.decode()


def test_who_may_edit(client: Client, site: tuple[Clinic, User, Patient]) -> None:
    c, _, p = site
    ir = user("ir", c, Role.CLINICIAN)
    other = user("other", c, Role.ADVOCATE)
    url = reverse("staff-edit-contact", args=[p.pk])
    for who in (ir, other, p.user):
        assert who is not None
        client.force_login(who)
        assert client.post(url, _form()).status_code == 404
    assert not PatientPhone.objects.exists()
    client.force_login(user("boss", c, Role.ADMIN))
    assert client.post(url, _form()).status_code == 302
    assert PatientPhone.objects.get(patient=p).number == "+14155552671"


def test_enrolment_in_the_admin_takes_phones_details_and_mrn(admin_client: Client) -> None:
    c = clinic()
    data = {
        "clinic": str(c.pk), "name": "New Patient", "time_zone": "UTC",
        "tracked_symptoms": ["fatigue"],
        "phones-TOTAL_FORMS": "1", "phones-INITIAL_FORMS": "0",
        "phones-0-kind": "mobile", "phones-0-number": "(415) 555-2671", "phones-0-preferred": "on",
        "details-TOTAL_FORMS": "1", "details-INITIAL_FORMS": "0",
        "details-0-date_of_birth": "1980-01-02", "details-0-language": "en",
        "details-0-messages_by": "sms", "details-0-emergency_phone": "nonsense",
        "identifiers-TOTAL_FORMS": "1", "identifiers-INITIAL_FORMS": "0",
        "identifiers-0-system": "https://hospital.example/mrn", "identifiers-0-value": "M-77",
    }  # fmt: skip
    refused = admin_client.post("/admin/clinic/patient/add/", data)
    assert refused.status_code == 200
    assert "This number is not a phone number." in refused.content.decode()
    data["details-0-emergency_phone"] = ""
    assert admin_client.post("/admin/clinic/patient/add/", data).status_code == 302
    p = Patient.objects.get(name="New Patient")
    assert PatientPhone.objects.get(patient=p).number == "+14155552671"
    assert PatientDetails.objects.get(patient=p).messages_by == "sms"
    identifier = PatientIdentifier.objects.get(patient=p)
    assert (identifier.clinic_id, identifier.value) == (c.pk, "M-77")


def test_a_staff_members_phone_is_checked_in_the_admin(admin_client: Client) -> None:
    c = clinic()
    alex = user("alex2", c, Role.ADVOCATE)
    member = alex.member
    url = f"/admin/clinic/member/{member.pk}/change/"
    data = {"user": str(alex.pk), "clinic": str(c.pk), "role": "advocate", "phone": "12"}
    refused = admin_client.post(url, data).content.decode()
    assert "This number is not a valid phone number" in refused
    data["phone"] = "(617) 555-0123"
    assert admin_client.post(url, data).status_code == 302
    member.refresh_from_db()
    assert member.phone == "+16175550123"
