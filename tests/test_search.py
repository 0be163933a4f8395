"""Finding a patient (issue 11): the worklist and the API search by any part of the name, in
any case and with or without accents, or by an identifier's whole value; results keep the
worklist's order and its pages; only the patients the list would show are found."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.api_fixtures import Api
from tests.staff_fixtures import possible_clot, signed_in, text
from tests.web_fixtures import clinic, patient, user
from venowatch.clinic.models import (
    Clinic,
    Patient,
    PatientIdentifier,
    PatientPhone,
    PhoneKind,
    Role,
)
from venowatch.services.care.search import fold, matching

pytestmark = pytest.mark.django_db
MRN = "urn:oid:1.2.36.146.595.217.0.1"


def names(response: object) -> list[str]:
    return [row["patient"].name for row in response.context["rows"]]  # type: ignore[attr-defined]


def known_as(p: Patient, value: str) -> None:
    PatientIdentifier.objects.create(clinic=p.clinic, patient=p, system=MRN, value=value)


@pytest.fixture
def now() -> datetime:
    return timezone.now()


@pytest.fixture
def place() -> Clinic:
    return clinic()


def test_fold_takes_off_case_and_accents() -> None:
    assert fold("José MÜLLER-Łukasz Øre Ça") == "jose muller-lukasz ore ca"
    assert fold("Zoë Ångström") == "zoe angstrom"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("jose", ["José Müller"]),
        ("MÜLL", ["José Müller"]),
        ("muller", ["José Müller"]),
        ("  josé   müller ", ["José Müller"]),
        ("angstr", ["Zoë Ångström"]),
        ("ZOE", ["Zoë Ångström"]),
        ("mrn-00123", ["Zoë Ångström"]),  # an identifier's whole value, any case
        ("00123", []),  # not part of one: an MRN is not a name
        ("%", []),  # SQL's wildcards are text here
        ("_", []),
        ("", ["José Müller", "Plain Person", "Zoë Ångström"]),
    ],
)
def test_matching_finds_by_folded_name_or_identifier(
    place: Clinic, query: str, found: list[str]
) -> None:
    patient("José Müller", place, login=False)
    known_as(patient("Zoë Ångström", place, login=False), "MRN-00123")
    patient("Plain Person", place, login=False)
    rows = matching(Patient.objects.order_by("name"), query)
    assert [p.name for p in rows] == found


def test_the_worklist_finds_patients_in_its_order_and_only_in_care(
    client: Client, place: Clinic, now: datetime
) -> None:
    alex = user("alex", place, Role.ADVOCATE)
    jordan = user("jordan", place, Role.ADVOCATE)
    ir = user("dr.ruiz", place, Role.CLINICIAN)
    patient("Ana Quiet", place, alex)
    clot = patient("Ána Clot", place, alex)
    possible_clot(clot, ir, now)
    patient("Ana Elsewhere", place, jordan)  # a colleague's: not found by alex
    patient("Bob Other", place, alex)
    signed_in(client, alex)
    response = client.get(reverse("worklist"), {"q": "ana"})
    assert response.status_code == 200
    assert names(response) == ["Ána Clot", "Ana Quiet"]  # the emergency first, as unfiltered
    page = text(response)
    assert 'value="ana"' in page  # the box keeps what was searched
    assert names(client.get(reverse("worklist"), {"q": "nobody"})) == []
    assert "No patients match." in text(client.get(reverse("worklist"), {"q": "nobody"}))


def test_a_search_pages_beyond_fifty_and_keeps_the_search(client: Client, place: Clinic) -> None:
    alex = user("alex", place, Role.ADVOCATE)
    for i in range(62):
        patient(f"Sample {i:02}", place, alex, login=False)
    patient("Someone Else", place, alex, login=False)
    signed_in(client, alex)
    first = client.get(reverse("worklist"), {"q": "sample"})
    assert len(names(first)) == 50
    assert "?q=sample&amp;page=2" in text(first)
    second = client.get(reverse("worklist"), {"q": "sample", "page": "2"})
    assert names(second) == [f"Sample {i:02}" for i in range(50, 62)]


def test_a_search_too_long_is_named_on_the_field(client: Client, place: Clinic) -> None:
    signed_in(client, user("alex", place, Role.ADVOCATE))
    response = client.get(reverse("worklist"), {"q": "x" * 101})
    assert response.status_code == 400
    assert "Ensure this value has at most 100 characters" in text(response)


def test_the_api_searches_the_same_way(place: Clinic, now: datetime) -> None:
    alex = user("alex", place, Role.ADVOCATE)
    known_as(patient("Zoë Ångström", place, alex), "MRN-77")
    patient("Zoe Other", place, user("jordan", place, Role.ADVOCATE))
    api = Api(alex)
    for query in ("zoe", "ÅNGSTRÖM", "mrn-77"):
        found = api.get("/patients", q=query).json()["items"]
        assert [p["name"] for p in found] == ["Zoë Ångström"], query
    too_long = api.get("/patients", q="x" * 101)
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["loc"] == ["query", "q"]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("(617) 555-0142", ["Zoë Ångström"]),  # as people write it
        ("+16175550142", ["Zoë Ångström"]),  # as it is stored
        ("0142", ["Zoë Ångström"]),  # the last four
        ("014", []),  # too few digits to mean a phone
        ("555", []),
        ("555 01", ["Plain Person", "Zoë Ångström"]),  # digits both numbers hold
    ],
)
def test_matching_finds_by_the_digits_of_a_phone(
    place: Clinic, query: str, found: list[str]
) -> None:
    zoe = patient("Zoë Ångström", place, login=False)
    PatientPhone.objects.create(patient=zoe, kind=PhoneKind.MOBILE, number="+16175550142")
    other = patient("Plain Person", place, login=False)
    PatientPhone.objects.create(patient=other, kind=PhoneKind.HOME, number="+16175550199")
    rows = matching(Patient.objects.order_by("name"), query)
    assert [p.name for p in rows] == found
