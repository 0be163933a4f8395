"""The CDS Hooks card that says what the clinic's protocol says about a patient now."""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass
from typing import Any

from venowatch.protocol import Assessment, Pathway, Protocol, Reason, Urgency
from venowatch.services.integration.cds.merging import Counts, Merged

MAX_SUMMARY = 139
"""CDS Hooks: a card's summary SHOULD be under 140 characters."""

NOT_A_DIAGNOSIS = (
    "Decision support: venowatch applies this clinic's follow-up protocol to the records named "
    "above. It is not a diagnosis and does not replace a clinician's judgement."
)

URGENCY_WORDS = {
    Urgency.EMERGENCY: "an emergency",
    Urgency.URGENT: "urgent",
    Urgency.ATTENTION: "needs attention",
    Urgency.ROUTINE: "routine follow-up",
    Urgency.NONE: "nothing to do",
}
"""How urgent, in words beside the title: a clinician in the EHR reads the card, not our codes."""

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


class Indicator(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


_RANK = {Indicator.INFO: 0, Indicator.WARNING: 1, Indicator.CRITICAL: 2}


def indicator_of(pathway: Pathway, urgency: Urgency) -> Indicator:
    """Critical for a possible clot (and anything the clinic's file makes an emergency),
    warning for urgent pathways, info for the rest."""
    if pathway is Pathway.POSSIBLE_THROMBOSIS or urgency is Urgency.EMERGENCY:
        return Indicator.CRITICAL
    if urgency is Urgency.URGENT:
        return Indicator.WARNING
    return Indicator.INFO


def indicator(a: Assessment) -> Indicator:
    return indicator_of(a.pathway, a.urgency)


@dataclass(frozen=True, slots=True)
class Floor:
    """The least urgent the card may be: venowatch's own view of the patient, when it is more
    urgent than what the merged records say. `why` says so on the card, in staff words."""

    pathway: Pathway
    urgency: Urgency
    why: str

    @property
    def indicator(self) -> Indicator:
        return indicator_of(self.pathway, self.urgency)


def patient_view_card(
    a: Assessment,
    protocol: Protocol,
    link: str,
    skipped: int = 0,
    sources: Merged | Counts | None = None,
    floor: Floor | None = None,
) -> dict[str, Any]:
    """One card: the pathway as summary, what to do and why in detail, and a link to `link`
    (an absolute URL into venowatch). `skipped` counts the EHR's resources that could not be
    read: the reader of the card must know the advice did not weigh them. `sources`: the
    merge of the EHR's records with venowatch's (or the EHR's counts alone), said on the card.
    `floor`: venowatch's own view, which the card is never less urgent than."""
    shown, raised = a.pathway, indicator(a)
    if floor is not None and _RANK[floor.indicator] > _RANK[raised]:
        shown, raised = floor.pathway, floor.indicator
    else:
        floor = None
    title = protocol.pathways[shown].title.staff
    detail = _detail(
        a,
        protocol,
        protocol.pathways[a.pathway].title.staff,
        skipped,
        [sources_line(sources)] if sources is not None else [],
    )
    if floor is not None:
        detail = f"**{_md(floor.why)}**\n\n{detail}"
    return {
        "uuid": str(uuid.uuid4()),
        "summary": _shortened(f"Venoplasty follow-up: {title}"),
        "indicator": raised.value,
        "detail": detail,
        "source": {"label": f"{protocol.title} v{a.protocol.version}"},
        "links": [{"label": "Open venowatch", "url": link, "type": "absolute"}],
    }


def _counted(c: Counts) -> str:
    def n(count: int, one: str, many: str) -> str:
        return f"{count} {one if count == 1 else many}"

    return ", ".join(
        [
            n(c.procedures, "procedure", "procedures"),
            n(c.checkins, "check-in", "check-ins"),
            n(c.labs, "test result", "test results"),
        ]
    )


def sources_line(sources: Merged | Counts) -> str:
    """Which records the card weighed, in a sentence."""
    if isinstance(sources, Counts):
        return (
            f"Sources: the EHR's records only ({_counted(sources)}); venowatch does not know "
            "this patient by an identifier the EHR sent."
        )
    line = (
        f"Sources: the EHR's records ({_counted(sources.ehr)}) and venowatch's own for this "
        f"patient ({_counted(sources.venowatch)})"
    )
    if sources.both:
        line += f"; {sources.both} held by both counted once"
    return line + "."


def _shortened(text: str) -> str:
    return text if len(text) <= MAX_SUMMARY else text[: MAX_SUMMARY - 1].rstrip() + "…"


def _detail(a: Assessment, protocol: Protocol, title: str, skipped: int, notes: list[str]) -> str:
    lines = [f"**{_md(title)}** ({URGENCY_WORDS[a.urgency]})", ""]
    if a.actions:
        lines += ["**What to do**", ""]
        lines += [f"- {_md(protocol.actions[action].staff)}" for action in a.actions]
        lines.append("")
    if a.earliest_next_procedure_at is not None:
        lines += [f"Earliest next procedure: {a.earliest_next_procedure_at:%Y-%m-%d %H:%M %z}", ""]
    lines += ["**Why, by clause of the protocol**", ""]
    lines += [f"- {_clause(reason)}: {_md(reason.staff)}" for reason in a.rationale]
    if skipped:
        lines += ["", f"{skipped} of the EHR's resources could not be read and were left out."]
    for note in notes:
        lines += ["", note]  # our own sentences, not text from records
    ref = a.protocol
    lines += [
        "",
        f"Protocol {_md(ref.id)} v{_md(ref.version)} (sha256 {ref.sha256[:12]}).",
        "",
        f"_{NOT_A_DIAGNOSIS}_",
    ]
    return "\n".join(lines)


def _clause(reason: Reason) -> str:
    return "follow-up routine" if reason.clause is None else f"**{reason.clause.value}**"


def _md(text: str) -> str:
    """Text from records and the protocol file, shown as itself: a finding someone typed must
    not become a link or an image in the EHR, nor a note's lines break the list."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))
