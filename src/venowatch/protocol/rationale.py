"""The plain-words reasons behind an assessment, one per fact, each tied to a clause.

Patients read these on a phone, often tired or with poor vision: short sentences, dates
written out in the offset the patient used, spans in whole days where they are whole. Staff
get the same facts in compact form. Texts depend only on the records and on thresholds, never
on how much time has passed since, so an explanation changes only when the decision does.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

from venowatch.protocol.model import (
    CheckInRecord,
    Clause,
    LabRecord,
    Pathway,
    PgicClass,
    ProcedureKind,
    ProcedureRecord,
    Reason,
)
from venowatch.protocol.rules import Parameters

_DAY = timedelta(days=1)
_HOUR = timedelta(hours=1)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip
_FEELING = {
    "very_much_improved": "very much better",
    "much_improved": "much better",
    "minimally_improved": "a little better",
    "no_change": "no different",
    "minimally_worse": "a little worse",
    "much_worse": "much worse",
    "very_much_worse": "very much worse",
}


class TriggerCause(enum.Enum):
    """Why a check-in inside the thrombosis window raised the alarm (C2)."""

    SYMPTOMS_RETURNED = "symptoms_returned"
    RETURN_AFTER_IMPROVEMENT = "return_after_improvement"
    MARKEDLY_WORSE = "markedly_worse"

    @classmethod
    def of(
        cls, c: CheckInRecord, improved: bool, seen_improved: bool, worse_rank: int
    ) -> TriggerCause | None:
        if c.symptoms_returned:
            return cls.SYMPTOMS_RETURNED
        if not improved and seen_improved:
            return cls.RETURN_AFTER_IMPROVEMENT
        if c.pgic.rank >= worse_rank:
            return cls.MARKEDLY_WORSE
        return None


def when(t: datetime, tz: tzinfo | None) -> str:
    """A date and time the way a patient reads it: 'Monday 12 January 2026 at 10:00'."""
    t = t.astimezone(tz)
    day = f"{_WEEKDAYS[t.weekday()]} {t.day} {_MONTHS[t.month - 1]} {t.year}"
    return f"{day} at {t.hour:02d}:{t.minute:02d}"


def stamp(t: datetime, tz: tzinfo | None) -> str:
    """A date and time for staff: '2026-01-12 10:00 -05:00'."""
    text = t.astimezone(tz).isoformat(" ", "minutes")  # '2026-01-12 10:00-05:00'
    return f"{text[:16]} {text[16:]}"


def days(span: timedelta) -> str:
    """Whole days where whole, else rounded down to a tenth, so a span shown never looks longer
    than a threshold it has not reached."""
    return _amount(span / _DAY, "day")


def hours(span: timedelta) -> str:
    return _amount(span / _HOUR, "hour")


def _amount(value: float, unit: str) -> str:
    tenths = math.floor(value * 10 + 1e-9)
    if tenths % 10 == 0:
        n = tenths // 10
        return f"{n} {unit}" if n == 1 else f"{n} {unit}s"
    return f"{tenths / 10:.1f} {unit}s"


def feeling(c: CheckInRecord) -> str:
    return _FEELING[c.pgic.value]


def _reason(clause: Clause | None, code: str, patient: str, staff: str) -> Reason:
    return Reason(clause=clause, code=code, patient=patient, staff=staff)


def no_procedure(as_of: datetime, tz: tzinfo | None) -> Reason:
    return _reason(
        None,
        "no_procedure",
        f"No venoplasty or stent is recorded up to {when(as_of, tz)}, so there is nothing to "
        "follow up yet.",
        f"No procedure at or before {stamp(as_of, tz)}.",
    )


def index_procedure(p: ProcedureRecord, repeats: int, tz: tzinfo | None) -> Reason:
    kind = "stent" if p.kind is ProcedureKind.STENT else "venoplasty"
    article = "a stent procedure" if p.kind is ProcedureKind.STENT else "a venoplasty"
    return _reason(
        None,
        "index_procedure",
        f"Your most recent procedure was {article} on {when(p.performed_at, tz)}. "
        "Your check-ins compare how you feel now with just before it.",
        f"Index procedure: {kind} at {stamp(p.performed_at, tz)}; repeat venoplasties: {repeats}.",
    )


def thrombosis(
    trigger: CheckInRecord,
    cause: TriggerCause,
    p: ProcedureRecord,
    alert_until: datetime,
    active: bool,
    cleared_by: CheckInRecord | None,
    prm: Parameters,
    tz: tzinfo | None,
) -> Reason:
    after = hours(trigger.at - p.performed_at)
    if cause is TriggerCause.SYMPTOMS_RETURNED:
        what = "you said the symptoms you had before the procedure had come back"
        why = "symptoms returned"
    elif cause is TriggerCause.RETURN_AFTER_IMPROVEMENT:
        what = f"you felt {feeling(trigger)} after feeling better earlier"
        why = f"{trigger.pgic.value} after an improved check-in"
    else:
        what = f"you felt {feeling(trigger)} than before the procedure"
        why = f"{trigger.pgic.value} (at or beyond {prm.thrombosis_worse_from.value})"
    said = f"On {when(trigger.at, tz)}, {after} after your procedure, {what}."
    staff = (
        f"Trigger at {stamp(trigger.at, tz)}, +{after} (window {hours(prm.thrombosis_window)}): "
        f"{why}."
    )
    if active:
        return _reason(
            Clause.C2,
            "thrombosis_active",
            f"{said} So soon after a procedure this can be a sign of a blood clot. This warning "
            f"stays until {when(alert_until, tz)} unless you check in feeling better with no "
            "return of your symptoms.",
            f"{staff} Alert until {stamp(alert_until, tz)} unless an improved check-in without "
            "returned symptoms.",
        )
    if cleared_by is not None:
        ended = f"you checked in feeling {feeling(cleared_by)} on {when(cleared_by.at, tz)}"
        ended_staff = f"improved check-in at {stamp(cleared_by.at, tz)}"
    else:
        ended = f"{days(prm.thrombosis_alert_for)} passed, on {when(alert_until, tz)}"
        ended_staff = f"alert window ended {stamp(alert_until, tz)}"
    return _reason(
        Clause.C2,
        "thrombosis_ended",
        f"{said} The possible-clot warning ended because {ended}.",
        f"{staff} Ended: {ended_staff}.",
    )


def awaiting_checkin(p: ProcedureRecord, tz: tzinfo | None) -> Reason:
    return _reason(
        None,
        "awaiting_checkin",
        f"You have not checked in since your procedure on {when(p.performed_at, tz)}.",
        "No check-in since the index procedure.",
    )


def latest_improved(c: CheckInRecord, tz: tzinfo | None) -> Reason:
    return _reason(
        None,
        "latest_improved",
        f"At your latest check-in, on {when(c.at, tz)}, you felt {feeling(c)} than just before "
        "the procedure.",
        f"Latest check-in {stamp(c.at, tz)}: {c.pgic.value}.",
    )


def noticeable_improvement(
    span: tuple[datetime, datetime], prm: Parameters, tz: tzinfo | None
) -> Reason:
    start, end = span
    return _reason(
        Clause.C5,
        "noticeable_improvement",
        f"You were clearly better from {when(start, tz)} until {when(end, tz)}: "
        f"{days(end - start)}. The guide looks for a month or more ({days(prm.noticeable_min)}).",
        f"Noticeable improvement {stamp(start, tz)} to {stamp(end, tz)}: {days(end - start)} "
        f"(>= {days(prm.noticeable_min)}).",
    )


def reverted(
    reversion: Sequence[CheckInRecord], restenosis: bool, prm: Parameters, tz: tzinfo | None
) -> Reason:
    first, last = reversion[0], reversion[-1]
    span = days(last.at - first.at)
    count = len(reversion)
    checks = "1 check-in" if count == 1 else f"{count} check-ins"
    base = (
        f"Since {when(first.at, tz)} you have felt no better than before the procedure "
        f"({checks} over {span})."
    )
    staff = f"Not improved since {stamp(first.at, tz)}: {checks} over {span}"
    if restenosis:
        return _reason(
            Clause.C5,
            "reverted",
            f"{base} The guide says that after {days(prm.reverted_min)} back at your old level "
            "you should be retested and treated again.",
            f"{staff} (>= {days(prm.reverted_min)}).",
        )
    return _reason(
        Clause.C4,
        "reverted_briefly",
        f"{base} That is less than {days(prm.reverted_min)}. While the body adjusts to the new "
        "blood flow, symptoms often come and go.",
        f"{staff} (< {days(prm.reverted_min)}): may wax and wane.",
    )


def worsening(
    worse: Sequence[CheckInRecord],
    long_enough: bool,
    not_easing: bool,
    prm: Parameters,
    tz: tzinfo | None,
) -> Reason:
    first, last = worse[0], worse[-1]
    span = days(last.at - first.at)
    trend = (
        f"first {feeling(first)}, latest {feeling(last)}"
        if first.pgic is not last.pgic
        else f"{feeling(last)} throughout"
    )
    patient = (
        f"You have felt worse than before the procedure since {when(first.at, tz)}, "
        f"for {span} ({trend})."
    )
    staff = (
        f"Worse since {stamp(first.at, tz)} for {span}: {first.pgic.value} -> {last.pgic.value}."
    )
    limit = days(prm.worsening_min)
    if long_enough and not_easing:
        patient += f" Still worse after {limit}: the guide says to retest and treat again."
        staff += f" >= {limit} and not easing: retest (few such cases; benefit unknown)."
    elif long_enough:
        patient += " It is easing, so we keep watching rather than retest now."
        staff += f" >= {limit} but easing: watch."
    else:
        patient += f" If it keeps getting worse for {limit}, the guide says to retest."
        staff += f" < {limit}: watch."
    return _reason(Clause.C7, "worsening", patient, staff)


def slight_or_brief(
    checkins: Sequence[CheckInRecord],
    r_start: int,
    spans: Sequence[tuple[datetime, datetime]],
    prm: Parameters,
    tz: tzinfo | None,
) -> Reason:
    if spans:
        start, end = max(spans, key=lambda s: s[1] - s[0])
        return _reason(
            Clause.C6,
            "brief_improvement",
            f"You were clearly better from {when(start, tz)} until {when(end, tz)}, but only for "
            f"{days(end - start)}, less than the month ({days(prm.noticeable_min)}) the guide "
            "looks for.",
            f"Brief noticeable improvement: {days(end - start)} (< {days(prm.noticeable_min)}).",
        )
    slight = [c for c in checkins[:r_start] if c.pgic.klass is PgicClass.SLIGHT]
    return _reason(
        Clause.C6,
        "slight_improvement",
        f"Since your procedure you have felt at most a little better ({len(slight)} of your "
        "check-ins).",
        f"Only slight improvement ({len(slight)} minimally_improved check-ins).",
    )


def no_improvement(count: int) -> Reason:
    checks = "your check-in" if count == 1 else f"any of your {count} check-ins"
    return _reason(
        None,
        "no_improvement",
        f"You have not felt better at {checks} since the procedure. The guide does not cover "
        "this, so your care team will review it.",
        f"No improved check-in of {count} since the index procedure (outside the source guide).",
    )


def abnormal_lab(lab: LabRecord, tz: tzinfo | None) -> Reason:
    finding = f" ({lab.finding})" if lab.finding else ""
    return _reason(
        Clause.C3,
        "lab_abnormal",
        f"Your {lab.kind.value} test on {when(lab.at, tz)} was abnormal{finding}. That needs "
        "treating first: it can cause symptoms like these.",
        f"Abnormal {lab.kind.value} test {stamp(lab.at, tz)}{finding}.",
    )


def labs_normal(blood: LabRecord, urine: LabRecord, tz: tzinfo | None) -> Reason:
    return _reason(
        Clause.C3,
        "labs_normal",
        f"Your blood test ({when(blood.at, tz)}) and urine test ({when(urine.at, tz)}) were "
        "normal, so an infection or metabolic imbalance is unlikely.",
        f"Blood {stamp(blood.at, tz)} and urine {stamp(urine.at, tz)} normal: other causes "
        "ruled out.",
    )


def labs_needed(
    since: datetime, blood: LabRecord | None, urine: LabRecord | None, tz: tzinfo | None
) -> Reason:
    have = blood or urine
    if have is None:
        patient = f"There is no blood or urine test from {when(since, tz)} on."
        staff = f"No labs since {stamp(since, tz)}."
    else:
        missing = "urine" if have is blood else "blood"
        patient = (
            f"Your {have.kind.value} test on {when(have.at, tz)} was normal; a {missing} test is "
            "still needed."
        )
        staff = f"Normal {have.kind.value} {stamp(have.at, tz)}; {missing} test missing."
    return _reason(
        Clause.C3,
        "labs_needed",
        f"{patient} The guide says to rule out an infection or metabolic imbalance first.",
        f"{staff} Rule out infection or metabolic imbalance.",
    )


def earliest_next(
    p: ProcedureRecord, earliest: datetime, pathway: Pathway, tz: tzinfo | None
) -> Reason:
    wait = days(earliest - p.performed_at)
    if pathway is Pathway.TUNE_UP_ELIGIBLE:
        return _reason(
            Clause.C6,
            "tune_up_time",
            f"It has been at least {wait} since your procedure (since {when(earliest, tz)}), long "
            "enough for blood flow to settle, so a tune-up can be considered. Only 3 or 4 repeat "
            "venoplasties are done before a stent is considered.",
            f"Tune-up possible since {stamp(earliest, tz)} ({wait} after the index procedure).",
        )
    if pathway is Pathway.TUNE_UP_WAIT:
        return _reason(
            Clause.C6,
            "tune_up_wait",
            f"A tune-up is not considered before {when(earliest, tz)}, {wait} after your "
            "procedure: blood flow takes that long to settle, and only 3 or 4 repeat "
            "venoplasties are done before a stent is considered.",
            f"No tune-up before {stamp(earliest, tz)} ({wait}).",
        )
    return _reason(
        Clause.C4,
        "adjustment_wait",
        f"The earliest date for another procedure is {when(earliest, tz)}, {wait} after your "
        "last one: the guide says to give it 4 to 6 weeks.",
        f"Earliest next procedure {stamp(earliest, tz)} ({wait}).",
    )


def stent(repeats: int, prm: Parameters) -> Reason:
    return _reason(
        Clause.C6,
        "stent_consideration",
        f"You have had {repeats} repeat venoplasties. The guide says only 3 or 4 are done before "
        "a stent, which carries more risk, is considered.",
        f"{repeats} repeats done (>= {prm.repeats_before_stent}): stent consideration.",
    )


def overdue(last: datetime, any_checkin: bool, prm: Parameters, tz: tzinfo | None) -> Reason:
    since = "your last check-in" if any_checkin else "your procedure"
    return _reason(
        None,
        "checkin_overdue",
        f"A check-in is overdue: {since} was on {when(last, tz)}, and check-ins are due at "
        f"least every {days(prm.checkin_overdue_after)}.",
        f"Check-in overdue: last {'check-in' if any_checkin else 'record'} "
        f"{stamp(last, tz)} (every {days(prm.checkin_overdue_after)}).",
    )
