"""A DiagnosticReport of a blood or urine test panel, read as one lab: the panel's code, its
instant, and normal or abnormal from its result Observations' interpretations (any abnormal
result makes the test abnormal; each must say which, nothing is guessed from values)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.reference import Reference
from pydantic import ValidationError

from venowatch.fhir.parts import FINAL, UnreadableError, codings, instant, lab_kind, result, shown
from venowatch.fhir.parts import text as text_of
from venowatch.protocol import Lab, LabResult

Resolve = Callable[[Reference | None], str | None]


def lab_of(r: DiagnosticReport, resolve: Resolve, observations: Mapping[str, Any]) -> Lab:
    """The lab `r` reports; `observations` are the bundle's Observations by reference."""
    if r.status not in FINAL:
        raise UnreadableError(f"DiagnosticReport.status is {r.status!r}; only a final one counts")
    kind = next(filter(None, map(lab_kind, codings(r.code))), None)
    if kind is None:
        raise UnreadableError(
            f"DiagnosticReport.code is not a blood or urine test panel venowatch reads "
            f"({shown(r.code)})"
        )
    at = instant(
        r.effectiveDateTime or (r.effectivePeriod.start if r.effectivePeriod else None),
        "DiagnosticReport.effective",
    )
    if not r.result:
        raise UnreadableError(
            "DiagnosticReport.result is missing: the results' interpretations say whether "
            "the panel was normal"
        )
    abnormal = []
    for i, ref in enumerate(r.result):
        found = _result(resolve(ref), observations, f"DiagnosticReport.result[{i}]")
        try:
            flag = result(found)
        except UnreadableError:
            raise UnreadableError(
                f"DiagnosticReport.result[{i}] ({ref.reference}) has no interpretation saying "
                "normal (N) or abnormal (A, H, L...)"
            ) from None
        if flag is LabResult.ABNORMAL:
            abnormal.append(text_of(found.code) if found.code else str(ref.reference))
    finding = str(r.conclusion or ", ".join(abnormal))
    return Lab(at, kind, LabResult.ABNORMAL if abnormal else LabResult.NORMAL, finding)


def _result(key: str | None, observations: Mapping[str, Any], where: str) -> Observation:
    raw = observations.get(key or "")
    if raw is None:
        raise UnreadableError(f"{where} ({key}) is not an Observation in the bundle")
    try:
        found: Observation = Observation.model_validate(raw)
    except ValidationError:
        raise UnreadableError(f"{where} ({key}) is not a valid R4 Observation") from None
    return found


def results_of(r: DiagnosticReport, resolve: Resolve) -> tuple[str, ...]:
    return tuple(k for k in (resolve(x) for x in r.result or ()) if k)
