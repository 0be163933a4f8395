"""The reasons about how the patient has been since the procedure: clearly better for a time
(C5), back where they started (C4, C5), worse (C7), better only a little or briefly (C6), or
never better."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from venowatch.protocol.message import Span, counted, gettext_noop, ngettext_noop, say
from venowatch.protocol.model import CheckInRecord, Clause, PgicClass, Reason
from venowatch.protocol.rationale import days, feeling, reason
from venowatch.protocol.rules import Parameters


def noticeable_improvement(
    span: tuple[datetime, datetime], prm: Parameters, tz: tzinfo | None
) -> Reason:
    start, end = span
    facts: dict[str, datetime | Span] = {
        "start": start.astimezone(tz),
        "end": end.astimezone(tz),
        "span": days(end - start),
        "minimum": days(prm.noticeable_min),
    }
    return reason(
        Clause.C5,
        "noticeable_improvement",
        say(
            gettext_noop(
                "You were clearly better from %(start)s until %(end)s: %(span)s. The guide looks "
                "for a month or more (%(minimum)s)."
            ),
            **facts,
        ),
        say(
            gettext_noop("Noticeable improvement %(start)s to %(end)s: %(span)s (>= %(minimum)s)."),
            **facts,
        ),
    )


def reverted(
    reversion: Sequence[CheckInRecord], restenosis: bool, prm: Parameters, tz: tzinfo | None
) -> Reason:
    first, last = reversion[0], reversion[-1]
    count = len(reversion)
    facts: dict[str, datetime | Span] = {
        "since": first.at.astimezone(tz),
        "span": days(last.at - first.at),
        "minimum": days(prm.reverted_min),
    }
    if restenosis:
        return reason(
            Clause.C5,
            "reverted",
            counted(
                ngettext_noop(
                    "Since %(since)s you have felt no better than before the procedure "
                    "(%(count)s check-in over %(span)s). The guide says that after %(minimum)s "
                    "back at your old level you should be retested and treated again.",
                    "Since %(since)s you have felt no better than before the procedure "
                    "(%(count)s check-ins over %(span)s). The guide says that after %(minimum)s "
                    "back at your old level you should be retested and treated again.",
                ),
                count,
                **facts,
            ),
            counted(
                ngettext_noop(
                    "Not improved since %(since)s: %(count)s check-in over %(span)s "
                    "(>= %(minimum)s).",
                    "Not improved since %(since)s: %(count)s check-ins over %(span)s "
                    "(>= %(minimum)s).",
                ),
                count,
                **facts,
            ),
        )
    return reason(
        Clause.C4,
        "reverted_briefly",
        counted(
            ngettext_noop(
                "Since %(since)s you have felt no better than before the procedure (%(count)s "
                "check-in over %(span)s). That is less than %(minimum)s. While the body adjusts "
                "to the new blood flow, symptoms often come and go.",
                "Since %(since)s you have felt no better than before the procedure (%(count)s "
                "check-ins over %(span)s). That is less than %(minimum)s. While the body adjusts "
                "to the new blood flow, symptoms often come and go.",
            ),
            count,
            **facts,
        ),
        counted(
            ngettext_noop(
                "Not improved since %(since)s: %(count)s check-in over %(span)s (< %(minimum)s): "
                "may wax and wane.",
                "Not improved since %(since)s: %(count)s check-ins over %(span)s "
                "(< %(minimum)s): may wax and wane.",
            ),
            count,
            **facts,
        ),
    )


def worsening(
    worse: Sequence[CheckInRecord],
    long_enough: bool,
    not_easing: bool,
    prm: Parameters,
    tz: tzinfo | None,
) -> Reason:
    first, last = worse[0], worse[-1]
    if first.pgic is not last.pgic:
        trend = say(
            gettext_noop("first %(first)s, latest %(latest)s"),
            first=feeling(first),
            latest=feeling(last),
        )
    else:
        trend = say(gettext_noop("%(feeling)s throughout"), feeling=feeling(last))
    facts: dict[str, datetime | Span] = {
        "since": first.at.astimezone(tz),
        "span": days(last.at - first.at),
        "limit": days(prm.worsening_min),
    }
    if long_enough and not_easing:
        patient = say(
            gettext_noop(
                "You have felt worse than before the procedure since %(since)s, for %(span)s "
                "(%(trend)s). Still worse after %(limit)s: the guide says to retest and treat "
                "again."
            ),
            trend=trend,
            **facts,
        )
        staff = say(
            gettext_noop(
                "Worse since %(since)s for %(span)s (%(trend)s). >= %(limit)s and not "
                "easing: retest (few such cases; benefit unknown)."
            ),
            trend=trend,
            **facts,
        )
    elif long_enough:
        patient = say(
            gettext_noop(
                "You have felt worse than before the procedure since %(since)s, for %(span)s "
                "(%(trend)s). It is easing, so we keep watching rather than retest now."
            ),
            trend=trend,
            **facts,
        )
        staff = say(
            gettext_noop(
                "Worse since %(since)s for %(span)s (%(trend)s). >= %(limit)s but easing: watch."
            ),
            trend=trend,
            **facts,
        )
    else:
        patient = say(
            gettext_noop(
                "You have felt worse than before the procedure since %(since)s, for %(span)s "
                "(%(trend)s). If it keeps getting worse for %(limit)s, the guide says to retest."
            ),
            trend=trend,
            **facts,
        )
        staff = say(
            gettext_noop("Worse since %(since)s for %(span)s (%(trend)s). < %(limit)s: watch."),
            trend=trend,
            **facts,
        )
    return reason(Clause.C7, "worsening", patient, staff)


def slight_or_brief(
    checkins: Sequence[CheckInRecord],
    r_start: int,
    spans: Sequence[tuple[datetime, datetime]],
    prm: Parameters,
    tz: tzinfo | None,
) -> Reason:
    if spans:
        start, end = max(spans, key=lambda s: s[1] - s[0])
        span, minimum = days(end - start), days(prm.noticeable_min)
        return reason(
            Clause.C6,
            "brief_improvement",
            say(
                gettext_noop(
                    "You were clearly better from %(start)s until %(end)s, but only for "
                    "%(span)s, less than the month (%(minimum)s) the guide looks for."
                ),
                start=start.astimezone(tz),
                end=end.astimezone(tz),
                span=span,
                minimum=minimum,
            ),
            say(
                gettext_noop("Brief noticeable improvement: %(span)s (< %(minimum)s)."),
                span=span,
                minimum=minimum,
            ),
        )
    slight = sum(1 for c in checkins[:r_start] if c.pgic.klass is PgicClass.SLIGHT)
    return reason(
        Clause.C6,
        "slight_improvement",
        counted(
            ngettext_noop(
                "Since your procedure you have felt at most a little better (%(count)s of your "
                "check-ins).",
                "Since your procedure you have felt at most a little better (%(count)s of your "
                "check-ins).",
            ),
            slight,
        ),
        counted(
            ngettext_noop(
                "Only slight improvement (%(count)s check-in a little better).",
                "Only slight improvement (%(count)s check-ins a little better).",
            ),
            slight,
        ),
    )


def no_improvement(count: int) -> Reason:
    return reason(
        None,
        "no_improvement",
        counted(
            ngettext_noop(
                "You have not felt better at your check-in since the procedure. The guide does "
                "not cover this, so your care team will review it.",
                "You have not felt better at any of your %(count)s check-ins since the "
                "procedure. The guide does not cover this, so your care team will review it.",
            ),
            count,
        ),
        counted(
            ngettext_noop(
                "No improved check-in of %(count)s since the index procedure (outside the source "
                "guide).",
                "No improved check-in of %(count)s since the index procedure (outside the source "
                "guide).",
            ),
            count,
        ),
    )
