"""Domain values of the protocol: what goes into an assessment and what comes out.

Everything here is immutable. Instants are timezone-aware datetimes; the offset a patient
wrote is kept so that explanations can show dates the way the patient reads them.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from venowatch.protocol.message import ENGLISH, Audience, Message, render

_PATIENT_ENGLISH = ENGLISH[Audience.PATIENT]
_STAFF_ENGLISH = ENGLISH[Audience.STAFF]


# The enums a clinic's database keeps in a column are StrEnums: a member equals the text stored
# for it, so a row read back as the member still compares with that text.
class Pgic(enum.StrEnum):
    """Patient's global impression of change, best first (the order is clinical)."""

    VERY_MUCH_IMPROVED = "very_much_improved"
    MUCH_IMPROVED = "much_improved"
    MINIMALLY_IMPROVED = "minimally_improved"
    NO_CHANGE = "no_change"
    MINIMALLY_WORSE = "minimally_worse"
    MUCH_WORSE = "much_worse"
    VERY_MUCH_WORSE = "very_much_worse"

    # Plain attributes set once below, not properties: the engine reads them for every
    # check-in, and an Enum-keyed lookup costs a Python-level __hash__ each time.
    rank: int
    """0 for the best answer, 6 for the worst."""
    klass: PgicClass
    improved: bool


class PgicClass(enum.Enum):
    NOTICEABLE = "noticeable"
    SLIGHT = "slight"
    BASELINE = "baseline"
    WORSE = "worse"


_PGIC_CLASS = {
    Pgic.VERY_MUCH_IMPROVED: PgicClass.NOTICEABLE,
    Pgic.MUCH_IMPROVED: PgicClass.NOTICEABLE,
    Pgic.MINIMALLY_IMPROVED: PgicClass.SLIGHT,
    Pgic.NO_CHANGE: PgicClass.BASELINE,
    Pgic.MINIMALLY_WORSE: PgicClass.WORSE,
    Pgic.MUCH_WORSE: PgicClass.WORSE,
    Pgic.VERY_MUCH_WORSE: PgicClass.WORSE,
}
for _rank, _pgic in enumerate(Pgic):
    _pgic.rank = _rank
    _pgic.klass = _PGIC_CLASS[_pgic]
    _pgic.improved = _pgic.klass in (PgicClass.NOTICEABLE, PgicClass.SLIGHT)


class ProcedureKind(enum.StrEnum):
    VENOPLASTY = "venoplasty"
    STENT = "stent"


class LabKind(enum.StrEnum):
    BLOOD = "blood"
    URINE = "urine"


class LabResult(enum.StrEnum):
    NORMAL = "normal"
    ABNORMAL = "abnormal"


class Pathway(enum.StrEnum):
    POSSIBLE_THROMBOSIS = "possible_thrombosis"
    SUSPECTED_RESTENOSIS = "suspected_restenosis"
    WORSENING_RETEST = "worsening_retest"
    TREAT_UNDERLYING_CAUSE = "treat_underlying_cause"
    WORSENING_WATCH = "worsening_watch"
    TUNE_UP_ELIGIBLE = "tune_up_eligible"
    NO_IMPROVEMENT = "no_improvement"
    ADJUSTMENT_PERIOD = "adjustment_period"
    TUNE_UP_WAIT = "tune_up_wait"
    AWAITING_CHECKIN = "awaiting_checkin"
    IMPROVED = "improved"
    NO_PROCEDURE = "no_procedure"


