"""Helpers for the FHIR tests: the official R4 JSON Schema, and a patient with a history."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from jsonschema import Draft6Validator

from tests.conftest import SHARED, load_json
from tests.web_fixtures import D, H, clinic, patient, user
from venowatch.clinic.models import Patient, Role
from venowatch.protocol import LabKind, LabResult, Pgic, ProcedureKind
from venowatch.services.care.records import record_checkin, record_lab, record_procedure


@functools.cache
def _definitions() -> dict[str, Any]:
    definitions: dict[str, Any] = load_json(SHARED / "fhir" / "fhir.r4.schema.json")["definitions"]
    return definitions


@functools.cache
def _validator(resource_type: str) -> Draft6Validator:
    # Loaded once per test process (3 MB); a validator per resource type refers into it.
    schema = {"$ref": f"#/definitions/{resource_type}", "definitions": _definitions()}
    return Draft6Validator(schema)


def schema_errors(resource: dict[str, Any]) -> list[str]:
    """What the official R4 JSON Schema finds wrong with `resource` (nothing when valid)."""
    errors = _validator(resource["resourceType"]).iter_errors(resource)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def treated_patient(now: datetime, name: str = "Maria Keller") -> tuple[Patient, User]:
    """A patient of a new clinic with a venoplasty, a stent, check-ins and labs, and their
    advocate; re-assessed after each record, as the services do."""
    c = clinic(name=f"{name}'s clinic")
    advocate = user(f"advocate.{name.split()[0].lower()}", c, Role.ADVOCATE)
    p = patient(name, c, advocate=advocate)
    veins = ["left internal jugular", "azygos"]
    record_procedure(
        p, kind=ProcedureKind.VENOPLASTY, performed_at=now - 40 * D, veins=veins,
        note="balloon 12 mm", now=now - 40 * D,
    )  # fmt: skip
    record_procedure(p, kind=ProcedureKind.STENT, performed_at=now - 39 * D, now=now - 39 * D)
    record_checkin(
        p, at=now - 38 * D, pgic=Pgic.MUCH_IMPROVED, symptoms={"fatigue": 3, "vision": 2},
        note="walking further", now=now - 38 * D,
    )  # fmt: skip
    record_checkin(p, at=now - 10 * D, pgic=Pgic.NO_CHANGE, now=now - 10 * D)
    record_lab(p, at=now - 5 * D, kind=LabKind.URINE, result=LabResult.ABNORMAL,
               finding="leucocytes", now=now - 5 * D)  # fmt: skip
    record_lab(p, at=now - 2 * H, kind=LabKind.BLOOD, result=LabResult.NORMAL, now=now - 2 * H)
    return p, advocate
