"""The standings over a patient's course in one walk: where the protocol put the patient
(pathway and urgency) from each instant on, without assessing at every instant.

Pure, like the engine. A replay that assessed at every record's instant and every
`valid_until` would rebuild the course (the check-ins since the procedure, its improvement
periods, the thrombosis window) from the start each time: about 53 assessments for a
patient-year. Here the facts the engine's steps look at are found once per course, for every
prefix of its check-ins, and each instant is then decided from them in constant time (the labs
aside, which are few). The decision is the engine's, step for step (engine._Assessor: run,
_thrombosis, _pattern, _rule_out_other_causes); tests/test_replay.py holds the two to agreement
at every record's instant, either side of it and between, over every shared scenario and
hypothesis-generated follow-ups.

Between two records only two things change with time alone: an active alarm runs out
(`thrombosis_alert_for` after its trigger) and the tune-up's wait ends (`tune_up_min_wait`
after the procedure). Those, and every record's instant, are the instants decided.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from venowatch.protocol import rationale_causes as causes
from venowatch.protocol.model import (
    CheckInRecord,
    LabKind,
    LabRecord,
    LabResult,
    Pathway,
    PgicClass,
    ProcedureRecord,
    Urgency,
)
from venowatch.protocol.pathways import PROPERTIES
from venowatch.protocol.rules import Parameters, Protocol

_at = attrgetter("at")
_performed_at = attrgetter("performed_at")


@dataclass(frozen=True, slots=True)
class Standing:
    """Where the protocol put the patient from `start` until `end` (None: still at `until`)."""

    start: datetime
    end: datetime | None
    pathway: Pathway
    urgency: Urgency


def standings(
    procedures: Sequence[ProcedureRecord],
    checkins: Sequence[CheckInRecord],
    labs: Sequence[LabRecord],
    until: datetime,
    protocol: Protocol,
) -> tuple[Standing, ...]:
    """Each change of pathway or urgency from the first record up to `until` (the first
    standing at the first record's instant). `checkins` in a stable sort by instant; every
    instant with a fixed offset, as the engine requires (`require_fixed_offsets`)."""
    found = _changes(procedures, checkins, labs, until, protocol)
    out = []
    for i, (t, pathway) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else None
        out.append(Standing(t, end, pathway, protocol.pathways[pathway].urgency))
    return tuple(out)


def _changes(
    procedures: Sequence[ProcedureRecord],
    checkins: Sequence[CheckInRecord],
    labs: Sequence[LabRecord],
    until: datetime,
    protocol: Protocol,
) -> list[tuple[datetime, Pathway]]:
    """Each instant the pathway changed and the new pathway (the urgency is the pathway's,
    by the protocol's rule, so a new pathway is the one change to look for)."""
    prm = protocol.parameters
    sorted_labs = sorted(labs, key=_at)
    records = [*(p.performed_at for p in procedures), *map(_at, checkins), *map(_at, labs)]
    if not records:
        return []
    starts = sorted({p.performed_at for p in procedures})
    found: list[tuple[datetime, Pathway]] = []
    before = sorted(t for t in records if t <= until and (not starts or t < starts[0]))
    if before:  # records before any procedure: the engine's "no procedure"
        found.append((before[0], Pathway.NO_PROCEDURE))
    for i, start in enumerate(starts):
        if start > until:
            break
        end = starts[i + 1] if i + 1 < len(starts) else None
        course = _Course(start, _between(checkins, start, end), prm)
        instants = {start, *course.time_instants()}
        instants |= {t for t in records if start <= t and (end is None or t < end)}
        for t in sorted(x for x in instants if x <= until and (end is None or x < end)):
            pathway = course.pathway_at(t, sorted_labs)
            if not found or pathway is not found[-1][1]:
                found.append((t, pathway))
    return found


def _between(
    checkins: Sequence[CheckInRecord], start: datetime, end: datetime | None
) -> Sequence[CheckInRecord]:
    """The check-ins that count for the procedure at `start` until the next one at `end`."""
    lo = bisect_left(checkins, start, key=_at)
    hi = len(checkins) if end is None else bisect_left(checkins, end, lo=lo, key=_at)
    return checkins[lo:hi]


class _Course:
    """One procedure's course: what the engine's steps would find for each prefix of its
    check-ins (the first k, those at or before the instant decided)."""

    def __init__(self, start: datetime, checkins: Sequence[CheckInRecord], prm: Parameters):
        self.start = start
        self.prm = prm
        self.ats = [c.at for c in checkins]
        self.checkins = checkins
        self.trigger, self.cleared = self._thrombosis()
        n = len(checkins)
        # reversion[k]: where the run of not-improved check-ins ending at k-1 begins (step 6).
        # qualifies[r]: whether a noticeable span of the periods before r lasted long enough
        # (step 7). worse[k]: where the run of "worse" check-ins ending at k-1 begins (step 8).
        self.reversion = [0] * (n + 1)
        self.worse = [0] * (n + 1)
        self.qualifies = [False] * (n + 1)
        self._prefixes()

    def _thrombosis(self) -> tuple[int | None, int | None]:
        """Step 3 (C2): the check-in that raised the alarm in the window, if one did, and the
        first after it to clear it (improved, the symptoms not back)."""
        window_end = self.start + self.prm.thrombosis_window
        worse_rank = self.prm.thrombosis_worse_from.rank
        seen_improved = False
        for i, c in enumerate(self.checkins):
            if c.at > window_end:
                return None, None
            improved = c.pgic.improved
            if causes.TriggerCause.of(c, improved, seen_improved, worse_rank) is not None:
                later = self.checkins[i + 1 :]
                clear = (j for j, d in enumerate(later, i + 1) if _clears(d))
                return i, next(clear, None)
            seen_improved = seen_improved or improved
        return None, None

    def _prefixes(self) -> None:
        """One pass over the check-ins, as _pattern and _noticeable_spans walk them."""
        first: int | None = None  # the current improvement period's first and last noticeable
        last: int | None = None
        qualifies = False
        noticeable_min = self.prm.noticeable_min
        worse_from = 0
        for i, c in enumerate(self.checkins):
            improved = c.pgic.improved
            klass = c.pgic.klass
            self.reversion[i + 1] = i + 1 if improved else self.reversion[i]
            if klass is PgicClass.WORSE and not (i and self.checkins[i - 1].pgic.klass is klass):
                worse_from = i
            self.worse[i + 1] = worse_from  # read only when check-in i is "worse"
            if improved:
                if klass is PgicClass.NOTICEABLE:
                    first = i if first is None else first
                    last = i
                continue
            # A not-improved check-in closes the period; the span ends at the check-in after
            # its last noticeable one (always there: this one at the latest).
            if first is not None and last is not None:
                span = self.ats[last + 1] - self.ats[first]
                qualifies = qualifies or span >= noticeable_min
            first = last = None
            self.qualifies[i] = qualifies

    def time_instants(self) -> list[datetime]:
        """The instants at which the standing may change with no new record."""
        found = [self.start + self.prm.tune_up_min_wait]
        if self.trigger is not None:
            found.append(self.ats[self.trigger] + self.prm.thrombosis_alert_for)
        return found

    def pathway_at(self, t: datetime, labs: Sequence[LabRecord]) -> Pathway:
        """The engine's pathway at `t` (run, in the same order of steps)."""
        k = bisect_right(self.ats, t)
        if self.trigger is not None and self.trigger < k:
            alarm_ends = self.ats[self.trigger] + self.prm.thrombosis_alert_for
            if (self.cleared is None or self.cleared >= k) and t < alarm_ends:
                return Pathway.POSSIBLE_THROMBOSIS
        if k == 0:
            return Pathway.AWAITING_CHECKIN
        if self.checkins[k - 1].pgic.improved:
            return Pathway.IMPROVED
        pathway, r = self._pattern(k, t)
        if not labs or not PROPERTIES[pathway].rules_out_other_causes:
            return pathway
        return _other_causes(pathway, self.ats[r] - self.prm.lab_lookback, t, labs)

    def _pattern(self, k: int, t: datetime) -> tuple[Pathway, int]:
        """Steps 6 to 8 for the first k check-ins (the last not improved)."""
        r = self.reversion[k]
        prm = self.prm
        if self.qualifies[r]:
            reverted = self.ats[k - 1] - self.ats[r] >= prm.reverted_min
            return (Pathway.SUSPECTED_RESTENOSIS if reverted else Pathway.ADJUSTMENT_PERIOD), r
        latest = self.checkins[k - 1]
        if latest.pgic.klass is PgicClass.WORSE:
            w = self.worse[k]
            long_enough = self.ats[k - 1] - self.ats[w] >= prm.worsening_min
            not_easing = latest.pgic.rank >= self.checkins[w].pgic.rank
            retest = long_enough and not_easing
            return (Pathway.WORSENING_RETEST if retest else Pathway.WORSENING_WATCH), r
        if r > 0:
            waiting = t < self.start + prm.tune_up_min_wait
            return (Pathway.TUNE_UP_WAIT if waiting else Pathway.TUNE_UP_ELIGIBLE), r
        return Pathway.NO_IMPROVEMENT, r


def _clears(c: CheckInRecord) -> bool:
    return c.pgic.improved and not c.symptoms_returned


def _other_causes(
    pathway: Pathway, since: datetime, t: datetime, labs: Sequence[LabRecord]
) -> Pathway:
    """Step 9 (C3): the latest lab of each kind in [since, t]; an abnormal one overrides."""
    lo = bisect_left(labs, since, key=_at)
    latest: dict[LabKind, LabRecord] = {}
    for lab in labs[lo : bisect_right(labs, t, lo=lo, key=_at)]:
        latest[lab.kind] = lab
    if any(lab.result is LabResult.ABNORMAL for lab in latest.values()):
        return Pathway.TREAT_UNDERLYING_CAUSE
    return pathway
