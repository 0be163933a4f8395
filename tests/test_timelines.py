"""Timeline files: the decoder accepts exactly what the shared JSON Schema accepts, and says
where and what is wrong with the rest."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SCENARIOS, SHARED, load_json
from venowatch.protocol import Pgic
from venowatch.services.timeline_files import MAX_TIMELINE_BYTES, InputError, decode_timeline

SCHEMA = load_json(SHARED / "spec" / "timeline.schema.json")
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
VALID = load_json(SCENARIOS[-1])["timeline"]


def _problem(doc: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        decode_timeline(json.dumps(doc).encode(), "t.json")
    return caught.value


def _with(path: list[str | int], value: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(json.dumps(VALID))
    target: Any = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return doc


CASES = [
    ("unknown-field", _with(["checkins", 1, "mood"], "ok"), "$.checkins[1].mood", "unknown field"),
    ("unknown-pgic", _with(["checkins", 0, "pgic"], "better"), "$.checkins[0].pgic",
     "'better' is not one of: very_much_improved"),
    ("unknown-kind", _with(["procedures", 0, "kind"], "bypass"), "$.procedures[0].kind",
     "'bypass' is not one of: venoplasty, stent"),
    ("no-offset", _with(["checkins", 2, "at"], "2026-03-07T10:00:00"), "$.checkins[2].at",
     "no UTC offset"),
    ("not-a-date", _with(["as_of"], "next tuesday"), "$.as_of", "not an RFC 3339 date-time"),
    ("wrong-type", _with(["checkins", 0, "symptoms_returned"], "yes"),
     "$.checkins[0].symptoms_returned", "expected `bool`, got `str`"),
    ("rating-range", _with(["checkins", 0, "symptoms"], {"fatigue": 11}),
     "$.checkins[0].symptoms[...]", "<= 10"),
    ("missing", {"patient_id": "x", "procedures": []}, "$.checkins", "required field is missing"),
    ("empty-id", _with(["patient_id"], ""), "$.patient_id", "length >= 1"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("doc", "path", "problem"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_invalid_timeline_names_path_and_problem(doc: Any, path: str, problem: str) -> None:
    error = _problem(doc)
    assert (error.source, error.path) == ("t.json", path)
    assert problem in error.problem
    assert str(error).startswith(f"t.json: {path}: ")


def test_not_json_says_where() -> None:
    with pytest.raises(InputError) as caught:
        decode_timeline(b'{"patient_id": "x",\n  "procedures": [,]}', "t.json")
    assert "not valid JSON" in caught.value.problem
    assert "line 2, column 18" in caught.value.problem


@pytest.mark.parametrize("raw", [b"", b"  \n"], ids=["empty", "blank"])
def test_empty_file_is_refused(raw: bytes) -> None:
    with pytest.raises(InputError, match="is empty"):
        decode_timeline(raw, "t.json")


def test_huge_file_is_refused_before_decoding() -> None:
    with pytest.raises(InputError, match="larger than"):
        decode_timeline(b" " * (MAX_TIMELINE_BYTES + 1), "t.json")


def test_records_keep_their_input_order_and_values() -> None:
    timeline = decode_timeline(json.dumps(VALID).encode(), "t.json")
    assert [c.at.isoformat() for c in timeline.checkins] == [c["at"] for c in VALID["checkins"]]
    assert [c.pgic for c in timeline.checkins] == [Pgic(c["pgic"]) for c in VALID["checkins"]]


# Differential test against the schema itself: documents built from valid parts and near-misses.
instants = st.sampled_from(
    ["2026-01-12T10:00:00-05:00", "2026-01-12T15:00:00Z", "2026-01-12T10:00:00.5+01:00",
     "2026-01-12T10:00:00", "2026-13-12T10:00:00Z", "yesterday", 5]
)  # fmt: skip
pgics = st.sampled_from([p.value for p in Pgic] + ["better", "", None])
checkin = st.fixed_dictionaries(
    {"at": instants, "pgic": pgics},
    optional={
        "symptoms_returned": st.sampled_from([True, False, "no", 0]),
        "symptoms": st.dictionaries(st.sampled_from(["fatigue", "vision"]), st.integers(-1, 11)),
        "note": st.sampled_from(["", "tired", "x" * 4001]),
        "mood": st.just("ok"),
    },
)
procedure = st.fixed_dictionaries(
    {"kind": st.sampled_from(["venoplasty", "stent", "bypass"]), "performed_at": instants},
    optional={"veins": st.lists(st.sampled_from(["IJV left", "azygos"])), "note": st.just("n")},
)
lab = st.fixed_dictionaries(
    {"at": instants, "kind": st.sampled_from(["blood", "urine", "saliva"]),
     "result": st.sampled_from(["normal", "abnormal", "odd"])},
    optional={"finding": st.just("UTI")},
)  # fmt: skip
timelines = st.fixed_dictionaries(
    {},
    optional={
        "patient_id": st.sampled_from(["p1", "", "x" * 129, 7]),
        "as_of": instants,
        "procedures": st.lists(procedure, max_size=2),
        "checkins": st.lists(checkin, max_size=3),
        "labs": st.lists(lab, max_size=2),
        "extra": st.just(1),
    },
)


@settings(max_examples=400, deadline=None)
@given(timelines)
def test_decoder_agrees_with_the_json_schema(doc: dict[str, Any]) -> None:
    schema_ok = VALIDATOR.is_valid(doc)
    try:
        decode_timeline(json.dumps(doc).encode(), "t.json")
        decoded_ok = True
    except InputError:
        decoded_ok = False
    assert decoded_ok == schema_ok, list(VALIDATOR.iter_errors(doc))[:1]