class Urgency(enum.StrEnum):
    """Most pressing first; `rank` orders a worklist."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    ATTENTION = "attention"
    ROUTINE = "routine"
    NONE = "none"

    @property
    def rank(self) -> int:
        return _URGENCY_RANKS[self]


# Worklists, the impact preview and the sweep rank urgencies in inner loops.
_URGENCY_RANKS = {u: i for i, u in enumerate(Urgency)}


class Action(enum.Enum):
    CALL_IR_OR_EMERGENCY = "call_ir_or_emergency"
    SCHEDULE_RETEST = "schedule_retest"
    TREAT_UNDERLYING_CAUSE = "treat_underlying_cause"
    EMAIL_PATIENT_ADVOCATE = "email_patient_advocate"
    KEEP_CHECKING_IN = "keep_checking_in"
    CONSIDER_TUNE_UP = "consider_tune_up"
    STAFF_REVIEW = "staff_review"
    WAIT_BEFORE_NEXT_PROCEDURE = "wait_before_next_procedure"
    DIET_SUPPLEMENTS_LIFESTYLE = "diet_supplements_lifestyle"
    LOG_CHECKIN = "log_checkin"
    BLOOD_AND_URINE_TEST = "blood_and_urine_test"


class Flag(enum.Enum):
    CHECKIN_OVERDUE = "checkin_overdue"
    STENT_CONSIDERATION = "stent_consideration"


class Clause(enum.Enum):
    """Clauses of the source guide (see the protocol file for their summaries)."""

    C1 = "C1"
    C2 = "C2"
    C3 = "C3"
    C4 = "C4"
    C5 = "C5"
    C6 = "C6"
    C7 = "C7"


@dataclass(frozen=True, slots=True)
class Procedure:
    kind: ProcedureKind
    performed_at: datetime
    veins: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class CheckIn:
    at: datetime
    pgic: Pgic
    symptoms_returned: bool = False
    symptoms: tuple[tuple[str, int], ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Lab:
    at: datetime
    kind: LabKind
    result: LabResult
    finding: str = ""


@dataclass(frozen=True, slots=True)
class Timeline:
    """One patient's records, in the order they were given (order breaks ties in time)."""

    patient_id: str
    procedures: tuple[Procedure, ...] = ()
    checkins: tuple[CheckIn, ...] = ()
    labs: tuple[Lab, ...] = ()
    as_of: datetime | None = None


class ProcedureRecord(Protocol):
    """What the engine reads of a procedure. `Procedure` is one; so is any read-only record
    with these attributes, such as a decoded file, which then needs no copying."""

    @property
    def kind(self) -> ProcedureKind: ...
    @property
    def performed_at(self) -> datetime: ...


class CheckInRecord(Protocol):
    @property
    def at(self) -> datetime: ...
    @property
    def pgic(self) -> Pgic: ...
    @property
    def symptoms_returned(self) -> bool: ...


class LabRecord(Protocol):
    @property
    def at(self) -> datetime: ...
    @property
    def kind(self) -> LabKind: ...
    @property
    def result(self) -> LabResult: ...
    @property
    def finding(self) -> str: ...


class TimelineRecord(Protocol):
    @property
    def patient_id(self) -> str: ...
    @property
    def procedures(self) -> Sequence[ProcedureRecord]: ...
    @property
    def checkins(self) -> Sequence[CheckInRecord]: ...
    @property
    def labs(self) -> Sequence[LabRecord]: ...
    @property
    def as_of(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class Reason:
    """One fact behind an assessment, tied to the source clause it applies (None: a rule
    of the follow-up routine that the source guide does not cover), in a wording for the
    patient and one for staff that an edge can write in the reader's language."""

    clause: Clause | None
    code: str
    patient_message: Message
    staff_message: Message

    # The English is written when it is read, not when `assess` decides: writing both wordings
    # of every reason up front made `assess` half as fast (bench/run.py), and a caller that
    # only decides never reads them.
    @property
    def patient(self) -> str:
        return render(self.patient_message, _PATIENT_ENGLISH)

    @property
    def staff(self) -> str:
        return render(self.staff_message, _STAFF_ENGLISH)


@dataclass(frozen=True, slots=True)
class ProtocolRef:
    id: str
    version: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Assessment:
    patient_id: str
    as_of: datetime
    pathway: Pathway
    urgency: Urgency
    actions: tuple[Action, ...]
    flags: tuple[Flag, ...]
    repeats_done: int
    earliest_next_procedure_at: datetime | None
    valid_until: datetime | None
    rationale: tuple[Reason, ...]
    protocol: ProtocolRef
