"""The decision procedure of the restenosis protocol (shared/spec/protocol.md), step by step.

Pure: the instant of assessment is an argument, nothing is read or written, and the same
inputs always give the same assessment.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from datetime import datetime, timezone, tzinfo
from operator import attrgetter
from typing import Any

from venowatch.protocol import rationale as say
from venowatch.protocol import rationale_causes as causes
from venowatch.protocol import rationale_course as course
from venowatch.protocol.model import (
    Action,
    Assessment,
    CheckInRecord,
    Flag,
    LabKind,
    LabRecord,
    LabResult,
    Pathway,
    PgicClass,
    ProcedureKind,
    ProcedureRecord,
    Reason,
    TimelineRecord,
)
from venowatch.protocol.pathways import PROPERTIES, PathwayProperties
from venowatch.protocol.rules import Parameters, Protocol

_at = attrgetter("at")


def assess(
    timeline: TimelineRecord, as_of: datetime, protocol: Protocol, display: tzinfo | None = None
) -> Assessment:
    """Apply the protocol to one patient's timeline as it stood at `as_of`.

    Output instants and the dates in the rationale are shown in `display` (for example the
    patient's ZoneInfo, which gets each date's own daylight-saving offset right), or else in
    the offset of the latest check-in that counts. Display never affects the decision."""
    _require_fixed_offsets(timeline, as_of)
    return _Assessor(timeline, as_of, protocol, display).run()


def assess_presorted(
    timeline: TimelineRecord,
    as_of: datetime,
    protocol: Protocol,
    display: tzinfo | None = None,
    *,
    explain: bool = True,
) -> Assessment:
    """`assess` for a caller that assesses one timeline many times (a replay): the caller has
    checked every instant's offset once (`require_fixed_offsets`) and hands the check-ins
    already in a stable sort by instant, so neither is redone on every call. Same result as
    `assess` for such a timeline; with `explain` False, the same decision, `valid_until` and
    every other field but an empty rationale (building the reasons is half of the work)."""
    return _Assessor(timeline, as_of, protocol, display, presorted=True, explain=explain).run()


def require_fixed_offsets(timeline: TimelineRecord, as_of: datetime) -> None:
    """The check `assess` makes of every instant (see _require_fixed_offsets)."""
    _require_fixed_offsets(timeline, as_of)


def _require_fixed_offsets(timeline: TimelineRecord, as_of: datetime) -> None:
    """Durations are exact elapsed time. Python adds and subtracts datetimes that share a
    zone-rule tzinfo (ZoneInfo) on the wall clock, so across a DST change "14 days" would be
    14 days +- 1 hour: refuse such instants rather than decide on them. RFC 3339 text always
    parses to fixed offsets; convert zone-based datetimes first."""
    instants = [as_of, *(p.performed_at for p in timeline.procedures)]
    instants += [c.at for c in timeline.checkins]
    instants += [lab.at for lab in timeline.labs]
    for t in instants:
        if type(t.tzinfo) is not timezone:
            raise ValueError(f"{t!r}: instants must carry a fixed UTC offset (datetime.timezone)")


class _Assessor:
    """One assessment in progress: the steps share the index procedure, the check-ins that
    count and the display offset, so they live together for the length of one call."""

    def __init__(
        self,
        timeline: TimelineRecord,
        as_of: datetime,
        protocol: Protocol,
        display: tzinfo | None,
        presorted: bool = False,
        explain: bool = True,
    ) -> None:
        self.timeline = timeline
        self.as_of = as_of
        self.protocol = protocol
        self.prm: Parameters = protocol.parameters
        self.reasons: list[Reason] = []
        self.explain = explain
        self.index, self.repeats = self._index_procedure()
        self.checkins: list[CheckInRecord] = []
        self.tz: tzinfo | None = display or as_of.tzinfo
        if self.index is not None:
            start = self.index.performed_at
            # sorted() is stable: check-ins at equal instants keep their input order.
            ordered: Sequence[CheckInRecord] = (
                timeline.checkins if presorted else sorted(timeline.checkins, key=_at)
            )
            lo = bisect_left(ordered, start, key=_at)
            self.checkins = list(ordered[lo : bisect_right(ordered, as_of, lo=lo, key=_at)])
            latest = self.checkins[-1].at if self.checkins else start
            self.tz = display or latest.tzinfo

    def _say(self, why: Callable[..., Reason], *args: Any) -> None:
        """Add a reason (built only when the assessment is to explain itself)."""
        if self.explain:
            self.reasons.append(why(*args))

    def run(self) -> Assessment:
        if self.index is None:
            self._say(say.no_procedure, self.as_of, self.tz)
            return self._result(Pathway.NO_PROCEDURE)
        self._say(say.index_procedure, self.index, self.repeats, self.tz)
        emergency = self._thrombosis()
        if emergency is not None:
            return emergency
        if not self.checkins:
            self._say(say.awaiting_checkin, self.index, self.tz)
            return self._result(Pathway.AWAITING_CHECKIN)
        latest = self.checkins[-1]
        if latest.pgic.improved:
            self._say(say.latest_improved, latest, self.tz)
            return self._result(Pathway.IMPROVED)
        pathway, d0 = self._pattern()
        if PROPERTIES[pathway].rules_out_other_causes:
            return self._rule_out_other_causes(pathway, d0)
        return self._result(pathway)

    def _index_procedure(self) -> tuple[ProcedureRecord | None, int]:
        """Step 1: the latest procedure at or before as_of, and the repeats done."""
        index: ProcedureRecord | None = None
        venoplasties = 0
        for p in self.timeline.procedures:
            if p.performed_at > self.as_of:
                continue
            # `>=`: of procedures at one instant, the later one in input order is the latest.
            if index is None or p.performed_at >= index.performed_at:
                index = p
            if p.kind is ProcedureKind.VENOPLASTY:
                venoplasties += 1
        return index, max(0, venoplasties - 1)

    def _thrombosis(self) -> Assessment | None:
        """Step 3 (C2): possible thrombosis within hours of the procedure."""
        assert self.index is not None
        window_end = self.index.performed_at + self.prm.thrombosis_window
        worse_rank = self.prm.thrombosis_worse_from.rank
        seen_improved = False
        for i, c in enumerate(self.checkins):
            if c.at > window_end:
                return None
            improved = c.pgic.improved
            cause = causes.TriggerCause.of(c, improved, seen_improved, worse_rank)
            if cause is not None:
                return self._thrombosis_from(i, cause)
            seen_improved = seen_improved or improved
        return None

    def _thrombosis_from(self, i: int, cause: causes.TriggerCause) -> Assessment | None:
        assert self.index is not None
        trigger = self.checkins[i]
        alert_until = trigger.at + self.prm.thrombosis_alert_for
        cleared_by = next(
            (c for c in self.checkins[i + 1 :] if c.pgic.improved and not c.symptoms_returned),
            None,
        )
        active = cleared_by is None and self.as_of < alert_until
        if self.explain:
            reason = causes.thrombosis(
                trigger, cause, self.index, alert_until, active, cleared_by, self.prm, self.tz
            )
            # The emergency is read first, before any other fact.
            self.reasons.insert(len(self.reasons) if not active else 0, reason)
        if not active:
            return None
        return self._result(Pathway.POSSIBLE_THROMBOSIS, valid_until=alert_until)

    def _pattern(self) -> tuple[Pathway, datetime]:
        """Steps 6 to 8: reversion, improvement periods, and the pathway they point to."""
        assert self.index is not None
        checkins = self.checkins
        r_start = len(checkins)
        while r_start > 0 and not checkins[r_start - 1].pgic.improved:
            r_start -= 1
        reversion = checkins[r_start:]
        d0 = reversion[0].at
        spans = _noticeable_spans(checkins, r_start)
        qualifying = [s for s in spans if s[1] - s[0] >= self.prm.noticeable_min]
        r_span = reversion[-1].at - d0
        tz = self.tz
        if qualifying:
            best = qualifying[-1]
            self._say(course.noticeable_improvement, best, self.prm, tz)
            restenosis = r_span >= self.prm.reverted_min
            self._say(course.reverted, reversion, restenosis, self.prm, tz)
            pathway = Pathway.SUSPECTED_RESTENOSIS if restenosis else Pathway.ADJUSTMENT_PERIOD
            return pathway, d0
        if checkins[-1].pgic.klass is PgicClass.WORSE:
            w_start = len(checkins) - 1
            while w_start > 0 and checkins[w_start - 1].pgic.klass is PgicClass.WORSE:
                w_start -= 1
            worse = checkins[w_start:]
            long_enough = worse[-1].at - worse[0].at >= self.prm.worsening_min
            not_easing = worse[-1].pgic.rank >= worse[0].pgic.rank
            self._say(course.worsening, worse, long_enough, not_easing, self.prm, tz)
            retest = long_enough and not_easing
            return (Pathway.WORSENING_RETEST if retest else Pathway.WORSENING_WATCH), d0
        if r_start > 0:
            self._say(course.slight_or_brief, checkins, r_start, spans, self.prm, tz)
            waiting = self.as_of < self.index.performed_at + self.prm.tune_up_min_wait
            return (Pathway.TUNE_UP_WAIT if waiting else Pathway.TUNE_UP_ELIGIBLE), d0
        self._say(course.no_improvement, len(checkins))
        return Pathway.NO_IMPROVEMENT, d0

    def _rule_out_other_causes(self, pathway: Pathway, d0: datetime) -> Assessment:
        """Step 9 (C3): an abnormal lab overrides; two normal labs rule other causes out."""
        since = d0 - self.prm.lab_lookback
        counted = sorted(
            (lab for lab in self.timeline.labs if since <= lab.at <= self.as_of), key=_at
        )
        latest: dict[LabKind, LabRecord] = {lab.kind: lab for lab in counted}
        abnormal = [lab for lab in latest.values() if lab.result is LabResult.ABNORMAL]
        if abnormal:
            for lab in abnormal:
                self._say(causes.abnormal_lab, lab, self.tz)
            return self._result(Pathway.TREAT_UNDERLYING_CAUSE)
        if len(latest) == len(LabKind):
            self._say(causes.labs_normal, latest[LabKind.BLOOD], latest[LabKind.URINE], self.tz)
            return self._result(pathway)
        self._say(
            causes.labs_needed, since, latest.get(LabKind.BLOOD), latest.get(LabKind.URINE), self.tz
        )
        return self._result(pathway, test=True)

    def _result(
        self,
        pathway: Pathway,
        *,
        valid_until: datetime | None = None,
        test: bool = False,
    ) -> Assessment:
        rule = self.protocol.pathways[pathway]
        properties = PROPERTIES[pathway]
        actions = rule.actions
        if test and Action.BLOOD_AND_URINE_TEST not in actions:
            actions = (*actions, Action.BLOOD_AND_URINE_TEST)
        earliest = self._earliest_next_procedure(properties)
        if earliest is not None and self.index is not None:
            self._say(say.earliest_next, self.index, earliest, pathway, self.tz)
        flags: list[Flag] = []
        if properties.counts_toward_stent and self.repeats >= self.prm.repeats_before_stent:
            flags.append(Flag.STENT_CONSIDERATION)
            self._say(say.stent, self.repeats, self.prm)
        candidates = [valid_until] if valid_until is not None else []
        if properties.ends_with_wait and earliest is not None:
            candidates.append(earliest)
        if properties.can_be_overdue and self.index is not None:
            last = self.checkins[-1].at if self.checkins else self.index.performed_at
            due = last + self.prm.checkin_overdue_after
            if self.as_of >= due:
                flags.append(Flag.CHECKIN_OVERDUE)
                self._say(say.overdue, last, bool(self.checkins), self.prm, self.tz)
            else:
                candidates.append(due)
        later = [t for t in candidates if t > self.as_of]
        tz = self.tz
        return Assessment(
            patient_id=self.timeline.patient_id,
            as_of=self.as_of.astimezone(tz),
            pathway=pathway,
            urgency=rule.urgency,
            actions=actions,
            flags=tuple(sorted(flags, key=_flag_value)),
            repeats_done=self.repeats,
            earliest_next_procedure_at=None if earliest is None else earliest.astimezone(tz),
            valid_until=min(later).astimezone(tz) if later else None,
            rationale=tuple(self.reasons),
            protocol=self.protocol.ref,
        )

    def _earliest_next_procedure(self, properties: PathwayProperties) -> datetime | None:
        wait = properties.waits_for
        if self.index is None or wait is None:
            return None
        return self.index.performed_at + wait.length(self.prm)


def _flag_value(flag: Flag) -> str:
    return flag.value


def _noticeable_spans(checkins: list[CheckInRecord], end: int) -> list[tuple[datetime, datetime]]:
    """Step 7: for each improvement period before index `end`, its noticeable span as
    (first NOTICEABLE check-in, first check-in after the last NOTICEABLE one)."""
    spans: list[tuple[datetime, datetime]] = []
    first: int | None = None
    last: int | None = None
    for i in range(end + 1):
        c = checkins[i] if i < end else None
        if c is not None and c.pgic.improved:
            if c.pgic.klass is PgicClass.NOTICEABLE:
                if first is None:
                    first = i
                last = i
            continue
        # A not-improved check-in (or the reversion) closes the period; a period is always
        # followed by a check-in, so last + 1 exists.
        if first is not None and last is not None:
            spans.append((checkins[first].at, checkins[last + 1].at))
        first = last = None
    return spans
