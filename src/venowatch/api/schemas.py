"""What the API reads and writes. Instants must carry their UTC offset: a check-in's time
decides which protocol window it falls in, and a guessed zone would move it."""

from __future__ import annotations

import enum
import re
from datetime import tzinfo
from typing import Annotated, Any

from ninja import Schema
from pydantic import AwareDatetime, BeforeValidator, ConfigDict, Field, StringConstraints

from venowatch.clinic.models import (
    MAX_ID,
    CallOutcome,
    RecordState,
    Resolution,
    TaskKind,
    TaskStatus,
)
from venowatch.protocol import LabKind, LabResult, Pathway, Pgic, ProcedureKind, Urgency
from venowatch.protocol.message import Audience
from venowatch.services.care.standing import Standing
from venowatch.services.care.wording import reason_text

_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d")


def _rfc3339(value: Any) -> Any:
    # Pydantic would also read a number, or a numeric string, as seconds since 1970.
    if isinstance(value, str) and not _RFC3339.match(value):
        raise ValueError("give a date and time as RFC 3339, e.g. 2026-01-12T10:00:00-05:00")
    if isinstance(value, int | float):
        raise ValueError("give a date and time as RFC 3339 text, not a number")
    return value


Instant = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
"""An instant sent to the API: RFC 3339 text with its UTC offset."""
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Note = Annotated[str, StringConstraints(max_length=4000)]
Vein = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Rating = Annotated[int, Field(ge=0, le=10)]


class In(Schema):
    # A misspelt field is named as an error rather than silently ignored.
    model_config = ConfigDict(extra="forbid")


class Out(Schema):
    # Enums leave as their values; ninja's encoder would otherwise write "Pathway.IMPROVED".
    model_config = ConfigDict(use_enum_values=True)


class Problem(Out):
    """An error: `detail` lists each field at fault and what is wrong with it."""

    detail: list[dict[str, Any]]


class AssessmentSummary(Out):
    pathway: Pathway
    urgency: Urgency
    flags: list[str]
    since: AwareDatetime
    valid_until: AwareDatetime | None


class PatientOut(Out):
    id: int
    name: str
    time_zone: str
    advocate_id: int | None
    tracked_symptoms: list[str]
    assessment: AssessmentSummary | None

    @staticmethod
    def resolve_assessment(obj: Any) -> Any:
        # Django raises on a missing one-to-one row rather than giving None.
        return getattr(obj, "assessment", None)


ConfirmDuplicate = Annotated[
    bool,
    Field(
        description=(
            "A record of the same kind within a minute of one already stored is refused with "
            "409 as a likely repeat; send true to store it as another one."
        )
    ),
]


class Stored(Out):
    """Whether a record counts: `current`, `voided` (with who, when and why) or `superseded`
    by a correction (a record whose `replaces_id` names it). Nothing is deleted."""

    state: RecordState = Field(description="current, voided or superseded")
    voided_at: AwareDatetime | None
    voided_by_id: int | None
    void_reason: str
    replaces_id: int | None = Field(description="The record this one corrects, if any.")


class ProcedureIn(In):
    kind: ProcedureKind
    performed_at: Instant
    veins: list[Vein] = Field(default_factory=list, max_length=20)
    performed_by_id: Id | None = None
    note: Note = ""
    confirm_duplicate: ConfirmDuplicate = False


class ProcedureOut(Stored):
    id: int
    kind: ProcedureKind
    performed_at: AwareDatetime
    veins: list[str]
    performed_by_id: int | None
    note: str
    recorded_at: AwareDatetime


class CheckInIn(In):
    at: Instant | None = Field(None, description="When; now if left out.")
    pgic: Pgic
    symptoms_returned: bool = False
    symptoms: dict[str, Rating] = Field(
        default_factory=dict, description="0-10 ratings of the patient's tracked symptoms."
    )
    note: Note = ""
    confirm_duplicate: ConfirmDuplicate = False


class CheckInOut(Stored):
    id: int
    at: AwareDatetime
    pgic: Pgic
    symptoms_returned: bool
    symptoms: dict[str, int]
    note: str
    recorded_at: AwareDatetime


