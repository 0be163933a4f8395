"""A replay in words, for the staff page and `venowatch replay`: each step's standing, its span
in the reader's zone, what changed it, and each difference from the stored history explained.
Words, never codes: answers, kinds, urgencies and reasons come from the tables here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from venowatch.protocol import (
    LabKind,
    LabResult,
    Pathway,
    ProcedureKind,
    Protocol,
    Urgency,
)
from venowatch.protocol.model import CheckInRecord, LabRecord, ProcedureRecord
from venowatch.protocol.replay import Cause
from venowatch.services.care.pgic import PGIC_LABELS
from venowatch.services.care.replay_values import (
    Difference,
    PatientReplay,
    RecordKind,
    RecordRow,
    Step,
    Why,
)

# Capitalised: a badge's word alone must not read as the stored code ("routine").
URGENCY_WORDS = {
    Urgency.EMERGENCY: gettext_lazy("Emergency"),
    Urgency.URGENT: gettext_lazy("Urgent"),
    Urgency.ATTENTION: gettext_lazy("Needs attention"),
    Urgency.ROUTINE: gettext_lazy("Routine"),
    Urgency.NONE: gettext_lazy("Nothing to do"),
}
PROCEDURE_WORDS = {
    ProcedureKind.VENOPLASTY: gettext_lazy("venoplasty"),
    ProcedureKind.STENT: gettext_lazy("stent"),
}
LAB_WORDS = {LabKind.BLOOD: gettext_lazy("blood test"), LabKind.URINE: gettext_lazy("urine test")}
RESULT_WORDS = {
    LabResult.NORMAL: gettext_lazy("normal"),
    LabResult.ABNORMAL: gettext_lazy("abnormal"),
}
RECORD_WORDS = {
    RecordKind.PROCEDURE: gettext_lazy("procedure"),
    RecordKind.CHECKIN: gettext_lazy("check-in"),
    RecordKind.LAB: gettext_lazy("test result"),
}


@dataclass(frozen=True, slots=True)
class StepWords:
    title: str
    urgency: Urgency
    urgency_words: str
    start: datetime
    end: datetime | None
    span: str
    because: str


def when(t: datetime, zone: tzinfo | None) -> str:
    """An instant with its zone, e.g. "3 Mar 2026, 10:00 EST"."""
    local = t.astimezone(zone) if zone is not None else t
    name = local.tzname() or local.strftime("%z")
    return f"{local.day} {local:%b %Y, %H:%M} {name}"


def day(t: datetime, zone: tzinfo | None) -> str:
    local = t.astimezone(zone) if zone is not None else t
    return f"{local.day} {local:%B %Y}"


def duration(d: timedelta) -> str:
    """Elapsed time as a person says it: hours under two days, days under two weeks, else
    weeks (and days)."""
    hours = int(d.total_seconds() // 3600)
    if hours < 48:
        return _("1 hour") if hours == 1 else _("%(n)d hours") % {"n": hours}
    days = d.days
    if days < 14:
        return _("%(n)d days") % {"n": days}
    weeks, rest = divmod(days, 7)
    if rest == 0:
        return _("%(n)d weeks") % {"n": weeks}
    return _("%(w)d weeks and %(d)d days") % {"w": weeks, "d": rest}


def standing_words(pathway: Pathway, urgency: Urgency, protocol: Protocol) -> str:
    return f"{protocol.pathways[pathway].title.staff} ({str(URGENCY_WORDS[urgency]).lower()})"


def steps_in_words(done: PatientReplay, zone: tzinfo | None) -> list[StepWords]:
    out: list[StepWords] = []
    previous: Step | None = None
    for step in done.steps:
        protocol = done.rules[step.protocol.sha256]
        if step.end is None:
            span = _("since %(start)s") % {"start": when(step.start, zone)}
        else:
            span = _("from %(start)s to %(end)s") % {
                "start": when(step.start, zone),
                "end": when(step.end, zone),
            }
        out.append(
            StepWords(
                title=protocol.pathways[step.pathway].title.staff,
                urgency=step.urgency,
                urgency_words=str(URGENCY_WORDS[step.urgency]),
                start=step.start,
                end=step.end,
                span=span,
                because=because(step, previous, zone),
            )
        )
        previous = step
    return out


def because(step: Step, previous: Step | None, zone: tzinfo | None) -> str:
    """What began the step: "check-in of 3 March 2026: much worse", "time passed: ..."."""
    record = step.record
    if step.cause is None or (record is None and step.cause is not Cause.TIME):
        return _("the clinic put protocol %(id)s %(version)s in force") % {
            "id": step.protocol.id,
            "version": step.protocol.version,
        }
    if step.cause is Cause.TIME:
        anchor = _anchor(step, previous, zone)
        return _("time passed: %(span)s since %(anchor)s") % anchor
    when_ = day(step.start, zone)
    if step.cause is Cause.CHECKIN:
        c = cast(CheckInRecord, record)
        back = _(", symptoms came back") if c.symptoms_returned else ""
        words = str(PGIC_LABELS[c.pgic]).lower()
        return _("check-in of %(day)s: %(words)s%(back)s") % {
            "day": when_,
            "words": words,
            "back": back,
        }
    if step.cause is Cause.LAB:
        lab = cast(LabRecord, record)
        what = f"{LAB_WORDS[lab.kind]}, {RESULT_WORDS[lab.result]}"
        return _("test result of %(day)s: %(what)s") % {"day": when_, "what": what}
    procedure = cast(ProcedureRecord, record)
    return _("procedure of %(day)s: %(kind)s") % {
        "day": when_,
        "kind": PROCEDURE_WORDS[procedure.kind],
    }


def _anchor(step: Step, previous: Step | None, zone: tzinfo | None) -> Mapping[str, str]:
    """What the time is counted from: an alert runs from the check-in that raised it; the
    protocol's waits run from the procedure."""
    alert = previous is not None and previous.pathway is Pathway.POSSIBLE_THROMBOSIS
    if alert and step.latest is not None:
        at, what = step.latest.at, _("the check-in of %(day)s")
    elif step.index is not None:
        at, what = step.index.performed_at, _("the procedure of %(day)s")
    elif step.latest is not None:
        at, what = step.latest.at, _("the check-in of %(day)s")
    else:
        return {"span": duration(timedelta(0)), "anchor": _("the first record")}
    return {"span": duration(step.start - at), "anchor": what % {"day": day(at, zone)}}


