"""The reasons about causes other than restenosis: a possible blood clot soon after the
procedure (C2), and an infection or metabolic imbalance the labs rule in or out (C3)."""

from __future__ import annotations

import enum
from datetime import datetime, tzinfo

from venowatch.protocol.message import gettext_noop, say
from venowatch.protocol.model import (
    CheckInRecord,
    Clause,
    LabKind,
    LabRecord,
    ProcedureRecord,
    Reason,
)
from venowatch.protocol.rationale import days, feeling, feeling_of, hours, reason
from venowatch.protocol.rules import Parameters

_LAB_KIND = {
    LabKind.BLOOD: say(gettext_noop("blood")),
    LabKind.URINE: say(gettext_noop("urine")),
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
    at, until = trigger.at.astimezone(tz), alert_until.astimezone(tz)
    after = hours(trigger.at - p.performed_at)
    window = hours(prm.thrombosis_window)
    if cause is TriggerCause.SYMPTOMS_RETURNED:
        said = say(
            gettext_noop(
                "On %(at)s, %(after)s after your procedure, you said the symptoms you had "
                "before the procedure had come back."
            ),
            at=at,
            after=after,
        )
        why = say(
            gettext_noop("Trigger at %(at)s, +%(after)s (window %(window)s): symptoms returned."),
            at=at,
            after=after,
            window=window,
        )
    elif cause is TriggerCause.RETURN_AFTER_IMPROVEMENT:
        said = say(
            gettext_noop(
                "On %(at)s, %(after)s after your procedure, you felt %(feeling)s after feeling "
                "better earlier."
            ),
            at=at,
            after=after,
            feeling=feeling(trigger),
        )
        why = say(
            gettext_noop(
                "Trigger at %(at)s, +%(after)s (window %(window)s): %(answer)s after an "
                "improved check-in."
            ),
            at=at,
            after=after,
            window=window,
            answer=feeling(trigger),
        )
    else:
        said = say(
            gettext_noop(
                "On %(at)s, %(after)s after your procedure, you felt %(feeling)s than before "
                "the procedure."
            ),
            at=at,
            after=after,
            feeling=feeling(trigger),
        )
        why = say(
            gettext_noop(
                "Trigger at %(at)s, +%(after)s (window %(window)s): %(answer)s (at or beyond "
                "%(threshold)s)."
            ),
            at=at,
            after=after,
            window=window,
            answer=feeling(trigger),
            threshold=feeling_of(prm.thrombosis_worse_from),
        )
    if active:
        return reason(
            Clause.C2,
            "thrombosis_active",
            say(
                gettext_noop(
                    "%(trigger)s So soon after a procedure this can be a sign of a blood clot. "
                    "This warning stays until %(until)s unless you check in feeling better with "
                    "no return of your symptoms."
                ),
                trigger=said,
                until=until,
            ),
            say(
                gettext_noop(
                    "%(trigger)s Alert until %(until)s unless an improved check-in without "
                    "returned symptoms."
                ),
                trigger=why,
                until=until,
            ),
        )
    if cleared_by is not None:
        cleared_at = cleared_by.at.astimezone(tz)
        patient = say(
            gettext_noop(
                "%(trigger)s The possible-clot warning ended because you checked in feeling "
                "%(feeling)s on %(at)s."
            ),
            trigger=said,
            feeling=feeling(cleared_by),
            at=cleared_at,
        )
        staff = say(
            gettext_noop("%(trigger)s Ended: improved check-in at %(at)s."),
            trigger=why,
            at=cleared_at,
        )
    else:
        patient = say(
            gettext_noop(
                "%(trigger)s The possible-clot warning ended because %(alert_for)s passed, on "
                "%(until)s."
            ),
            trigger=said,
            alert_for=days(prm.thrombosis_alert_for),
            until=until,
        )
        staff = say(
            gettext_noop("%(trigger)s Ended: alert window ended %(until)s."),
            trigger=why,
            until=until,
        )
    return reason(Clause.C2, "thrombosis_ended", patient, staff)


def abnormal_lab(lab: LabRecord, tz: tzinfo | None) -> Reason:
    at, kind = lab.at.astimezone(tz), _LAB_KIND[lab.kind]
    if lab.finding:
        patient = say(
            gettext_noop(
                "Your %(kind)s test on %(at)s was abnormal (%(finding)s). That needs treating "
                "first: it can cause symptoms like these."
            ),
            kind=kind,
            at=at,
            finding=lab.finding,
        )
        staff = say(
            gettext_noop("Abnormal %(kind)s test %(at)s (%(finding)s)."),
            kind=kind,
            at=at,
            finding=lab.finding,
        )
    else:
        patient = say(
            gettext_noop(
                "Your %(kind)s test on %(at)s was abnormal. That needs treating first: it can "
                "cause symptoms like these."
            ),
            kind=kind,
            at=at,
        )
        staff = say(gettext_noop("Abnormal %(kind)s test %(at)s."), kind=kind, at=at)
    return reason(Clause.C3, "lab_abnormal", patient, staff)


def labs_normal(blood: LabRecord, urine: LabRecord, tz: tzinfo | None) -> Reason:
    dates = {"blood": blood.at.astimezone(tz), "urine": urine.at.astimezone(tz)}
    return reason(
        Clause.C3,
        "labs_normal",
        say(
            gettext_noop(
                "Your blood test (%(blood)s) and urine test (%(urine)s) were normal, so an "
                "infection or metabolic imbalance is unlikely."
            ),
            **dates,
        ),
        say(
            gettext_noop("Blood %(blood)s and urine %(urine)s normal: other causes ruled out."),
            **dates,
        ),
    )


def labs_needed(
    since: datetime, blood: LabRecord | None, urine: LabRecord | None, tz: tzinfo | None
) -> Reason:
    if blood is not None:
        at = blood.at.astimezone(tz)
        patient = say(
            gettext_noop(
                "Your blood test on %(at)s was normal; a urine test is still needed. The guide "
                "says to rule out an infection or metabolic imbalance first."
            ),
            at=at,
        )
        staff = say(
            gettext_noop(
                "Normal blood %(at)s; urine test missing. Rule out infection or metabolic "
                "imbalance."
            ),
            at=at,
        )
    elif urine is not None:
        at = urine.at.astimezone(tz)
        patient = say(
            gettext_noop(
                "Your urine test on %(at)s was normal; a blood test is still needed. The guide "
                "says to rule out an infection or metabolic imbalance first."
            ),
            at=at,
        )
        staff = say(
            gettext_noop(
                "Normal urine %(at)s; blood test missing. Rule out infection or metabolic "
                "imbalance."
            ),
            at=at,
        )
    else:
        at = since.astimezone(tz)
        patient = say(
            gettext_noop(
                "There is no blood or urine test from %(since)s on. The guide says to rule out "
                "an infection or metabolic imbalance first."
            ),
            since=at,
        )
        staff = say(
            gettext_noop("No labs since %(since)s. Rule out infection or metabolic imbalance."),
            since=at,
        )
    return reason(Clause.C3, "labs_needed", patient, staff)
