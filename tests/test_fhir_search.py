"""A FHIR search reads in a fixed number of queries, whatever the size of the registry or of
the patient's record (bench/fhir_search.py times it over 10,000 patients); and the pure
parsing of search parameters (venowatch.fhir.query)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from tests.web_fixtures import D, clinic, patient, user
from venowatch.clinic.models import Role
from venowatch.fhir.query import QueryError, Span, Token, date_span, page_links, parse
from venowatch.protocol import LabKind, LabResult, Pgic, ProcedureKind
from venowatch.services.care.reads import fhir_found
from venowatch.services.care.records import record_checkin, record_lab, record_procedure

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
NY = ZoneInfo("America/New_York")


def registry(patients: int, checkins: int) -> tuple[Any, Any]:
    """A clinic of `patients` with `checkins` check-ins and a lab each, and its admin."""
    c = clinic(name=f"Registry {patients}x{checkins}")
    admin = user(f"admin{patients}x{checkins}", c, Role.ADMIN)
    first = None
    for n in range(patients):
        p = patient(f"Patient {n}", c, login=False)
        first = first or p
        start = NOW - (checkins + 5) * D
        record_procedure(p, kind=ProcedureKind.VENOPLASTY, performed_at=start, now=start)
        for k in range(checkins):
            at = start + (k + 1) * D
            record_checkin(p, at=at, pgic=Pgic.MUCH_IMPROVED, symptoms={"fatigue": k % 10},
                           now=at)  # fmt: skip
        record_lab(p, at=NOW - D, kind=LabKind.BLOOD, result=LabResult.NORMAL, now=NOW - D)
    return admin, first


@pytest.mark.django_db
@pytest.mark.parametrize(("patients", "checkins"), [(2, 3), (6, 25)])
@pytest.mark.parametrize(
    ("params", "queries"),
    [
        # Each count adds the audit's 3 for the read (lock the chain's head, insert, move it).
        # the patient's id and zone; a slice of check-ins; a slice of labs
        ([("patient", "{p}")], 3 + 3),
        # a full page of check-ins: their total is counted; the labs: counted, none wanted
        ([("patient", "{p}"), ("_count", "2")], 4 + 3),
        # no lab is a survey: one table only
        ([("patient", "{p}"), ("category", "survey"), ("date", "ge2026-01-01")], 2 + 3),
        # every patient in reach (a subquery), a full page: the page's zones are read
        ([("_count", "2")], 4 + 3),
    ],
)
def test_an_observation_search_issues_the_same_queries_at_any_size(
    django_assert_num_queries: Any,
    patients: int,
    checkins: int,
    params: list[tuple[str, str]],
    queries: int,
) -> None:
    admin, first = registry(patients, checkins)
    reader = User.objects.select_related("member__clinic").get(pk=admin.pk)  # as signed in
    query = parse("Observation", [(k, v.format(p=first.pk)) for k, v in params], UTC)
    with django_assert_num_queries(queries):
        page = fhir_found(reader, query, NOW)
    assert page.resources


def test_a_date_stands_for_its_whole_precision_and_the_prefix_takes_a_side() -> None:
    day = datetime(2026, 3, 1, tzinfo=NY)
    assert date_span("date", "2026-03-01", NY) == Span(day, day + D)
    assert date_span("date", "ge2026-03-01", NY) == Span(day, None)
    assert date_span("date", "gt2026-03-01", NY) == Span(day + D, None)
    assert date_span("date", "le2026-03-01", NY) == Span(None, day + D)
    assert date_span("date", "lt2026-03-01", NY) == Span(None, day)
    assert date_span("date", "2026-12", NY) == Span(datetime(2026, 12, 1, tzinfo=NY),
                                                    datetime(2027, 1, 1, tzinfo=NY))  # fmt: skip
    assert date_span("date", "2026", NY).end == datetime(2027, 1, 1, tzinfo=NY)
    at = datetime(2026, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    assert date_span("date", "ge2026-03-01T10:00:00+01:00", NY) == Span(at, None)
    assert date_span("date", "2026-03-01T10:00Z", NY).start == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert date_span("date", "2026-03-01T10:00:00", NY).start == datetime(2026, 3, 1, 10, tzinfo=NY)


@pytest.mark.parametrize(
    ("raw", "words"),
    [("2026-02-30", "not a date on the calendar"), ("ne2026-01-01", "prefix ne is not"),
     ("01/03/2026", "not a FHIR date"), ("2026-03-01T25:00", "not a date on the calendar")],
)  # fmt: skip
def test_a_bad_date_is_refused_naming_the_parameter(raw: str, words: str) -> None:
    with pytest.raises(QueryError, match=words) as refused:
        date_span("birthdate", raw, NY)
    assert refused.value.parameter == "birthdate"


def test_tokens_references_and_or_lists() -> None:
    query = parse(
        "Observation",
        [("code", "http://loinc.org|58410-2,pgic"), ("patient", "Patient/7"),
         ("category", "http://x|"), ("category", "|survey")],
        UTC,
    )  # fmt: skip
    assert query.values("code") == [(Token("http://loinc.org", "58410-2"), Token(None, "pgic"))]
    assert query.values("patient") == [("7",)]
    assert query.values("category") == [(Token("http://x", None),), (Token("", "survey"),)]
    with pytest.raises(QueryError, match="lone"):
        parse("Observation", [("code", "|")], UTC)
    with pytest.raises(QueryError, match="has no value"):
        parse("Observation", [("code", "")], UTC)
    with pytest.raises(QueryError, match="NUL"):
        parse("Patient", [("name", "a\x00b")], UTC)


def test_links_repeat_the_query_as_used_and_page_by_offset() -> None:
    query = parse("Procedure", [("patient", "3"), ("x", "1"), ("_count", "10"),
                                ("_offset", "10")], UTC)  # fmt: skip
    assert query.ignored == ("x",)
    links = {link["relation"]: link["url"] for link in page_links("B", query, 25)}
    assert links == {
        "self": "B/Procedure?patient=3&_count=10&_offset=10",
        "next": "B/Procedure?patient=3&_count=10&_offset=20",
        "previous": "B/Procedure?patient=3&_count=10&_offset=0",
    }
    last = parse("Procedure", [("_count", "10"), ("_offset", "20")], UTC)
    assert {link["relation"] for link in page_links("B", last, 25)} == {"self", "previous"}
    with pytest.raises(QueryError, match="not searched by 'x'"):
        parse("Procedure", [("x", "1")], UTC, strict=True)
