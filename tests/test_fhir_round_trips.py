"""Faithful round trips: an export keeps the codes and demographics an import read; import
reads DiagnosticReport panels and other PGIC questionnaires a clinic maps; no output holds an
empty array or object; the official examples import with every skip named, or not at all."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from tests.conftest import SHARED, load_json
from tests.fhir_fixtures import schema_errors
from tests.web_fixtures import clinic, user
from venowatch.clinic.models import (
    CheckIn,
    Clinic,
    Lab,
    Patient,
    PatientIdentifier,
    PgicScale,
    PgicScaleAnswer,
    Procedure,
    Role,
)
from venowatch.fhir import codes
from venowatch.protocol import LabResult, Pgic
from venowatch.security.models import Scope
from venowatch.services.demo import DEMO_CLINIC, create_demo
from venowatch.services.integration.fhir_export import export_patient
from venowatch.services.integration.fhir_import import ImportRefusedError, import_bundle
from venowatch.services.security import tokens

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
EXAMPLES = sorted((SHARED / "fhir" / "r4-examples").glob("*.json"))
MRN = "http://hospital.example.org/mrn"
OTHER_PGIC = "http://ehr.example.org/Questionnaire/pgic"


def empties(value: Any, path: str = "$") -> list[str]:
    """Every empty array or object in `value` (FHIR JSON forbids both)."""
    if isinstance(value, dict):
        found = [path] if not value else []
        return found + [p for k, v in value.items() for p in empties(v, f"{path}.{k}")]
    if isinstance(value, list):
        found = [path] if not value else []
        return found + [p for i, v in enumerate(value) for p in empties(v, f"{path}[{i}]")]
    return []


def test_empties_finds_what_it_looks_for() -> None:
    assert empties({"a": [], "b": {"c": {}}, "d": [1]}) == ["$.a", "$.b.c"]


def test_no_exported_resource_of_the_demo_clinic_holds_an_empty_array_or_object() -> None:
    create_demo(NOW)
    patients = Patient.objects.filter(clinic__name=DEMO_CLINIC)
    assert patients.count() >= 5
    walked = 0
    for p in patients:
        bundle = export_patient(p, now=NOW)
        assert empties(bundle) == [], p.name
        assert schema_errors(bundle) == [], p.name
        for entry in bundle["entry"]:
            assert schema_errors(entry["resource"]) == [], entry["resource"]["id"]
            walked += 1
    assert walked > 50


def ehr_bundle() -> dict[str, Any]:
    """What an EHR sends: coded the EHR's way, with the patient's demographics."""
    subject = {"reference": "urn:uuid:p1"}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:p1", "resource": {
                "resourceType": "Patient",
                "identifier": [{"system": MRN, "value": "A-1234"}],
                "name": [{"use": "official", "family": "Okafor", "given": ["Ngozi", "Ada"]}],
                "gender": "female",
                "birthDate": "1971-04-02",
                "telecom": [
                    {"system": "phone", "value": "+1 617 555 0142", "use": "mobile"},
                    {"system": "email", "value": "ngozi@example.org"},
                ],
            }},
            {"fullUrl": "urn:uuid:v1", "resource": {
                "resourceType": "Procedure", "status": "completed", "subject": subject,
                "code": {"coding": [{"system": codes.SNOMED, "code": codes.SNOMED_VENOPLASTY,
                                     "display": "Angioplasty of vein"}]},
                "bodySite": [{"coding": [{"system": codes.SNOMED, "code": "7657000",
                                          "display": "Femoral vein"}],
                              "text": "left femoral vein"}],
                "performedDateTime": "2026-10-01T09:00:00+02:00",
            }},
            {"fullUrl": "urn:uuid:l1", "resource": {
                "resourceType": "Observation", "status": "final", "subject": subject,
                "code": {"coding": [{"system": codes.LOINC, "code": "58410-2",
                                     "display": "CBC panel - Blood by Automated count"}]},
                "effectiveDateTime": "2026-10-20T08:00:00+02:00",
                "interpretation": [{"coding": [{"system": codes.INTERPRETATION, "code": "N"}]}],
            }},
        ],
    }  # fmt: skip


def by_type(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind
    )
    return found


def test_an_export_keeps_the_codes_identifiers_and_demographics_an_import_read() -> None:
    c = clinic()
    import_bundle(c, ehr_bundle(), by=None, now=NOW)
    (p,) = Patient.objects.filter(clinic=c)
    out = export_patient(p, now=NOW)
    patient = by_type(out, "Patient")
    assert {"system": MRN, "value": "A-1234"} in patient["identifier"]
    assert patient["name"] == [
        {"text": "Ngozi Ada Okafor", "family": "Okafor", "given": ["Ngozi", "Ada"]}
    ]
    assert (patient["gender"], patient["birthDate"]) == ("female", "1971-04-02")
    assert patient["telecom"] == [
        {"system": "phone", "value": "+16175550142", "use": "mobile", "rank": 1}
    ]
    procedure = by_type(out, "Procedure")
    assert procedure["code"]["coding"][0]["code"] == codes.SNOMED_VENOPLASTY
    assert sum(c["system"] == codes.SNOMED for c in procedure["code"]["coding"]) == 1
    assert procedure["bodySite"] == [{
        "text": "left femoral vein",
        "coding": [{"system": codes.SNOMED, "code": "7657000", "display": "Femoral vein"}],
    }]  # fmt: skip
    lab = next(r for r in (e["resource"] for e in out["entry"]) if r["id"].startswith("lab-"))
    loinc = {
        "system": codes.LOINC,
        "code": "58410-2",
        "display": "CBC panel - Blood by Automated count",
    }
    assert loinc in lab["code"]["coding"]
    assert empties(out) == []
    for entry in out["entry"]:
        assert schema_errors(entry["resource"]) == []


def test_a_read_and_a_search_give_the_codes_and_demographics_the_export_gives() -> None:
    """The REST reads are built as $everything is (services.integration.fhir_records)."""
    c = clinic()
    staff = user("ines", c, Role.ADVOCATE)
    import_bundle(c, ehr_bundle(), by=staff, now=NOW)
    (p,) = Patient.objects.filter(clinic=c)
    auth = {"Authorization": f"Bearer {tokens.issue(staff, name='app', scope=Scope.READ)[1]}"}
    out = export_patient(p)
    for entry in out["entry"]:
        exported = entry["resource"]
        if exported["resourceType"] == "RiskAssessment":
            continue  # the stored assessment, not one as of now: tests/test_fhir_rest.py
        read = Client().get(f"/fhir/r4/{exported['resourceType']}/{exported['id']}", headers=auth)
        assert read.status_code == 200, exported["id"]
        assert {k: v for k, v in read.json().items() if k != "meta"} == exported
    found = Client().get(f"/fhir/r4/Patient?_id={p.pk}", headers=auth).json()
    (searched,) = [e["resource"] for e in found["entry"]]
    assert searched["telecom"] == by_type(out, "Patient")["telecom"]
    assert searched["gender"] == "female"


def test_the_export_imports_elsewhere_with_the_same_codes_and_demographics() -> None:
    first = clinic()
    import_bundle(first, ehr_bundle(), by=None, now=NOW)
    (p,) = Patient.objects.filter(clinic=first)
    once = export_patient(p, now=NOW)
    second = clinic("Second clinic")
    import_bundle(second, once, by=None, now=NOW)
    (q,) = Patient.objects.filter(clinic=second)
    twice = export_patient(q, now=NOW)
    for kind in ("Procedure", "Patient"):
        a, b = by_type(once, kind), by_type(twice, kind)
        keep = ("code", "bodySite") if kind == "Procedure" else ("name", "gender", "birthDate",
                                                                  "telecom")  # fmt: skip
        assert {k: a.get(k) for k in keep} == {k: b.get(k) for k in keep}


def test_an_import_never_overwrites_a_phone_or_birth_date_the_clinic_recorded() -> None:
    c = clinic()
    import_bundle(c, ehr_bundle(), by=None, now=NOW)
    changed = ehr_bundle()
    changed["entry"][0]["resource"]["birthDate"] = "1980-01-01"
    changed["entry"][0]["resource"]["telecom"][0]["value"] = "+1 617 555 0199"
    report = import_bundle(c, changed, by=None, now=NOW)
    (p,) = Patient.objects.filter(clinic=c)
    assert p.details.date_of_birth == date(1971, 4, 2)
    assert list(p.phones.values_list("number", flat=True)) == ["+16175550142"]
    assert any("+1 617 555 0199: not kept" in line for line in report.summary()), report.summary()


def report_bundle(*results: tuple[str, str, str | None]) -> dict[str, Any]:
    """A CBC DiagnosticReport with its result Observations (id, text, flag)."""
    bundle = ehr_bundle()
    del bundle["entry"][2]
    report: dict[str, Any] = {
        "resourceType": "DiagnosticReport", "id": "cbc", "status": "final",
        "subject": {"reference": "urn:uuid:p1"},
        "code": {"coding": [{"system": codes.LOINC, "code": "58410-2"}]},
        "effectiveDateTime": "2026-10-20T08:00:00+02:00",
        "result": [{"reference": f"Observation/{id_}"} for id_, _, _ in results],
    }  # fmt: skip
    bundle["entry"].append({"resource": report})
    for id_, text, flag in results:
        observation: dict[str, Any] = {
            "resourceType": "Observation", "id": id_, "status": "final",
            "subject": {"reference": "urn:uuid:p1"}, "code": {"text": text},
            "effectiveDateTime": "2026-10-20T08:00:00+02:00",
        }  # fmt: skip
        if flag:
            observation["interpretation"] = [
                {"coding": [{"system": codes.INTERPRETATION, "code": flag}]}
            ]
        bundle["entry"].append({"resource": observation})
    return bundle


def test_a_diagnostic_report_panel_is_one_lab_read_from_its_results() -> None:
    c = clinic()
    bundle = report_bundle(("hb", "Haemoglobin", "L"), ("wbc", "Leucocytes", "N"))
    report = import_bundle(c, bundle, by=None, now=NOW)
    (lab,) = Lab.objects.filter(patient__clinic=c)
    assert (lab.kind.value, lab.result, lab.finding) == ("blood", LabResult.ABNORMAL, "Haemoglobin")
    assert lab.codings == [{"system": codes.LOINC, "code": "58410-2"}]
    reasons = {s.id: s.reason for s in report.skipped}
    assert (
        reasons["hb"]
        == reasons["wbc"]
        == "a result of DiagnosticReport/cbc, read with it as one test"
    )
    assert dict(report.stored) == {"Procedure": 1, "DiagnosticReport": 1}


def test_a_panel_whose_result_says_nothing_is_skipped_naming_the_result() -> None:
    c = clinic()
    report = import_bundle(c, report_bundle(("hb", "Haemoglobin", None)), by=None, now=NOW)
    reasons = {s.id: s.reason for s in report.skipped}
    assert reasons["cbc"].startswith(
        "DiagnosticReport.result[0] (Observation/hb) has no interpretation"
    )
    assert Lab.objects.filter(patient__clinic=c).count() == 0


def pgic_response(
    answer: dict[str, Any], authored: str = "2026-10-10T10:00:00+02:00"
) -> dict[str, Any]:
    return {
        "resourceType": "QuestionnaireResponse", "status": "completed",
        "questionnaire": f"{OTHER_PGIC}|2.0", "subject": {"reference": "urn:uuid:p1"},
        "authored": authored,
        "item": [{"linkId": "section", "item": [{"linkId": "impression", "answer": [answer]}]}],
    }  # fmt: skip


def mapped(c: Clinic) -> None:
    scale = PgicScale.objects.create(clinic=c, questionnaire=OTHER_PGIC, link_id="impression")
    PgicScaleAnswer.objects.create(scale=scale, code="LA-much-better", means=Pgic.MUCH_IMPROVED)
    PgicScaleAnswer.objects.create(scale=scale, ordinal=Decimal(6), means=Pgic.MUCH_WORSE)


def with_responses(*responses: dict[str, Any]) -> dict[str, Any]:
    bundle = ehr_bundle()
    bundle["entry"] += [{"resource": r} for r in responses]
    return bundle


def test_another_pgic_questionnaire_is_read_by_answer_code_or_ordinal_value() -> None:
    c = clinic()
    mapped(c)
    by_code = pgic_response(
        {"valueCoding": {"system": "http://ehr.example.org", "code": "LA-much-better"}}
    )
    by_ordinal = pgic_response(
        {"valueCoding": {"code": "LA-7", "extension": [
            {"url": codes.ORDINAL_VALUE, "valueDecimal": 6}]}},
        authored="2026-10-12T10:00:00+02:00",
    )  # fmt: skip
    by_integer = pgic_response({"valueInteger": 6}, authored="2026-10-14T10:00:00+02:00")
    import_bundle(c, with_responses(by_code, by_ordinal, by_integer), by=None, now=NOW)
    answers = list(
        CheckIn.objects.filter(patient__clinic=c).order_by("at").values_list("pgic", flat=True)
    )
    assert answers == [Pgic.MUCH_IMPROVED, Pgic.MUCH_WORSE, Pgic.MUCH_WORSE]


def test_an_unmapped_answer_or_questionnaire_is_skipped_saying_so() -> None:
    c = clinic()
    unknown = pgic_response({"valueCoding": {"code": "LA-odd"}})
    report = import_bundle(c, with_responses(unknown), by=None, now=NOW)
    (reason,) = [s.reason for s in report.skipped if s.resource_type == "QuestionnaireResponse"]
    assert "the PGIC questionnaires a clinic maps in its settings" in reason
    mapped(c)
    report = import_bundle(c, with_responses(unknown), by=None, now=NOW)
    (reason,) = [s.reason for s in report.skipped if s.resource_type == "QuestionnaireResponse"]
    assert "answers the code 'LA-odd', which this clinic's mapping" in reason
    assert CheckIn.objects.filter(patient__clinic=c).count() == 0


def counts(c: Clinic) -> tuple[int, ...]:
    mine = {"patient__clinic": c}
    return (
        Patient.objects.filter(clinic=c).count(),
        PatientIdentifier.objects.filter(clinic=c).count(),
        Procedure.objects.filter(**mine).count(),
        CheckIn.objects.filter(**mine).count(),
        Lab.objects.filter(**mine).count(),
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_official_example_imports_with_each_entry_answered_or_not_at_all(path: Any) -> None:
    data = load_json(path)
    bundle = data if data["resourceType"] == "Bundle" else {
        "resourceType": "Bundle", "type": "collection", "entry": [{"resource": data}],
    }  # fmt: skip
    c = clinic()
    try:
        report = import_bundle(c, bundle, by=None, now=NOW)
    except ImportRefusedError:
        assert counts(c) == (0, 0, 0, 0, 0)  # nothing half-imported
        return
    # Every entry is accounted for: stored, found again, or skipped with its reason.
    assert set(report.entries) == set(range(len(bundle.get("entry") or ())))
    assert all(s.reason for s in report.skipped)
    assert all(e.status.startswith(("200", "201")) for e in report.entries.values())


def test_the_official_transaction_example_skips_its_updates_deletes_and_reads_by_name() -> None:
    data = load_json(SHARED / "fhir" / "r4-examples" / "Bundle-bundle-transaction.json")
    report = import_bundle(clinic(), data, by=None, now=NOW)
    reasons = [s.reason for s in report.skipped]
    assert (
        "Bundle.entry[2].request.method is PUT: an import only adds records; venowatch never "
        "updates or deletes one from another system"
    ) in reasons
    assert any(r.startswith("Bundle.entry[5].request.method is DELETE") for r in reasons)
    assert any(r.startswith("Bundle.entry[8].request.method is GET") for r in reasons)


def test_the_admin_edits_a_pgic_mapping_as_a_table() -> None:
    c = clinic()
    admin = user("ada", c, Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/clinic/pgicscale/add/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="answers-0-code"' in html
    assert 'name="answers-0-ordinal"' in html
    assert 'name="answers-6-means"' in html


def test_patient_12_of_another_server_s_export_is_not_patient_12_here() -> None:
    c = clinic()
    import_bundle(c, ehr_bundle(), by=None, now=NOW)
    (p,) = Patient.objects.filter(clinic=c)
    observation = ehr_bundle()["entry"][2]["resource"]
    observation["subject"] = {"reference": f"Patient/{p.pk}"}
    observation["effectiveDateTime"] = "2026-10-25T08:00:00+02:00"
    alone: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": observation}],
    }
    report = import_bundle(c, alone, by=None, now=NOW)
    assert report.stored == {}
    assert report.skipped[0].reason == f"its patient Patient/{p.pk} is not in the bundle"
    request = {"method": "POST", "url": "Observation"}
    sent_here = {
        **alone,
        "type": "transaction",
        "entry": [{"resource": observation, "request": request}],
    }
    assert dict(import_bundle(c, sent_here, by=None, now=NOW).stored) == {"Observation": 1}
