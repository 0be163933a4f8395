"""A record just created over FHIR as the resource venowatch serves for it: built by the same
builders (fhir_records) from the same columns as a read of it and $everything, so the 201's
body, its ETag and meta.versionId are what a later read gives."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Model

from venowatch.clinic import models
from venowatch.services.care.zones import patient_zone
from venowatch.services.integration import fhir_records as build
from venowatch.services.integration.fhir_records import CHECKIN_FIELDS, LAB_FIELDS, STATE_FIELDS

Builder = Callable[[Sequence[Any], ZoneInfo], dict[str, Any]]


def checkin_resource(
    row: models.CheckIn, resource_type: str = "QuestionnaireResponse"
) -> dict[str, Any]:
    """A stored check-in as the resource `resource_type` (QuestionnaireResponse or
    Observation) that a read at its address gives."""
    builder = (
        build.checkin_observation if resource_type == "Observation" else build.checkin_response
    )
    return _stored(models.CheckIn, row.pk, CHECKIN_FIELDS, builder, patient_zone(row.patient))


def lab_resource(row: models.Lab) -> dict[str, Any]:
    """A stored lab as the Observation a read at its address gives."""
    return _stored(models.Lab, row.pk, LAB_FIELDS, build.lab, patient_zone(row.patient))


def _stored(
    model: type[Model], pk: int, fields: tuple[str, ...], builder: Builder, zone: ZoneInfo
) -> dict[str, Any]:
    # Read back as fhir_search.read reads it: the version is a digest of these very values.
    values = model._default_manager.filter(pk=pk).values_list(*fields, *STATE_FIELDS).get()
    return build.with_meta(builder(values, zone), values[-2], build.row_version(values))
