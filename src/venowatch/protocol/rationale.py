"""The plain-words reasons behind an assessment, one per fact, each tied to a clause.

Patients read these on a phone, often tired or with poor vision: short sentences, dates
written out in the offset the patient used, spans in whole days where they are whole. Staff
get the same facts in compact form. Texts depend only on the records and on thresholds, never
on how much time has passed since, so an explanation changes only when the decision does.

Each wording is a message (see message.py) that an edge can write in the reader's language,
and that the engine writes in English. Whole sentences are templates where they can be, so a
translator sees what a word belongs to.

This module holds the facts about procedures and their timing, and the pieces every reason is
built from; rationale_course and rationale_causes hold the rest.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from venowatch.protocol.message import (
    Message,
    Span,
    Unit,
    counted,
    gettext_noop,
    ngettext_noop,
    say,
)
from venowatch.protocol.model import (
    CheckInRecord,
    Clause,
    Pathway,
    Pgic,
    ProcedureKind,
    ProcedureRecord,
    Reason,
)
from venowatch.protocol.rules import Parameters

# Words are messages too, so that each is translated on its own.
_FEELING = {
    "very_much_improved": say(gettext_noop("very much better")),
    "much_improved": say(gettext_noop("much better")),
    "minimally_improved": say(gettext_noop("a little better")),
    "no_change": say(gettext_noop("no different")),
    "minimally_worse": say(gettext_noop("a little worse")),
    "much_worse": say(gettext_noop("much worse")),
    "very_much_worse": say(gettext_noop("very much worse")),
}


def days(span: timedelta) -> Span:
    return Span(span, Unit.DAYS)


def hours(span: timedelta) -> Span:
    return Span(span, Unit.HOURS)


def feeling(c: CheckInRecord) -> Message:
    return _FEELING[c.pgic.value]


def feeling_of(answer: Pgic) -> Message:
    """An answer in words, for staff as for patients: `much_worse` is a code, not a sentence."""
    return _FEELING[answer.value]


def reason(clause: Clause | None, code: str, patient: Message, staff: Message) -> Reason:
    return Reason(clause=clause, code=code, patient_message=patient, staff_message=staff)


def no_procedure(as_of: datetime, tz: tzinfo | None) -> Reason:
    at = as_of.astimezone(tz)
    return reason(
        None,
        "no_procedure",
        say(
            gettext_noop(
                "No venoplasty or stent is recorded up to %(as_of)s, so there is nothing to "
                "follow up yet."
            ),
            as_of=at,
        ),
        say(gettext_noop("No procedure at or before %(as_of)s."), as_of=at),
    )


def index_procedure(p: ProcedureRecord, repeats: int, tz: tzinfo | None) -> Reason:
    at = p.performed_at.astimezone(tz)
    if p.kind is ProcedureKind.STENT:
        patient = say(
            gettext_noop(
                "Your most recent procedure was a stent procedure on %(performed_at)s. Your "
                "check-ins compare how you feel now with just before it."
            ),
            performed_at=at,
        )
        staff = say(
            gettext_noop(
                "Index procedure: stent at %(performed_at)s; repeat venoplasties: %(repeats)s."
            ),
            performed_at=at,
            repeats=repeats,
        )
    else:
        patient = say(
            gettext_noop(
                "Your most recent procedure was a venoplasty on %(performed_at)s. Your check-ins "
                "compare how you feel now with just before it."
            ),
            performed_at=at,
        )
        staff = say(
            gettext_noop(
                "Index procedure: venoplasty at %(performed_at)s; repeat venoplasties: %(repeats)s."
            ),
            performed_at=at,
            repeats=repeats,
        )
    return reason(None, "index_procedure", patient, staff)


def awaiting_checkin(p: ProcedureRecord, tz: tzinfo | None) -> Reason:
    return reason(
        None,
        "awaiting_checkin",
        say(
            gettext_noop("You have not checked in since your procedure on %(performed_at)s."),
            performed_at=p.performed_at.astimezone(tz),
        ),
        say(gettext_noop("No check-in since the index procedure.")),
    )


def latest_improved(c: CheckInRecord, tz: tzinfo | None) -> Reason:
    at = c.at.astimezone(tz)
    return reason(
        None,
        "latest_improved",
        say(
            gettext_noop(
                "At your latest check-in, on %(at)s, you felt %(feeling)s than just before the "
                "procedure."
            ),
            at=at,
            feeling=feeling(c),
        ),
        say(gettext_noop("Latest check-in %(at)s: %(answer)s."), at=at, answer=feeling(c)),
    )


def earliest_next(
    p: ProcedureRecord, earliest: datetime, pathway: Pathway, tz: tzinfo | None
) -> Reason:
    facts: dict[str, datetime | Span] = {
        "earliest": earliest.astimezone(tz),
        "wait": days(earliest - p.performed_at),
    }
    if pathway is Pathway.TUNE_UP_ELIGIBLE:
        return reason(
            Clause.C6,
            "tune_up_time",
            say(
                gettext_noop(
                    "It has been at least %(wait)s since your procedure (since %(earliest)s), "
                    "long enough for blood flow to settle, so a tune-up can be considered. Only "
                    "3 or 4 repeat venoplasties are done before a stent is considered."
                ),
                **facts,
            ),
            say(
                gettext_noop(
                    "Tune-up possible since %(earliest)s (%(wait)s after the index procedure)."
                ),
                **facts,
            ),
        )
    if pathway is Pathway.TUNE_UP_WAIT:
        return reason(
            Clause.C6,
            "tune_up_wait",
            say(
                gettext_noop(
                    "A tune-up is not considered before %(earliest)s, %(wait)s after your "
                    "procedure: blood flow takes that long to settle, and only 3 or 4 repeat "
                    "venoplasties are done before a stent is considered."
                ),
                **facts,
            ),
            say(gettext_noop("No tune-up before %(earliest)s (%(wait)s)."), **facts),
        )
    return reason(
        Clause.C4,
        "adjustment_wait",
        say(
            gettext_noop(
                "The earliest date for another procedure is %(earliest)s, %(wait)s after your "
                "last one: the guide says to give it 4 to 6 weeks."
            ),
            **facts,
        ),
        say(gettext_noop("Earliest next procedure %(earliest)s (%(wait)s)."), **facts),
    )


def stent(repeats: int, prm: Parameters) -> Reason:
    return reason(
        Clause.C6,
        "stent_consideration",
        counted(
            ngettext_noop(
                "You have had %(count)s repeat venoplasties. The guide says only 3 or 4 are done "
                "before a stent, which carries more risk, is considered.",
                "You have had %(count)s repeat venoplasties. The guide says only 3 or 4 are done "
                "before a stent, which carries more risk, is considered.",
            ),
            repeats,
        ),
        counted(
            ngettext_noop(
                "%(count)s repeats done (>= %(threshold)s): consider a stent.",
                "%(count)s repeats done (>= %(threshold)s): consider a stent.",
            ),
            repeats,
            threshold=prm.repeats_before_stent,
        ),
    )


def overdue(last: datetime, any_checkin: bool, prm: Parameters, tz: tzinfo | None) -> Reason:
    at, every = last.astimezone(tz), days(prm.checkin_overdue_after)
    if any_checkin:
        patient = say(
            gettext_noop(
                "A check-in is overdue: your last check-in was on %(last)s, and check-ins are "
                "due at least every %(every)s."
            ),
            last=at,
            every=every,
        )
        staff = say(
            gettext_noop("Check-in overdue: last check-in %(last)s (every %(every)s)."),
            last=at,
            every=every,
        )
    else:
        patient = say(
            gettext_noop(
                "A check-in is overdue: your procedure was on %(last)s, and check-ins are due "
                "at least every %(every)s."
            ),
            last=at,
            every=every,
        )
        staff = say(
            gettext_noop("Check-in overdue: last record %(last)s (every %(every)s)."),
            last=at,
            every=every,
        )
    return reason(None, "checkin_overdue", patient, staff)
