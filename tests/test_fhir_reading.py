"""Reading FHIR R4 resources into the engine's timeline (venowatch.fhir.reading)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from tests.conftest import SHARED, load_json
from venowatch.fhir import codes
from venowatch.fhir.reading import Skipped, read, read_timeline
from venowatch.protocol import CheckIn, Lab, LabKind, LabResult, Pgic, Procedure, ProcedureKind

PLUS2 = timezone(timedelta(hours=2))
PGIC = codes.PGIC_SYSTEM
OURS = codes.VENOWATCH_SYSTEM


def procedure(id_: str = "p1", code: str = codes.SNOMED_VENOPLASTY, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "id": id_,
        "status": "completed",
        "code": {"coding": [{"system": codes.SNOMED, "code": code}]},
        "subject": {"reference": "Patient/42"},
        "performedDateTime": "2026-03-01T09:30:00+02:00",
        **extra,
    }


def response(id_: str = "q1", answer: str = "much_worse", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "QuestionnaireResponse",
        "id": id_,
        "questionnaire": codes.CHECKIN_QUESTIONNAIRE,
        "status": "completed",
        "subject": {"reference": "Patient/42"},
        "authored": "2026-03-01T20:00:00+02:00",
        "item": [
            {"linkId": "pgic", "answer": [{"valueCoding": {"system": PGIC, "code": answer}}]},
            {"linkId": "symptoms-returned", "answer": [{"valueBoolean": True}]},
            {"linkId": "symptoms", "item": [
                {"linkId": "symptoms.name", "answer": [{"valueString": "fatigue"}]},
                {"linkId": "symptoms.rating", "answer": [{"valueInteger": 7}]},
            ]},
            {"linkId": "note", "answer": [{"valueString": "tired again"}]},
        ],
        **extra,
    }  # fmt: skip


def lab(interpretation: str | None = "A", code: str = "24356-8", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "resourceType": "Observation",
        "id": "l1",
        "status": "final",
        "code": {"coding": [{"system": codes.LOINC, "code": code}]},
        "subject": {"reference": "Patient/42"},
        "effectiveDateTime": "2026-03-05T08:00:00Z",
        "valueString": "leucocytes",
        **extra,
    }
    if interpretation is not None:
        data["interpretation"] = [
            {"coding": [{"system": codes.INTERPRETATION, "code": interpretation}]}
        ]
    return data


def reasons(skipped: tuple[Skipped, ...]) -> dict[str | None, str]:
    return {s.id: s.reason for s in skipped}


def test_a_venoplasty_is_snomed_angioplasty_of_vein_with_its_veins_and_note() -> None:
    veins = [{"text": "left internal jugular"}, {"coding": [{"display": "azygos"}]}]
    timeline, skipped = read_timeline(
        [procedure(bodySite=veins, note=[{"text": "balloon 12 mm"}])], "42"
    )
    at = datetime(2026, 3, 1, 9, 30, tzinfo=PLUS2)
    assert timeline.procedures == (
        Procedure(
            ProcedureKind.VENOPLASTY, at, ("left internal jugular", "azygos"), "balloon 12 mm"
        ),
    )
    assert timeline.procedures[0].performed_at.utcoffset() == timedelta(hours=2)
    assert timeline.patient_id == "42"
    assert skipped == ()


def test_other_procedures_and_unfinished_or_undated_ones_are_skipped_with_reasons() -> None:
    _, skipped = read_timeline(
        [
            procedure("appendix", code="80146002"),
            procedure("planned", status="preparation"),
            procedure("dateonly", performedDateTime="2026-03-01"),
        ],
        "42",
    )
    got = reasons(skipped)
    assert "not a venoplasty" in got["appendix"]
    assert "80146002" in got["appendix"]
    assert "completed" in got["planned"]
    assert "not a date-time with a time zone offset" in got["dateonly"]


def test_a_stent_is_read_from_venowatch_s_own_code() -> None:
    stent = procedure(code="x")
    stent["code"] = {"coding": [{"system": codes.VENOWATCH_SYSTEM, "code": "vein-stent"}]}
    timeline, _ = read_timeline([stent], "42")
    assert [p.kind for p in timeline.procedures] == [ProcedureKind.STENT]


def test_a_check_in_questionnaire_response() -> None:
    timeline, skipped = read_timeline([procedure(), response()], "42")
    at = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
    assert timeline.checkins == (
        CheckIn(at, Pgic.MUCH_WORSE, True, (("fatigue", 7),), "tired again"),
    )
    assert skipped == ()


def test_a_check_in_observation_that_repeats_a_response_counts_once() -> None:
    observation = {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "code": {"coding": [{"system": codes.VENOWATCH_SYSTEM, "code": codes.CHECKIN}]},
        "subject": {"reference": "Patient/42"},
        "effectiveDateTime": "2026-03-02T09:00:00+02:00",
        "valueCodeableConcept": {"coding": [{"system": codes.PGIC_SYSTEM, "code": "no_change"}]},
        "component": [
            {
                "code": {
                    "coding": [{"system": OURS, "code": codes.SYMPTOM_RATING}],
                    "text": "vision",
                },
                "valueInteger": 3,
            }
        ],
    }  # fmt: skip
    alone, _ = read_timeline([procedure(), observation], "42")
    assert alone.checkins == (
        CheckIn(datetime(2026, 3, 2, 9, tzinfo=PLUS2), Pgic.NO_CHANGE, False, (("vision", 3),)),
    )
    twin = {**observation, "derivedFrom": [{"reference": "QuestionnaireResponse/q1"}]}
    both, skipped = read_timeline([procedure(), response(), twin], "42")
    assert [c.pgic for c in both.checkins] == [Pgic.MUCH_WORSE]
    assert reasons(skipped) == {"o1": "the same check-in as QuestionnaireResponse/q1"}


def test_check_ins_need_the_venowatch_questionnaire_and_a_coded_answer() -> None:
    _, skipped = read_timeline(
        [
            response("other", questionnaire="http://example.org/Questionnaire/phq9"),
            response("badcode", answer="splendid"),
        ],
        "42",
    )
    got = reasons(skipped)
    assert "phq9" in got["other"]
    assert codes.PGIC_SYSTEM in got["badcode"]


def test_symptom_ratings_out_of_range_skip_the_check_in() -> None:
    bad = response()
    bad["item"][2]["item"][1]["answer"] = [{"valueInteger": 11}]
    timeline, skipped = read_timeline([bad], "42")
    assert timeline.checkins == ()
    assert "11 is not between 0 and 10" in reasons(skipped)["q1"]


@pytest.mark.parametrize(
    ("code", "flag", "kind", "result"),
    [
        ("24356-8", "A", LabKind.URINE, LabResult.ABNORMAL),
        ("58410-2", "N", LabKind.BLOOD, LabResult.NORMAL),
        ("51990-0", "H", LabKind.BLOOD, LabResult.ABNORMAL),
    ],
)
def test_blood_and_urine_panels_with_an_interpretation_are_labs(
    code: str, flag: str, kind: LabKind, result: LabResult
) -> None:
    timeline, _ = read_timeline([lab(flag, code)], "42")
    assert timeline.labs == (Lab(datetime(2026, 3, 5, 8, tzinfo=UTC), kind, result, "leucocytes"),)


def test_labs_without_a_normal_or_abnormal_reading_or_of_one_analyte_are_skipped() -> None:
    _, skipped = read_timeline([lab(None)], "42")
    assert "interpretation says neither normal" in reasons(skipped)["l1"]
    _, skipped = read_timeline([lab("A", code="4548-4")], "42")  # haemoglobin A1c
    assert "neither a check-in nor a blood or urine test panel" in reasons(skipped)["l1"]


def test_records_of_other_patients_are_reported_not_taken() -> None:
    theirs = procedure("p2", subject={"reference": "Patient/7"})
    timeline, skipped = read_timeline([procedure(), theirs], "42")
    assert len(timeline.procedures) == 1
    assert reasons(skipped) == {"p2": "about Patient/7, not Patient/42"}


def test_invalid_r4_is_skipped_naming_the_element() -> None:
    _, skipped = read_timeline([procedure(performedWhen="yesterday")], "42")
    assert "performedWhen" in reasons(skipped)["p1"]


def test_a_transaction_bundle_resolves_urn_uuid_subjects_and_absolute_references() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:1",
                "resource": {
                    "resourceType": "Patient",
                    "identifier": [{"system": "s", "value": "v"}],
                },
            },
            {"fullUrl": "urn:uuid:2", "resource": procedure(subject={"reference": "urn:uuid:1"})},
            {"resource": lab(subject={"reference": "https://ehr.example/fhir/Patient/42"})},
        ],
    }  # fmt: skip
    reading = read([bundle])
    (patient,) = reading.patients
    assert patient.key == "urn:uuid:1"
    assert patient.identifiers == (("s", "v"),)
    assert [(f.patient, f.source) for f in reading.records] == [
        ("urn:uuid:1", "Procedure/p1"),
        ("Patient/42", "Observation/l1"),
    ]


def test_records_of_a_kind_are_in_time_order_input_order_breaking_ties() -> None:
    late = procedure("late", performedDateTime="2026-03-02T09:30:00+02:00", note=[{"text": "b"}])
    tie1 = procedure("tie1", note=[{"text": "first"}])
    tie2 = procedure("tie2", note=[{"text": "second"}])
    timeline, _ = read_timeline([late, tie1, tie2], "42")
    assert [p.note for p in timeline.procedures] == ["first", "second", "b"]


def test_the_official_r4_examples_are_read_each_skip_with_a_reason() -> None:
    examples = sorted((SHARED / "fhir" / "r4-examples").glob("*.json"))
    assert len(examples) >= 10
    for path in examples:
        reading = read([load_json(path)])
        assert reading.records == (), path.name
        assert all(s.reason for s in reading.skipped), path.name
    patient = read([load_json(SHARED / "fhir" / "r4-examples" / "Patient-example.json")])
    assert patient.patients[0].name == "Peter James Chalmers"


def test_the_synthea_bundle_holds_one_patient_and_no_venoplasty() -> None:
    reading = read([load_json(SHARED / "fhir" / "synthea" / "synthea_r4_1MB.json")])
    assert len(reading.patients) == 1
    assert reading.records == ()
    assert len(reading.skipped) == 285
    kinds = {s.resource_type for s in reading.skipped if "not a venoplasty" in s.reason}
    assert kinds == {"Procedure"}
