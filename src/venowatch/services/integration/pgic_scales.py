"""A clinic's mappings of other PGIC questionnaires (clinic.PgicScale), as the FHIR reader
takes them."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from venowatch.clinic import models
from venowatch.fhir.scales import Scale, Scales
from venowatch.protocol import Pgic


def scales_of(clinic: models.Clinic) -> Scales:
    by_code: dict[int, dict[str, Pgic]] = defaultdict(dict)
    by_ordinal: dict[int, dict[Decimal, Pgic]] = defaultdict(dict)
    answers = models.PgicScaleAnswer.objects.filter(scale__clinic=clinic)
    for scale_id, code, ordinal, means in answers.values_list(
        "scale_id", "code", "ordinal", "means"
    ):
        if code:
            by_code[scale_id][code] = means
        if ordinal is not None:
            by_ordinal[scale_id][ordinal.normalize()] = means
    return {
        url.split("|")[0]: Scale(link_id, by_code[pk], by_ordinal[pk])
        for pk, url, link_id in models.PgicScale.objects.filter(clinic=clinic).values_list(
            "pk", "questionnaire", "link_id"
        )
    }