WHY_WORDS: dict[Why, Callable[[Difference, str, str, str], str]] = {
    Why.SWEEP_LATE: lambda d, s, r, rec: (
        _(
            "The change came with the passing of time at %(replayed)s; the next re-assessment "
            "(the scheduled one, or a new record's) stored it at %(stored)s."
        )
        % {"replayed": r, "stored": s}
    ),
    Why.RECORDED_LATE: lambda d, s, r, rec: (
        _(
            "%(record)s was entered after the moment it is dated: the history has the change from "
            "when it was entered (%(stored)s), the replay from its date (%(replayed)s)."
        )
        % {"record": rec, "stored": s or _("never"), "replayed": r}
    ),
    Why.CORRECTION: lambda d, s, r, rec: (
        _(
            "%(record)s counted when the history was stored (%(stored)s) and was voided or "
            "corrected since; the replay reads the records that count now."
        )
        % {"record": rec, "stored": s or _("at the time")}
    ),
    Why.PROTOCOL: lambda d, s, r, rec: (
        _("The history was made under another protocol (%(protocol)s) than the replay.")
        % {"protocol": _protocol(d)}
    ),
    Why.BEFORE_HISTORY: lambda d, s, r, rec: _(
        "The stored history begins later (records imported together are assessed once)."
    ),
    Why.NOT_ASSESSED: lambda d, s, r, rec: _(
        "Nothing re-assessed the patient while this held, so the history never recorded it."
    ),
    Why.UNEXPLAINED: lambda d, s, r, rec: _(
        "venowatch cannot say why; please report it with the patient's id."
    ),
}


def _protocol(d: Difference) -> str:
    if d.protocol is None:
        return _("not recorded")
    return f"{d.protocol.id} {d.protocol.version}"


def record_words(row: RecordRow | None, zone: tzinfo | None) -> str:
    if row is None:
        return _("A record")
    kind = str(RECORD_WORDS[row.kind])
    return _("The %(kind)s of %(day)s") % {"kind": kind, "day": day(row.at, zone)}


def difference_words(d: Difference, done: PatientReplay, zone: tzinfo | None) -> str:
    """One difference as a sentence or two: what each side says, then why they differ."""
    protocol = next(iter(done.rules.values()))
    stored_at = "" if d.stored_at is None else when(d.stored_at, zone)
    replayed_at = "" if d.replayed_at is None else when(d.replayed_at, zone)
    said = []
    if d.stored is not None:
        said.append(
            _("History, from %(at)s: %(standing)s.")
            % {"at": stored_at, "standing": standing_words(*d.stored, protocol)}
        )
    if d.replayed is not None:
        said.append(
            _("Replay, from %(at)s: %(standing)s.")
            % {"at": replayed_at, "standing": standing_words(*d.replayed, protocol)}
        )
    reason = WHY_WORDS[d.why](d, stored_at, replayed_at, record_words(d.record, zone))
    return " ".join([*said, reason])
