"""The readable form of assessments on a terminal: what to do first, then why."""

from __future__ import annotations

from collections.abc import Sequence

from venowatch.protocol import Assessment, Flag, Protocol, Urgency
from venowatch.protocol.message import Audience, stamp

_RULE = "─" * 72
# Shouted so a terminal reader sees it first; "none" is a code, so it says there is nothing to do.
_URGENCY = {
    Urgency.EMERGENCY: "EMERGENCY",
    Urgency.URGENT: "URGENT",
    Urgency.ATTENTION: "ATTENTION",
    Urgency.ROUTINE: "ROUTINE",
    Urgency.NONE: "NO ACTION",
}
_FLAGS = {Flag.CHECKIN_OVERDUE: "check-in overdue", Flag.STENT_CONSIDERATION: "consider a stent"}
_COUNTED = {
    Urgency.EMERGENCY: "emergency",
    Urgency.URGENT: "urgent",
    Urgency.ATTENTION: "needing attention",
    Urgency.ROUTINE: "routine",
    Urgency.NONE: "with nothing to do",
}


def render_batch(assessments: Sequence[Assessment], protocol: Protocol, audience: Audience) -> str:
    """All results in input order, after a summary that puts emergencies where nobody can miss
    them, however long the batch."""
    parts = [render(a, protocol, audience) for a in assessments]
    if len(assessments) > 1:
        parts.insert(0, summary(assessments))
    return "\n".join(parts)


def summary(assessments: Sequence[Assessment]) -> str:
    counts = dict.fromkeys(Urgency, 0)
    for a in assessments:
        counts[a.urgency] += 1
    lines = [
        f"{len(assessments)} patients: "
        + ", ".join(f"{n} {_COUNTED[u]}" for u, n in counts.items() if n)
    ]
    emergencies = [a.patient_id for a in assessments if a.urgency is Urgency.EMERGENCY]
    if emergencies:
        lines.append(
            f"!! EMERGENCY (possible blood clot) for {len(emergencies)}: " + ", ".join(emergencies)
        )
    return "\n".join(lines) + "\n"


def render(a: Assessment, protocol: Protocol, audience: Audience) -> str:
    patient = audience is Audience.PATIENT
    rule = protocol.pathways[a.pathway]
    title = rule.title.patient if patient else rule.title.staff
    tz = a.as_of.tzinfo
    lines = [
        _RULE,
        f"{a.patient_id}    as of {stamp(a.as_of, tz)}",
        f"{_URGENCY[a.urgency]:<10} {title}",
    ]
    if a.urgency is Urgency.EMERGENCY:
        lines.append("!! This is an emergency. Act now, before reading anything else.")
    if a.actions:
        lines += ["", "What to do:"]
        for i, action in enumerate(a.actions, 1):
            wording = protocol.actions[action]
            lines.append(f"  {i}. {wording.patient if patient else wording.staff}")
    lines += ["", "Why:"]
    for reason in a.rationale:
        clause = reason.clause.value if reason.clause else "--"
        lines.append(f"  [{clause}] {reason.patient if patient else reason.staff}")
    dates = _key_dates(a)
    if dates:
        lines += ["", "Key dates:"] + [f"  {label:<26}{value}" for label, value in dates]
    if a.flags:
        lines += ["", "Flags: " + ", ".join(_FLAGS[f] for f in a.flags)]
    ref = a.protocol
    lines += ["", f"Protocol {ref.id} {ref.version} (sha256 {ref.sha256[:12]})", ""]
    return "\n".join(lines)


def _key_dates(a: Assessment) -> list[tuple[str, str]]:
    tz = a.as_of.tzinfo
    dates = []
    if a.earliest_next_procedure_at is not None:
        dates.append(("Earliest next procedure", stamp(a.earliest_next_procedure_at, tz)))
    if a.valid_until is not None:
        dates.append(("Holds until", stamp(a.valid_until, tz) + " (unless new records arrive)"))
    return dates
