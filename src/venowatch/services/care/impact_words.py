"""The impact of a protocol change in words (the admin's preview, the command line) and as
JSON (`venowatch protocol impact --json`). Plain text with no Django, as the command line
runs offline; the pathway titles are each file's own staff titles."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from venowatch.protocol import Pathway, Protocol, Urgency
from venowatch.services.care.impact import Impact, Move, Onset, Placing, Shift, TargetShift

URGENCY_WORDS = {
    Urgency.EMERGENCY: "emergency",
    Urgency.URGENT: "urgent",
    Urgency.ATTENTION: "needs attention",
    Urgency.ROUTINE: "routine",
    Urgency.NONE: "nothing to do",
}
LEVEL_WORDS = {
    Urgency.EMERGENCY: "an emergency (possible blood clot)",
    Urgency.URGENT: "urgent or more",
    Urgency.ATTENTION: "needing attention or more",
}
SHIFT_WORDS = {
    Shift.SAME: "at the same time",
    Shift.EARLIER: "earlier",
    Shift.LATER: "later",
    Shift.NEWLY: "only under the new file",
    Shift.NO_LONGER: "only under the file in force",
}


def placing_words(placing: Placing, protocol: Protocol) -> str:
    """ "Suspected restenosis: retest and re-treat (urgent)", in the file's own title."""
    title = protocol.pathways[placing.pathway].title.staff
    return f"{title} ({URGENCY_WORDS[placing.urgency]})"


def target_words(target: Urgency | Pathway, protocol: Protocol) -> str:
    if isinstance(target, Pathway):
        return protocol.pathways[target].title.staff
    return LEVEL_WORDS[target]


def duration_words(d: timedelta | None) -> str:
    """Days with a tenth, or hours under a day: "3 days", "2.5 days", "6 hours"."""
    if d is None:
        return "-"
    hours = d.total_seconds() / 3600
    if hours < 24:
        whole = round(hours)
        return f"{whole} hour" if whole == 1 else f"{whole} hours"
    days = round(hours / 24, 1)
    text = f"{days:g}"
    return "1 day" if text == "1" else f"{text} days"


def distinct(onsets: Iterable[Onset]) -> list[Onset]:
    """One line per difference a person would see: onsets at the same instants under both
    files say the same thing (a course that became urgent when it entered suspected
    restenosis), so the pathway's is kept, else the most pressing level's."""
    kept: dict[tuple[datetime, datetime | None, datetime | None], Onset] = {}
    for o in onsets:
        key = (o.course_start, o.current, o.new)
        if key not in kept or isinstance(o.target, Pathway):
            kept[key] = o
    return list(kept.values())


def onset_words(o: Onset, protocol: Protocol, stamp: Any) -> str:
    """One course's difference: "urgent or more 4 days earlier (2026-03-01 ... instead of ...)"."""
    what = target_words(o.target, protocol)
    if o.shift is Shift.NEWLY:
        return f"{what}: from {stamp(o.new)}, never under the file in force"
    if o.shift is Shift.NO_LONGER:
        return f"{what}: never under the new file (from {stamp(o.current)} under the file in force)"
    return (
        f"{what}: {duration_words(o.by)} {SHIFT_WORDS[o.shift]} "
        f"({stamp(o.new)} instead of {stamp(o.current)})"
    )


def shift_row(s: TargetShift) -> dict[str, str]:
    """One row of the history table, as counts in words."""
    return {
        "same": str(s.same),
        "earlier": _with_median(len(s.earlier), s.median_earlier),
        "later": _with_median(len(s.later), s.median_later),
        "newly": str(s.newly),
        "no_longer": str(s.no_longer),
    }


def _with_median(n: int, typical: timedelta | None) -> str:
    return f"{n} (typically {duration_words(typical)})" if n else "0"


def impact_json(impact: Impact, *, as_of: datetime | None = None) -> dict[str, Any]:
    """The JSON form: enum values as codes, durations in days, instants in RFC 3339."""
    return {
        "current": _ref(impact.current),
        "new": _ref(impact.new),
        "as_of": None if as_of is None else as_of.isoformat(),
        "same_decisions": impact.same_decisions,
        "patients_compared": impact.compared,
        "patients_moved": impact.moved,
        "moves": [_move(m) for m in impact.moves],
        "patients": [
            {
                "id": p.key,
                "current": _placing(p.current),
                "new": _placing(p.new),
                "urgency_rises": p.rises,
                "history": [_onset(o) for o in p.differences],
            }
            for p in impact.patients
        ],
        "courses": impact.courses,
        "history": None if impact.history is None else [_shift(s) for s in impact.history],
    }


def _ref(ref: Any) -> dict[str, str]:
    return {"id": ref.id, "version": ref.version, "sha256": ref.sha256}


def _placing(p: Placing) -> dict[str, str]:
    return {"pathway": p.pathway.value, "urgency": p.urgency.value}


def _move(m: Move) -> dict[str, Any]:
    return {
        "from": _placing(m.before),
        "to": _placing(m.after),
        "count": m.count,
        "urgency_rises": m.rises,
    }


def _target(t: Urgency | Pathway) -> dict[str, str]:
    return {"pathway": t.value} if isinstance(t, Pathway) else {"urgency_at_least": t.value}


def _onset(o: Onset) -> dict[str, Any]:
    return {
        **_target(o.target),
        "course_start": o.course_start.isoformat(),
        "current": None if o.current is None else o.current.isoformat(),
        "new": None if o.new is None else o.new.isoformat(),
        "shift": o.shift.value,
        "days": None if o.by is None else _days(o.by),
    }


def _shift(s: TargetShift) -> dict[str, Any]:
    return {
        **_target(s.target),
        "same": s.same,
        "earlier": len(s.earlier),
        "earlier_days": [_days(d) for d in s.earlier],
        "later": len(s.later),
        "later_days": [_days(d) for d in s.later],
        "only_new": s.newly,
        "only_current": s.no_longer,
    }


def _days(d: timedelta) -> float:
    return round(d.total_seconds() / 86400, 3)