class LabIn(In):
    at: Instant
    kind: LabKind
    result: LabResult
    finding: Note = Field("", max_length=4000, description="What was found; needed if abnormal.")
    confirm_duplicate: ConfirmDuplicate = False


class LabOut(Stored):
    id: int
    at: AwareDatetime
    kind: LabKind
    result: LabResult
    finding: str
    recorded_at: AwareDatetime


Why = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class VoidIn(In):
    """Void a record: it stays, marked with who, when and why, and no longer counts."""

    reason: Why


class ProcedureFix(ProcedureIn):
    """A corrected procedure: it supersedes the one in the path, which is kept."""

    reason: Why


class CheckInFix(CheckInIn):
    """A corrected check-in (staff): it supersedes the one in the path, which is kept."""

    at: Instant  # a correction says when
    reason: Why


class LabFix(LabIn):
    """A corrected test result: it supersedes the one in the path, which is kept."""

    reason: Why


class Reason(Out):
    clause: str | None
    code: str
    text: str = Field(description="In plain words, for the patient.")
    staff: str = Field(description="For staff, with dates as stamps.")


class ProtocolRef(Out):
    id: str
    version: str
    sha256: str


class AssessmentOut(Out):
    """What the clinic's protocol says to do, and why, clause by clause. Decision support
    applying one clinic's protocol, not a diagnosis."""

    as_of: AwareDatetime
    pathway: Pathway
    urgency: Urgency
    actions: list[str]
    flags: list[str]
    repeats_done: int
    earliest_next_procedure_at: AwareDatetime | None
    valid_until: AwareDatetime | None
    rationale: list[Reason]
    protocol: ProtocolRef

    @classmethod
    def of(cls, s: Standing, zone: tzinfo) -> AssessmentOut:
        """The standing as the API sends it: enums as their values, the patient's reasons in
        the active language (api/language.py) and in the patient's `zone`, staff's in
        English."""
        ref = s.protocol
        return cls(
            as_of=s.as_of,
            pathway=s.pathway,
            urgency=s.urgency,
            actions=[a.value for a in s.actions],
            flags=[f.value for f in s.flags],
            repeats_done=s.repeats_done,
            earliest_next_procedure_at=s.earliest_next_procedure_at,
            valid_until=s.valid_until,
            rationale=[
                Reason(
                    clause=None if r.clause is None else r.clause.value,
                    code=r.code,
                    text=reason_text(r, Audience.PATIENT, zone),
                    staff=r.staff,
                )
                for r in s.rationale
            ],
            protocol=ProtocolRef(id="", version="", sha256="")
            if ref is None
            else ProtocolRef(id=ref.id, version=ref.version, sha256=ref.sha256),
        )


class ChangeOut(Out):
    at: AwareDatetime
    pathway: Pathway
    urgency: Urgency
    actions: list[str]
    flags: list[str]
    rationale: list[Reason]


class CallOut(Out):
    at: AwareDatetime
    actor_id: int | None
    outcome: CallOutcome
    note: str


class TaskOut(Out):
    """`emergency`: opened by a possible clot; only a person closes it, with a `resolution`."""

    id: int
    patient_id: int
    kind: TaskKind
    reason: str
    status: TaskStatus
    assignee_id: int | None
    created_at: AwareDatetime
    emergency: bool
    acknowledged_at: AwareDatetime | None
    acknowledged_by_id: int | None
    resolution: Resolution | None
    calls: list[CallOut]

    @staticmethod
    def resolve_resolution(task: Any) -> str | None:
        return task.resolution or None

    @staticmethod
    def resolve_calls(task: Any) -> list[Any]:
        return sorted(task.calls.all(), key=lambda c: (c.at, c.pk))


class TaskAction(enum.Enum):
    ACKNOWLEDGE = "acknowledge"
    ASSIGN = "assign"
    RESOLVE = "resolve"
    CALL = "call"


class TaskMove(In):
    """acknowledge; assign (to `assignee_id`); resolve (with a `note`, and for an emergency
    task a `resolution`); or call: record a call tried (`call_outcome`, optional `note`) on a
    task to call the patient."""

    action: TaskAction
    assignee_id: Id | None = None
    note: Note = ""
    resolution: Resolution | None = None
    call_outcome: CallOutcome | None = None
