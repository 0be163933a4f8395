"""The edges read patients' records only through venowatch.services.care.reads, where every
read passes one hook (the audit of reads hooks in there): no edge module queries a patient
record model itself, through its manager, a related manager or a `_set`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import venowatch

ROOT = Path(venowatch.__file__).parent
EDGES = ("web", "api", "fhirserver", "cdshooks", "cli")
EDGE_FILES = sorted(p for edge in EDGES for p in (ROOT / edge).rglob("*.py"))

RECORD_MODELS = {
    "Patient", "Procedure", "CheckIn", "Lab", "Note", "Assessment", "AssessmentChange", "Task",
    "TaskEvent", "PatientIdentifier", "PatientPhone", "PatientDetails", "CallAttempt",
}  # fmt: skip
RELATED = {
    "procedures", "checkins", "labs", "notes", "assessment_changes", "tasks", "events",
    "identifiers", "patients", "advocated_patients", "procedures_performed", "phones",
}  # fmt: skip
"""The related managers that lead to patient records (see clinic/models.py related_name)."""
QUERIES = {
    "aggregate", "all", "annotate", "bulk_create", "count", "create", "defer", "delete",
    "earliest", "exclude", "exists", "filter", "first", "get", "get_or_create", "in_bulk",
    "iterator", "last", "latest", "none", "only", "order_by", "prefetch_related",
    "select_related", "update", "update_or_create", "values", "values_list",
}  # fmt: skip
AROUND = {"patients_in_reach"}
"""Services that hand out a queryset of patients to filter further: the edges use reads."""


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def record_queries(source: str) -> list[str]:
    """Each direct query of patient records in `source`, as "line: what"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            if node.attr == "objects" and _name(node.value) in RECORD_MODELS:
                found.append(f"{node.lineno}: {_name(node.value)}.objects")
            inner = node.value
            related = isinstance(inner, ast.Attribute) and (
                inner.attr in RELATED or inner.attr.endswith("_set")
            )
            if node.attr in QUERIES and related:
                found.append(f"{node.lineno}: .{_name(inner)}.{node.attr}")
        elif isinstance(node, ast.ImportFrom):
            found += [f"{node.lineno}: imports {a.name}" for a in node.names if a.name in AROUND]
    return sorted(found, key=lambda line: int(line.split(":")[0]))


@pytest.mark.parametrize("path", EDGE_FILES, ids=[str(p.relative_to(ROOT)) for p in EDGE_FILES])
def test_an_edge_reads_patient_records_only_through_the_reads_service(path: Path) -> None:
    assert record_queries(path.read_text()) == []


def test_the_walk_finds_each_way_of_querying_around_the_reads() -> None:
    source = (
        "from venowatch.services.security.access import patients_in_reach\n"
        "Patient.objects.get(pk=1)\n"
        "models.Task.objects.filter(status='open')\n"
        "patient.procedures.order_by('-performed_at')\n"
        "patient.note_set.all()\n"
        "tasks.acknowledge(task, user, now)\n"  # a service module's function: not a query
    )
    assert record_queries(source) == [
        "1: imports patients_in_reach",
        "2: Patient.objects",
        "3: Task.objects",
        "4: .procedures.order_by",
        "5: .note_set.all",
    ]


def test_there_are_edges_to_walk() -> None:
    assert len(EDGE_FILES) > 20
