"""The FHIR REST read side over HTTP: reads and vreads with ETags, searches and their paging,
$everything's window, reach. Every answer passes tests/fhir_checks (schema, R4B, no empty
arrays) through the `fhir_client` fixture."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.fhir_checks import CheckedClient
from tests.fhir_fixtures import treated_patient
from tests.fhir_rest_fixtures import NOW, bearer, get
from tests.web_fixtures import D, clinic, patient, user
from venowatch.clinic.models import PatientDetails, PatientIdentifier, Role
from venowatch.fhir import codes
from venowatch.services.care.corrections import void
from venowatch.services.integration.fhir_export import fhir_base

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> tuple[Any, dict[str, str]]:
    p, advocate = treated_patient(NOW)
    return p, bearer(advocate)


def test_every_full_url_of_an_export_reads_back_as_the_same_resource(
    fhir_client: CheckedClient, world: tuple[Any, dict[str, str]]
) -> None:
    p, auth = world
    bundle = get(fhir_client, f"/fhir/r4/Patient/{p.pk}/$everything", auth).json()
    assert len(bundle["entry"]) == 10
    for entry in bundle["entry"]:
        assert entry["fullUrl"].startswith(f"{fhir_base()}/")
        read = get(fhir_client, entry["fullUrl"], auth)
        assert read.status_code == 200, entry["fullUrl"]
        got = {k: v for k, v in read.json().items() if k != "meta"}
        exported = entry["resource"]
        if exported["resourceType"] == "RiskAssessment":  # the stored one, not one as of now
            for same in ("id", "subject", "prediction", "basis", "method"):
                assert got[same] == exported[same]
        else:
            assert got == exported
    assert fhir_client.seen == 11


def test_a_read_has_a_version_an_etag_and_answers_304_to_that_etag(
    fhir_client: CheckedClient, world: tuple[Any, dict[str, str]]
) -> None:
    p, auth = world
    answer = get(fhir_client, f"/fhir/r4/Patient/{p.pk}", auth)
    version = answer.json()["meta"]["versionId"]
    assert answer["ETag"] == f'W/"{version}"'
    assert answer.json()["meta"]["lastUpdated"].endswith("+00:00")
    assert answer["Last-Modified"].endswith("GMT")
    again = get(fhir_client, f"/fhir/r4/Patient/{p.pk}", auth, If_None_Match=answer["ETag"])
    assert again.status_code == 304
    other = get(fhir_client, f"/fhir/r4/Patient/{p.pk}", auth, If_None_Match='W/"other"')
    assert other.status_code == 200
    vread = get(fhir_client, f"/fhir/r4/Patient/{p.pk}/_history/{version}", auth)
    assert vread.status_code == 200
    assert vread.json()["id"] == str(p.pk)
    old = get(fhir_client, f"/fhir/r4/Patient/{p.pk}/_history/1", auth)
    assert old.status_code == 404
    assert "only the current version" in old.json()["issue"][0]["diagnostics"]


def test_a_change_of_the_patient_is_a_new_version(
    fhir_client: CheckedClient, world: tuple[Any, dict[str, str]]
) -> None:
    p, auth = world
    before = get(fhir_client, f"/fhir/r4/Patient/{p.pk}", auth)
    PatientIdentifier.objects.create(clinic=p.clinic, patient=p, system="urn:mrn", value="77")
    after = get(fhir_client, f"/fhir/r4/Patient/{p.pk}", auth, If_None_Match=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]


def test_a_voided_record_reads_as_entered_in_error_and_leaves_the_searches(
    fhir_client: CheckedClient, world: tuple[Any, dict[str, str]]
) -> None:
    p, auth = world
    checkin = p.checkins.order_by("at").first()
    assert checkin is not None
    before = get(fhir_client, f"/fhir/r4/Observation/checkin-{checkin.pk}", auth)
    void(checkin, reason="entered for the wrong patient", by=None, now=NOW)
    read = get(fhir_client, f"/fhir/r4/Observation/checkin-{checkin.pk}", auth)
    assert read.json()["status"] == "entered-in-error"
    assert read["ETag"] != before["ETag"]
    found = get(fhir_client, f"/fhir/r4/QuestionnaireResponse?patient={p.pk}", auth).json()
    assert found["total"] == 1
    assert f"checkin-{checkin.pk}" not in [e["resource"]["id"] for e in found["entry"]]


@pytest.mark.parametrize(
    "path",
    ["Patient/{p}", "Observation/lab-{lab}", "RiskAssessment/assessment-{p}",
     "Procedure?patient={p}", "Patient/{p}/$everything"],
)  # fmt: skip
def test_out_of_reach_is_a_404_and_no_token_a_401_asking_for_a_bearer_token(
    fhir_client: CheckedClient, world: tuple[Any, dict[str, str]], path: str
) -> None:
    p, _ = world
    lab = p.labs.first()
    assert lab is not None
    url = "/fhir/r4/" + path.format(p=p.pk, lab=lab.pk)
    stranger = bearer(user("stranger", clinic("Elsewhere"), Role.ADVOCATE))
    anonymous = fhir_client.get(url)
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    if "?" in path:  # a search finds nothing out of reach
        assert get(fhir_client, url, stranger).json()["total"] == 0
    else:
        assert get(fhir_client, url, stranger).status_code == 404


def test_the_definitions_are_read_and_searched_without_a_token(fhir_client: CheckedClient) -> None:
    read = fhir_client.get("/fhir/r4/Questionnaire/venowatch-checkin")
    assert read.json()["url"] == codes.CHECKIN_QUESTIONNAIRE
    assert "lastUpdated" not in read.json()["meta"]  # not recorded: not made up
    found = fhir_client.get(f"/fhir/r4/Questionnaire?url={codes.CHECKIN_QUESTIONNAIRE}").json()
    assert found["total"] == 1
    assert fhir_client.get("/fhir/r4/Questionnaire?url=urn:other").json()["total"] == 0
    assert fhir_client.get("/fhir/r4/CodeSystem/pgic").json()["count"] == 7


def ids(bundle: dict[str, Any]) -> list[str]:
    return [e["resource"]["id"] for e in bundle.get("entry", [])]


def test_patients_are_found_by_identifier_name_and_birth_date(
    fhir_client: CheckedClient, world: tuple[Any, dict[str, str]]
) -> None:
    p, auth = world
    other = patient("Zoë Ångström", p.clinic, advocate=p.advocate)
    PatientIdentifier.objects.create(clinic=p.clinic, patient=other, system="urn:mrn", value="9")
    PatientDetails.objects.create(patient=other, date_of_birth=date(1961, 4, 2))

    def found(query: str) -> list[str]:
        return ids(get(fhir_client, f"/fhir/r4/Patient?{query}", auth).json())

    assert found("identifier=urn:mrn|9") == [str(other.pk)]
    assert found("identifier=urn:other|9") == []
    assert found("identifier=9") == [str(other.pk)]
    assert found(f"identifier={fhir_base()}/Patient|{p.pk}") == [str(p.pk)]
    assert found("name=zoe") == [str(other.pk)]
    assert found("name=angst") == [str(other.pk)]  # a word of the name, accents off
    assert found("name=ngst") == []  # FHIR's string search: the start of a word
    assert found("name=kel") == [str(p.pk)]
    assert found("birthdate=1961-04-02") == [str(other.pk)]
    assert found("birthdate=1961") == [str(other.pk)]
    assert found("birthdate=lt1961-04-02") == []
    assert found("birthdate=ge1961-04-02&name=zo") == [str(other.pk)]
    assert sorted(found("")) == sorted([str(p.pk), str(other.pk)])


def test_observations_by_category_code_and_date_range(
    fhir_client: CheckedClient, world: tuple[Any, dict[str, str]]
) -> None:
    p, auth = world

    def found(query: str) -> list[str]:
        return ids(get(fhir_client, f"/fhir/r4/Observation?patient={p.pk}&{query}", auth).json())

    assert len(found("")) == 4
    assert all(i.startswith("checkin-") for i in found("category=survey"))
    assert len(found("category=survey")) == 2
    assert len(found(f"category={codes.OBSERVATION_CATEGORY}|laboratory")) == 2
    assert len(found(f"code={codes.VENOWATCH_SYSTEM}|blood-tests")) == 1
    assert len(found("code=blood-tests,urine-tests")) == 2
    assert found("code=urn:other|blood-tests") == []
    recent = (NOW - 11 * D).date().isoformat()
    assert len(found(f"date=ge{recent}")) == 3  # a check-in 10 days ago and both labs
    assert len(found(f"date=ge{recent}&date=le{(NOW - 3 * D).date()}")) == 2
    assert found(f"date=ge{recent}&category=survey") == found(f"date=gt{recent}&category=survey")
    assert len(found(f"patient=Patient/{p.pk}")) == 4


def test_procedures_responses_and_assessments_by_patient_and_date(
    fhir_client: CheckedClient, world: tuple[Any, dict[str, str]]
) -> None:
    p, auth = world

    def total(query: str) -> int:
        answer: int = get(fhir_client, f"/fhir/r4/{query}", auth).json()["total"]
        return answer

    assert total(f"Procedure?patient={p.pk}") == 2
    assert total(f"Procedure?patient={p.pk}&date={(NOW - 40 * D).date()}") == 1
    assert total(f"QuestionnaireResponse?patient={p.pk}") == 2
    assert total(f"QuestionnaireResponse?questionnaire={codes.CHECKIN_QUESTIONNAIRE}") == 2
    assert total("QuestionnaireResponse?questionnaire=urn:other") == 0
    assert total(f"QuestionnaireResponse?authored=lt{(NOW - 20 * D).date()}") == 1
    assessed = get(fhir_client, f"/fhir/r4/RiskAssessment?patient={p.pk}", auth).json()
    assert ids(assessed) == [f"assessment-{p.pk}"]


def test_pages_follow_next_and_previous_links_to_every_match_once(
    fhir_client: CheckedClient, world: tuple[Any, dict[str, str]]
) -> None:
    p, auth = world
    url = f"/fhir/r4/Observation?patient={p.pk}&_count=3"
    seen: list[str] = []
    pages = 0
    while url:
        bundle = get(fhir_client, url, auth).json()
        assert bundle["total"] == 4
        seen += ids(bundle)
        links = {link["relation"]: link["url"] for link in bundle["link"]}
        url = links.get("next", "")
        pages += 1
    assert pages == 2
    assert len(seen) == len(set(seen)) == 4
    back = get(fhir_client, links["previous"], auth).json()
    assert ids(back) == seen[:3]


def test_unknown_parameters_are_ignored_and_left_out_of_self_or_refused_when_strict(
    fhir_client: CheckedClient, world: tuple[Any, dict[str, str]]
) -> None:
    p, auth = world
    url = f"/fhir/r4/Procedure?patient={p.pk}&colour=blue"
    lenient = get(fhir_client, url, auth).json()
    assert lenient["total"] == 2
    self_link = next(link["url"] for link in lenient["link"] if link["relation"] == "self")
    assert "colour" not in self_link
    assert f"patient={p.pk}" in self_link
    strict = get(fhir_client, url, auth, Prefer="handling=strict")
    assert strict.status_code == 400
    assert "colour" in strict.json()["issue"][0]["diagnostics"]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("date=2024-13-01", "not a date on the calendar"),
        ("date=sa2024-01-01", "the prefix sa is not supported"),
        ("date=yesterday", "not a FHIR date"),
        ("_count=many", "expected a whole number"),
        ("_count=100000", "at most 500"),
        ("patient:missing=true", "modifier :missing is not supported"),
    ],
)
def test_a_bad_search_is_a_400_naming_the_parameter(
    fhir_client: CheckedClient, world: tuple[Any, dict[str, str]], query: str, words: str
) -> None:
    _, auth = world
    answer = get(fhir_client, f"/fhir/r4/Procedure?{query}", auth)
    assert answer.status_code == 400
    diagnostics = answer.json()["issue"][0]["diagnostics"]
    assert words in diagnostics
    assert diagnostics.startswith(f"Procedure?{query.split('=')[0]}")


def test_everything_honours_count_start_end_and_since(
    fhir_client: CheckedClient, world: tuple[Any, dict[str, str]]
) -> None:
    p, auth = world
    url = f"/fhir/r4/Patient/{p.pk}/$everything"

    def kinds(query: str) -> list[str]:
        bundle = get(fhir_client, f"{url}?{query}", auth).json()
        return [e["resource"]["resourceType"] for e in bundle.get("entry", [])]

    assert kinds(f"start={(NOW - 6 * D).date()}") == ["Patient", "Observation", "Observation",
                                                       "RiskAssessment"]  # fmt: skip
    assert kinds(f"end={(NOW - 39 * D).date()}") == ["Patient", "Procedure", "Procedure",
                                                     "RiskAssessment"]  # fmt: skip
    assert kinds("_since=2999-01-01") == ["Patient", "RiskAssessment"]
    assert len(kinds("")) == 10
    first = get(fhir_client, f"{url}?_count=5", auth).json()
    assert len(first["entry"]) == 5
    following = next(link["url"] for link in first["link"] if link["relation"] == "next")
    rest = get(fhir_client, following, auth).json()
    assert len(rest["entry"]) == 5
    assert get(fhir_client, f"{url}?start=soon", auth).status_code == 400


def test_a_patient_without_records_reads_and_exports_without_empty_arrays(
    fhir_client: CheckedClient,
) -> None:
    c = clinic("Fresh")
    advocate = user("fresh.advocate", c, Role.ADVOCATE)
    newcomer = patient("New Comer", c, advocate=advocate)
    auth = bearer(advocate)
    for url in (
        f"RiskAssessment/assessment-{newcomer.pk}",
        f"Patient/{newcomer.pk}/$everything",
        f"RiskAssessment?patient={newcomer.pk}",
        f"Observation?patient={newcomer.pk}",
    ):
        assert get(fhir_client, f"/fhir/r4/{url}", auth).status_code == 200  # and checked
    assert fhir_client.seen == 4


@pytest.mark.parametrize(
    "path",
    ["Patient/0{p}", "Patient/-{p}", "Procedure/-{proc}", "Observation/lab-0{lab}",
     "Observation/{lab}", "Observation/procedure-{proc}", "RiskAssessment/{p}",
     "QuestionnaireResponse/lab-{lab}", "Patient/99999999999999999999"],
)  # fmt: skip
def test_an_id_is_read_only_as_the_export_writes_it(
    fhir_client: CheckedClient, world: tuple[Any, dict[str, str]], path: str
) -> None:
    p, auth = world
    lab, proc = p.labs.first(), p.procedures.first()
    assert lab is not None
    assert proc is not None
    url = "/fhir/r4/" + path.format(p=p.pk, lab=lab.pk, proc=proc.pk)
    assert get(fhir_client, url, auth).status_code == 404
