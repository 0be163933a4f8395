"""FHIR REST reads and searches over the patients in the reader's reach (services.security.
access): a resource out of reach does not exist. Called through services.care.reads, which
hands in `reading`, its audit hook, to call with the patients' ids before their records are
read. Each search runs a fixed number of queries whatever the size of the registry: counts
and page slices in SQL, the page's rows only turned into resources."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Model, Q, QuerySet

from venowatch.clinic import models
from venowatch.fhir import codes, definitions
from venowatch.fhir.query import Query, Span, Token
from venowatch.protocol import Assessment, LabKind
from venowatch.services.care.protocols import clinic_protocol, default_protocol
from venowatch.services.care.search import fold
from venowatch.services.care.standing import Standing, assess_patient, standing
from venowatch.services.care.timelines import timelines_of
from venowatch.services.care.zones import patient_zone, zone_named
from venowatch.services.integration import fhir_records as build
from venowatch.services.integration.fhir_patients import demographics_for
from venowatch.services.integration.fhir_records import (
    CHECKIN_FIELDS,
    LAB_FIELDS,
    PROCEDURE_FIELDS,
    STATE_FIELDS,
)
from venowatch.services.security.access import member_of, patients_in_reach

Reading = Callable[[Sequence[int]], None]
Source = tuple[str, Any, tuple[str, ...], Any]
"""A table searched: its instant's column, its rows (None: nothing matches), the fields the
builder takes, and the builder."""


@dataclass(frozen=True, slots=True)
class Page:
    total: int
    resources: list[dict[str, Any]]


def zone_of(reader: Any) -> ZoneInfo:
    """The zone a date without an offset is read in: the reader's clinic's."""
    member = member_of(reader)
    return zone_named(member.clinic.time_zone) if member is not None else ZoneInfo("UTC")


# --- read ---------------------------------------------------------------------------------

_RECORDS: dict[str, tuple[type[Model], tuple[str, ...], Any]] = {
    "Procedure": (models.Procedure, PROCEDURE_FIELDS, build.procedure),
    "QuestionnaireResponse:checkin": (models.CheckIn, CHECKIN_FIELDS, build.checkin_response),
    "Observation:checkin": (models.CheckIn, CHECKIN_FIELDS, build.checkin_observation),
    "Observation:lab": (models.Lab, LAB_FIELDS, build.lab),
}


def read(
    reader: Any, reading: Reading, resource_type: str, id_: str, now: datetime
) -> dict[str, Any] | None:
    """The resource at `resource_type/id_` with its meta, or None (no such resource, or out
    of the reader's reach)."""
    if resource_type in ("Questionnaire", "CodeSystem"):
        return _definition(reader, resource_type, id_)
    prefix, _, number = id_.rpartition("-")
    # The ids are written as `<prefix>-<pk>` or `<pk>`: "007" or "-7" is not "7".
    if not (number.isdigit() and len(number) <= 18 and str(int(number)) == number):
        return None
    if not prefix and id_ != number:
        return None
    pk = int(number)
    if resource_type == "Patient" and not prefix:
        found = _patients(reader, [pk], reading)
        return found[0] if found else None
    if resource_type == "RiskAssessment" and prefix == "assessment":
        page = _risk_assessments(reader, reading, {"pk": pk}, 0, 1, now)
        return page.resources[0] if page.resources else None
    key = resource_type if not prefix else f"{resource_type}:{prefix}"
    if key not in _RECORDS:
        return None
    model, fields, builder = _RECORDS[key]
    owner = model._default_manager.filter(pk=pk).values_list("patient_id", flat=True).first()
    if owner is None:
        return None
    patient = _in_reach(reader).filter(pk=owner).only("pk", "time_zone").first()
    if patient is None:
        return None
    reading([patient.pk])
    row = model._default_manager.filter(pk=pk).values_list(*fields, *STATE_FIELDS).get()
    resource = builder(row, patient_zone(patient))
    if row[-1] is not None:
        return build.with_meta(build.voided(resource), row[-1], build.row_version(row))
    return build.with_meta(resource, row[-2], build.row_version(row))


def _in_reach(reader: Any) -> QuerySet[models.Patient]:
    return patients_in_reach(reader)


def _definition(reader: Any, resource_type: str, id_: str) -> dict[str, Any] | None:
    """The check-in's Questionnaire and the CodeSystems, as the reader's clinic words them.
    They carry no lastUpdated: when a clinic changed its protocol is not recorded."""
    member = member_of(reader)
    protocol = clinic_protocol(member.clinic) if member is not None else default_protocol()
    if resource_type == "Questionnaire":
        found = definitions.questionnaire(protocol) if id_ == definitions.CHECKIN_ID else None
    else:
        found = definitions.code_system(id_, protocol)
    return None if found is None else build.with_meta(found, None)


# --- search -------------------------------------------------------------------------------


def search(reader: Any, reading: Reading, query: Query, now: datetime) -> Page:
    """The page of `query`'s matches the reader may see, and how many match in all."""
    kind = query.resource_type
    if kind == "Patient":
        return _patient_search(reader, reading, query)
    if kind == "Questionnaire":
        found = _definition(reader, "Questionnaire", definitions.CHECKIN_ID)
        wanted = query.values("url")
        matches = [found] if found and all(found["url"] in v for v in wanted) else []
        return Page(len(matches), matches[query.offset : query.offset + query.count])
    if kind == "RiskAssessment":
        owners = _in_reach(reader)
        for ids in _patient_ids(query):
            owners = owners.filter(pk__in=ids)
        return _risk_assessments(
            reader, reading, {"pk__in": owners.values("pk")}, query.offset, query.count, now
        )
    sources: list[Source]
    if kind == "Procedure":
        sources = [
            ("performed_at", models.Procedure.objects.all(), PROCEDURE_FIELDS, build.procedure)
        ]
    elif kind == "QuestionnaireResponse":
        questionnaire = [v for vs in query.values("questionnaire") for v in vs]
        ours = all(codes.CHECKIN_QUESTIONNAIRE in vs for vs in query.values("questionnaire"))
        checkins = models.CheckIn.objects.all() if ours or not questionnaire else None
        sources = [("at", checkins, CHECKIN_FIELDS, build.checkin_response)]
    else:
        sources = _observation_sources(query)
    return _record_search(reading, query, _owners(reader, query, reading), sources)


def _patient_ids(query: Query) -> list[list[int]]:
    """Each `patient=` as the ids it names (an id that is no number names nobody)."""
    return [
        [int(i) for i in ids if isinstance(i, str) and i.isdigit() and len(i) <= 18]
        for ids in query.values("patient")
    ]


def _owners(reader: Any, query: Query, reading: Reading) -> tuple[Any, dict[int, ZoneInfo]]:
    """Whose records a search reads: for `patient=`, those patients (ids and zones read once,
    and the hook told before any record is), else every patient in reach (a subquery)."""
    rows = _in_reach(reader)
    pinned = _patient_ids(query)
    if not pinned:
        reading([])  # the whole reach, as the worklist reads it
        return rows.values("pk"), {}
    for ids in pinned:
        rows = rows.filter(pk__in=ids)
    zones = {pk: zone_named(name) for pk, name in rows.values_list("pk", "time_zone")}
    if zones:
        reading(sorted(zones))
    return sorted(zones), zones


def _observation_sources(query: Query) -> list[Source]:
    """Check-ins and labs, as far as `category` and `code` keep them: each source's category
    and code are the ones fhir.writing gives its Observations."""
    kinds: dict[str, tuple[str, str]] = {"checkin": ("survey", codes.CHECKIN)}
    kinds |= {k.value: ("laboratory", codes.LAB_CODE[k]) for k in LabKind}
    kept = set(kinds)
    for values in query.values("category"):
        cat = codes.OBSERVATION_CATEGORY
        kept &= {k for k in kinds if any(_matches(v, cat, kinds[k][0]) for v in values)}
    for values in query.values("code"):
        ours = codes.VENOWATCH_SYSTEM
        kept &= {k for k in kinds if any(_matches(v, ours, kinds[k][1]) for v in values)}
    checkins = models.CheckIn.objects.all() if "checkin" in kept else None
    labs = [k for k in kept if k != "checkin"]
    return [
        ("at", checkins, CHECKIN_FIELDS, build.checkin_observation),
        ("at", models.Lab.objects.filter(kind__in=labs) if labs else None, LAB_FIELDS, build.lab),
    ]


def _matches(value: Token | Span | str, system: str, code: str) -> bool:
    if not isinstance(value, Token):
        return False
    return (value.system is None or value.system == system) and value.code in (None, code)


def _record_search(
    reading: Reading,
    query: Query,
    owners: tuple[Any, dict[int, ZoneInfo]],
    sources: Sequence[Source],
) -> Page:
    """Records of one or two tables, one table's matches after the other's, each by its
    instant; a page may span both. One query per table for its slice of the page, and a count
    only when the slice cannot tell the total (a full page, or a page past its end)."""
    date_name = {"Procedure": "date", "Observation": "date", "QuestionnaireResponse": "authored"}[
        query.resource_type
    ]
    patients, zones = owners
    total, picked = 0, []
    skip, want = query.offset, query.count
    for at, rows, fields, builder in sources:
        if rows is None:
            continue
        rows = rows.filter(patient_id__in=patients, voided_at__isnull=True)
        for spans in query.values(date_name):
            rows = rows.filter(_within(at, spans))
        rows = rows.order_by(at, "pk")
        part = list(rows.values_list(*fields, *STATE_FIELDS)[skip : skip + want]) if want else []
        known = len(part) < want and (part or skip == 0)
        n = skip + len(part) if known else rows.count()
        picked += [(row, builder) for row in part]
        total, skip, want = total + n, max(0, skip - n), want - len(part)
    if not zones:
        zones = _zones({row[1] for row, _ in picked})
    resources = [
        build.with_meta(b(row, zones[row[1]]), row[-2], build.row_version(row)) for row, b in picked
    ]
    return Page(total, resources)


def _within(at: str, spans: tuple[Token | Span | str, ...]) -> Q:
    either = Q(pk__in=[])
    for span in spans:
        assert isinstance(span, Span)
        clause = Q()
        if span.start is not None:
            clause &= Q(**{f"{at}__gte": span.start})
        if span.end is not None:
            clause &= Q(**{f"{at}__lt": span.end})
        either |= clause
    return either


def _zones(patient_ids: set[int]) -> dict[int, ZoneInfo]:
    rows = models.Patient.objects.filter(pk__in=sorted(patient_ids)).values_list("pk", "time_zone")
    return {pk: zone_named(name) for pk, name in rows}


# --- patients -----------------------------------------------------------------------------


def _patient_search(reader: Any, reading: Reading, query: Query) -> Page:
    rows = _in_reach(reader)
    for values in query.values("identifier"):
        rows = rows.filter(_identified(values))
    for values in query.values("name"):
        rows = rows.filter(pk__in=_named(values))
    for values in query.values("birthdate"):
        either = Q(pk__in=[])
        for span in values:
            assert isinstance(span, Span)
            clause = Q(details__date_of_birth__isnull=False)
            if span.start is not None:
                clause &= Q(details__date_of_birth__gte=span.start.date())
            if span.end is not None:
                clause &= Q(details__date_of_birth__lt=span.end.date())
            either |= clause
        rows = rows.filter(either)
    total = rows.count()
    ids = list(rows.order_by("pk").values_list("pk", flat=True)[query.offset :][: query.count])
    return Page(total, _patients(reader, ids, reading) if ids else [])


def _identified(values: tuple[Token | Span | str, ...]) -> Q:
    own = build.own_identifier_system()
    either = Q(pk__in=[])
    for token in values:
        assert isinstance(token, Token)
        if token.system in (None, own) and token.code is not None and token.code.isdigit():
            either |= Q(pk=int(token.code))
        if token.system == own:
            continue
        stored = models.PatientIdentifier.objects.all()
        if token.system is not None:
            stored = stored.filter(system=token.system)
        if token.code is not None:
            stored = stored.filter(value=token.code)
        either |= Q(pk__in=stored.values("patient_id"))
    return either


def _named(values: tuple[Token | Span | str, ...]) -> QuerySet[Any, Any]:
    """FHIR's string search: the name, or any word of it, starts with a value (case and
    accents ignored, as the worklist's search)."""
    from venowatch.services.care.search import Folded

    either = Q(pk__in=[])
    for value in values:
        wanted = fold(" ".join(str(value).split()))
        either |= Q(folded__startswith=wanted) | Q(folded__contains=f" {wanted}")
    return models.Patient.objects.alias(folded=Folded("name")).filter(either).values("pk")


def _patients(reader: Any, ids: Sequence[int], reading: Reading) -> list[dict[str, Any]]:
    found = list(_in_reach(reader).filter(pk__in=ids).order_by("pk"))
    if not found:
        return []
    reading([p.pk for p in found])
    identifiers: dict[int, list[tuple[str, str]]] = {p.pk: [] for p in found}
    for pid, system, value in (
        models.PatientIdentifier.objects.filter(patient__in=[p.pk for p in found])
        .order_by("pk").values_list("patient_id", "system", "value")
    ):  # fmt: skip
        identifiers[pid].append((system, value))
    demographics = demographics_for(identifiers)
    return [
        build.with_meta(build.patient(p, identifiers[p.pk], demographics[p.pk]), p.created_at)
        for p in found
    ]


# --- the assessment -----------------------------------------------------------------------


def _risk_assessments(
    reader: Any, reading: Reading, which: dict[str, Any], offset: int, count: int, now: datetime
) -> Page:
    """Each patient's current assessment: the stored one while it holds, else the engine's
    answer now (as the staff pages show it); lastUpdated is when it was assessed."""
    rows = _in_reach(reader).filter(**which)
    total = rows.count()
    patients = list(rows.select_related("clinic", "assessment").order_by("pk")[offset:][:count])
    if not patients:
        return Page(total, [])
    reading([p.pk for p in patients])
    timelines = timelines_of(patients)
    bases = _bases([p.pk for p in patients])
    resources = []
    for p in patients:
        shown = standing(p, now, timelines[p.pk])
        assessment = _as_assessment(p, shown, now)
        resource = build.risk_assessment(p, assessment, bases[p.pk])
        resources.append(build.with_meta(resource, assessment.as_of))
    return Page(total, resources)


def _as_assessment(p: models.Patient, s: Standing, now: datetime) -> Assessment:
    if s.protocol is None:  # a row stored before protocols were recorded: assess it anew
        return assess_patient(p, now)
    return Assessment(
        str(p.pk), s.as_of, s.pathway, s.urgency, s.actions, s.flags, s.repeats_done,
        s.earliest_next_procedure_at, s.valid_until, s.rationale, s.protocol,
    )  # fmt: skip


def _bases(pks: Sequence[int]) -> dict[int, list[str]]:
    """Each patient's assessment basis, as the export writes it (every current record, in
    the export's order), in three queries for a page of patients."""
    refs: dict[int, list[str]] = {pk: [] for pk in pks}
    current = {"patient_id__in": list(pks), "voided_at__isnull": True}
    tables = (
        (models.Procedure, "performed_at", ("Procedure/{}",)),
        (models.CheckIn, "at", ("QuestionnaireResponse/checkin-{}", "Observation/checkin-{}")),
        (models.Lab, "at", ("Observation/lab-{}",)),
    )
    for model, at, forms in tables:
        rows = model.objects.filter(**current).order_by("patient_id", at, "pk")
        for patient_id, pk in rows.values_list("patient_id", "pk"):
            refs[patient_id] += [form.format(pk) for form in forms]
    return refs
